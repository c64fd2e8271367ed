package sshconf_test

import (
	"strings"
	"testing"

	clientconfig "github.com/pqssh/pqssh/client/config"
	serverconfig "github.com/pqssh/pqssh/server/config"
)

// TestSameGrammarBothSides: ssh_config and sshd_config accept and refuse
// the same algorithm-list arguments (one grammar, OpenSSH 10's).
func TestSameGrammarBothSides(t *testing.T) {
	for _, tc := range []struct {
		line string
		ok   bool
	}{
		{"Ciphers aes256-gcm@openssh.com,aes128-ctr", true},
		{"Ciphers aes*", false},
		{"Ciphers +aes*", false},
		{"Ciphers -aes*", true},
		{"Ciphers ^aes128-ctr", true},
		{"Ciphers AES128-CTR", false},
		{"Ciphers aes128-ctr,,aes256-ctr", false},
		{"Ciphers -*", false},
		{"MACs -*-etm@openssh.com,!hmac-sha2-256-etm@openssh.com", true},
		{"KexAlgorithms +curve25519-sha256@libssh.org", true},
		{"KexAlgorithms curve25519*", false},
		{"KexAlgorithms made-up-kex", false},
		{"HostKeyAlgorithms ssh-ed25519*", true},
		{"HostKeyAlgorithms ^rsa-sha2-*", true},
		{"HostKeyAlgorithms nothing-like-this*", false},
		{"HostKeyAlgorithms !ssh-rsa", false},
		{"PubkeyAcceptedAlgorithms +ssh-rsa", true},
		{"PubkeyAcceptedKeyTypes -ssh-rsa*", true},
	} {
		o := clientconfig.NewOptions(clientconfig.Context{Host: "h", LocalUser: "u", Home: "/home/u"})
		cerr := o.Parse(strings.NewReader(tc.line+"\n"), "ssh_config", true)
		_, serr := serverconfig.Parse("/etc/pqssh/sshd_config", []byte(tc.line+"\n"))
		if (cerr == nil) != tc.ok || (serr == nil) != tc.ok {
			t.Errorf("%q: ssh_config error %v, sshd_config error %v; want accepted=%v on both", tc.line, cerr, serr, tc.ok)
		}
	}
}
