package server

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/pqsig"
	"github.com/pqssh/pqssh/server/authkeys"
)

// TestAuthorizedPrincipalsFile: with TrustedUserCAKeys and
// AuthorizedPrincipalsFile, a user certificate from an Ed25519 or an
// ML-DSA CA is accepted when one of its principals is listed in the user's
// file (with that line's key options applied) and refused otherwise, even
// when it names the user; "none" goes back to the user name.
func TestAuthorizedPrincipalsFile(t *testing.T) {
	dir := t.TempDir()
	cas := map[string]gossh.Signer{"ed25519": newSigner(t), "mldsa44-ed25519": newPQSigner(t, pqsig.MLDSA44Ed25519)}
	var trusted []byte
	for _, ca := range cas {
		trusted = append(trusted, gossh.MarshalAuthorizedKey(ca.PublicKey())...)
	}
	caFile := filepath.Join(dir, "ca.pub")
	os.WriteFile(caFile, trusted, 0o644)
	principals := filepath.Join(dir, "%u.principals")
	e := startServer(t, "", "TrustedUserCAKeys "+caFile+"\nAuthorizedPrincipalsFile "+principals)
	os.WriteFile(filepath.Join(dir, e.user+".principals"), []byte(strings.Join([]string{
		"# admins",
		"ops-team",
		`command="echo forced",no-pty  db-admins   # with options`,
		`from="192.0.2.0/24" remote-only`,
		`bad-option=1 broken-line`,
		"",
	}, "\n")), 0o644)

	for caName, ca := range cas {
		for _, key := range []gossh.Signer{newSigner(t), newPQSigner(t, pqsig.MLDSA44Ed25519)} {
			name := caName + " CA, " + key.PublicKey().Type() + " key"
			t.Run(name, func(t *testing.T) {
				c, err := e.dial(e.user, certFor(t, ca, key, []string{"someone", "ops-team"}, time.Hour, nil))
				if err != nil {
					t.Fatalf("listed principal refused: %v", err)
				}
				if out, err := run(t, c, "echo plain"); err != nil || out != "plain\n" {
					t.Errorf("session: %q %v", out, err)
				}
				c.Close()

				c, err = e.dial(e.user, certFor(t, ca, key, []string{"db-admins"}, time.Hour, nil))
				if err != nil {
					t.Fatalf("principal with options refused: %v", err)
				}
				if out, err := run(t, c, "echo plain"); err != nil || out != "forced\n" {
					t.Errorf("command= of the principals line not applied: %q %v", out, err)
				}
				c.Close()

				for _, refused := range [][]string{
					{e.user},        // the user name is not enough any more
					{"remote-only"}, // from= does not allow 127.0.0.1
					{"broken-line"}, // the line's options do not parse
					{"admins"},      // only in a comment
					{"OPS-TEAM"},    // principals are compared exactly
				} {
					if c, err := e.dial(e.user, certFor(t, ca, key, refused, time.Hour, nil)); err == nil {
						c.Close()
						t.Errorf("certificate with principals %v accepted", refused)
					}
				}
			})
		}
	}
	e.logs.waitLog(t, "sigalg="+pqsig.MLDSA44Ed25519)

	// Without a principals file for the user nothing is accepted; with
	// "none" the user name is the principal again.
	other := newSigner(t)
	os.Remove(filepath.Join(dir, e.user+".principals"))
	if c, err := e.dial(e.user, certFor(t, cas["ed25519"], other, []string{e.user, "ops-team"}, time.Hour, nil)); err == nil {
		c.Close()
		t.Error("certificate accepted without a principals file")
	}
	base := "HostKey " + e.dir + "/hostkey_ed25519\nPerSourcePenalties no\nTrustedUserCAKeys " + caFile + "\n"
	if err := e.srv.Reload(mustConfig(t, base+"AuthorizedPrincipalsFile none\n")); err != nil {
		t.Fatal(err)
	}
	c, err := e.dial(e.user, certFor(t, cas["mldsa44-ed25519"], other, []string{e.user}, time.Hour, nil))
	if err != nil {
		t.Fatalf("AuthorizedPrincipalsFile none: user-name principal refused: %v", err)
	}
	c.Close()

	// A relative path is taken from the home directory, with %u/%h/%U/%%.
	a, err := lookupAccount(e.user)
	if err != nil {
		t.Fatal(err)
	}
	for pat, want := range map[string]string{
		".ssh/principals_%u": a.Home + "/.ssh/principals_" + e.user,
		"%h/p%%":             a.Home + "/p%",
		"/etc/p/%U":          "/etc/p/" + itoa(a.UID),
	} {
		got, err := authkeys.ExpandPath(pat, a.Name, a.Home, a.UID)
		if err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", pat, got, err, want)
		}
	}
}

// TestMatchPrincipals: the line syntax of authorized principals
// (OpenSSH's auth_check_principals_line).
func TestMatchPrincipals(t *testing.T) {
	cert := &gossh.Certificate{ValidPrincipals: []string{"alice", "web"}}
	for _, tc := range []struct {
		data, want string
		command    string
	}{
		{"bob\nweb\n", "web", ""},
		{"  alice  \n", "alice", ""},
		{"#alice\nweb#x\n", "web", ""},
		{"restrict,command=\"ab\"\talice\n", "alice", "ab"},
		{"command=\"a b\"\talice\n", "", ""}, // sshd splits at the last space before a tab
		{"command=\"a b\" alice\n", "alice", "a b"},
		{"command=\"x\" restrict web\n", "web", "x"}, // options end at the first blank, as in sshd
		{"unknown-opt alice\nweb\n", "web", ""},
		{"bob\n", "", ""},
	} {
		got, opts, ok := matchPrincipals([]byte(tc.data), cert)
		if got != tc.want || ok != (tc.want != "") || opts.Command != tc.command {
			t.Errorf("%q: %q %v command %q, want %q command %q", tc.data, got, ok, opts.Command, tc.want, tc.command)
		}
	}
}

// TestPrincipalsCommandNotRunForForgedCertificate: a certificate that names
// a TrustedUserCAKeys key as its signer but was not signed by it (anyone
// can write the CA's public key into a certificate) is refused before
// AuthorizedPrincipalsFile or AuthorizedPrincipalsCommand is consulted, so
// a stranger cannot have the administrator's program run with a key ID or
// serial of their choosing (OpenSSH verifies the CA signature when it
// parses the certificate).
func TestPrincipalsCommandNotRunForForgedCertificate(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o777)
	ca := newSigner(t)
	caFile := filepath.Join(dir, "ca.pub")
	os.WriteFile(caFile, gossh.MarshalAuthorizedKey(ca.PublicKey()), 0o644)
	touch := "/usr/bin/touch"
	if fi, err := os.Stat(touch); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("%s: %v", touch, err)
	}
	e := startServer(t, "", "")
	base := "HostKey " + e.dir + "/hostkey_ed25519\nPerSourcePenalties no\nTrustedUserCAKeys " + caFile + "\n" +
		"AuthorizedPrincipalsCommand " + touch + " " + dir + "/ran-%s\nAuthorizedPrincipalsCommandUser root\n"
	if err := e.srv.Reload(mustConfig(t, base)); err != nil {
		t.Fatal(err)
	}

	// The genuine certificate runs the command (it prints nothing, so
	// the login is refused).
	key := newSigner(t)
	if c, err := e.dial(e.user, certFor(t, ca, key, []string{"team"}, time.Hour, nil)); err == nil {
		c.Close()
		t.Fatal("certificate accepted without a principal")
	}
	if _, err := os.Stat(filepath.Join(dir, "ran-42")); err != nil {
		t.Fatalf("AuthorizedPrincipalsCommand not run for a genuine certificate: %v", err)
	}

	// A forgery: signed by another key, SignatureKey set to the CA's.
	cert := &gossh.Certificate{
		Key: key.PublicKey(), CertType: gossh.UserCert, KeyId: "--forged", Serial: 7,
		ValidPrincipals: []string{"team"},
		ValidAfter:      uint64(time.Now().Add(-time.Minute).Unix()),
		ValidBefore:     uint64(time.Now().Add(time.Hour).Unix()),
	}
	if err := cert.SignCert(rand.Reader, newSigner(t)); err != nil {
		t.Fatal(err)
	}
	cert.SignatureKey = ca.PublicKey()
	forged, err := gossh.NewCertSigner(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := e.dial(e.user, forged); err == nil {
		c.Close()
		t.Fatal("forged certificate accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, "ran-7")); err == nil {
		t.Error("AuthorizedPrincipalsCommand run with a forged certificate's serial before its CA signature was checked")
	}
}
