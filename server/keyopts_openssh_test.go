package server

import (
	"strings"
	"testing"

	"github.com/pqssh/pqssh/server/authkeys"
	gossh "golang.org/x/crypto/ssh"
)

// TestKeyoptsLikeOpenSSH logs in from 127.0.0.1 with authorized_keys
// lines that OpenSSH's sshd accepts or refuses, option by option.
func TestKeyoptsLikeOpenSSH(t *testing.T) {
	for _, c := range []struct {
		name    string
		lines   []string // options of successive lines for the same key
		allowed bool
	}{
		{"empty from admits nobody", []string{`from=""`}, false},
		{"from with an empty entry", []string{`from="127.0.0.1,"`}, false},
		{"from with host bits in a network", []string{`from="127.0.0.1/8"`}, false},
		{"from network", []string{`from="127.0.0.0/8"`}, true},
		{"repeated from", []string{`from="192.0.2.1",from="127.0.0.1"`}, false},
		{"unquoted from", []string{`from=127.0.0.1`}, false},
		{"principals on a plain key", []string{`principals="tester"`}, false},
		{"flag with a value", []string{`pty="no"`}, false},
		{"earliest expiry-time", []string{`expiry-time="20000101Z",expiry-time="20991231Z"`}, false},
		{"bare permitlisten port", []string{`permitlisten="2222"`}, true},
		{"touch-required", []string{`touch-required,no-verify-required`}, true},
		{"tunnel", []string{`tunnel="0"`}, true},
		{"next line after a refused one", []string{`from="192.0.2.1"`, `restrict`}, true},
		{"next line after an expired one", []string{`expiry-time="20000101Z"`, ``}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := startServer(t, c.lines[0], "")
			for _, l := range c.lines[1:] {
				e.authorize(e.user, l, e.key.PublicKey())
			}
			conn, err := e.dial(e.user, e.key)
			if err == nil {
				conn.Close()
			}
			if (err == nil) != c.allowed {
				t.Fatalf("authorized_keys %q: login error %v, want allowed=%v", c.lines, err, c.allowed)
			}
		})
	}
}

func TestKeyoptsVerifyRequiredSecurityKey(t *testing.T) {
	blob := gossh.Marshal(struct {
		Type, Key, App string
	}{gossh.KeyAlgoSKED25519, strings.Repeat("k", 32), "ssh:"})
	sk, err := gossh.ParsePublicKey(blob)
	if err != nil {
		t.Fatal(err)
	}
	plain := newSigner(t).PublicKey()
	for _, c := range []struct {
		opts authkeys.Options
		key  gossh.PublicKey
		want bool
	}{
		{authkeys.Options{VerifyRequired: true}, sk, true},
		{authkeys.Options{}, sk, false},
		{authkeys.Options{VerifyRequired: true}, plain, false},
	} {
		if got := unverifiable(c.opts, c.key); got != c.want {
			t.Errorf("unverifiable(%+v, %s) = %v, want %v", c.opts, c.key.Type(), got, c.want)
		}
	}
}
