package sshkey

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"testing"

	"github.com/pqssh/pqssh/pqsig"
)

// FuzzParse feeds arbitrary files to the private key, import and
// known_hosts parsers: errors, never panics. (No passphrase: the fuzzer
// must not spend its time in bcrypt_pbkdf.)
func FuzzParse(f *testing.F) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	fe, _ := FromKey(ed, "c")
	b, _ := fe.Marshal(nil, 0)
	f.Add(b)
	s, _ := pqsig.Lookup(pqsig.MLDSA44Ed25519)
	k, _ := s.GenerateKey(nil)
	fk, _ := FromKey(k, "c")
	b, _ = fk.Marshal(nil, 0)
	f.Add(b)
	b, _ = fk.Marshal([]byte("p"), 1)
	f.Add(b)
	if rec, err := os.ReadFile("testdata/ed25519_openssh92_encrypted"); err == nil {
		f.Add(rec)
	}
	f.Add([]byte(ExportRFC4716(fk.PublicKey, "x")))
	f.Add([]byte("|1|8O9G4Q0PHXLp9V7vmDasn/bk1JA=|1mRnjXkxyL4U+hQDBYX6Ksql8II= ssh-ed25519 AAAA\n@revoked a,b x y\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if fl, err := Parse(data, nil); err == nil {
			fl.Destroy()
		}
		_, _ = ParsePublic(data)
		_, _, _ = Import(data)
		for _, k := range ParseKnownHosts(string(data)) {
			k.Matches("host.example")
		}
	})
}
