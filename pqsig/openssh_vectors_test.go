package pqsig_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshsig"
	"github.com/pqssh/pqssh/pqsig"
)

// The vectors of testvectors/pqsig, recorded by its record.sh against
// Debian forky's OpenSSH 10.6p1.
const vectorDir = "../testvectors/pqsig"

func readVector(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpenSSH106Vectors: a key and a signature made by OpenSSH 10.6's
// ssh-keygen load and verify here (the key file's public key equals the
// one our expansion of its seeds gives, or it would not load); a key and a
// signature made by pqssh, which ssh-keygen 10.6 read and verified when
// they were recorded, verify here too.
func TestOpenSSH106Vectors(t *testing.T) {
	msg := readVector(t, "message.txt")
	for _, dir := range []string{"openssh-10.6", "pqssh"} {
		t.Run(dir, func(t *testing.T) {
			signer, err := ssh.ParsePrivateKey(readVector(t, dir+"/id_mldsa44_ed25519"))
			if err != nil {
				t.Fatalf("private key: %v", err)
			}
			pub, _, _, _, err := ssh.ParseAuthorizedKey(readVector(t, dir+"/id_mldsa44_ed25519.pub"))
			if err != nil {
				t.Fatalf("public key: %v", err)
			}
			if pub.Type() != pqsig.MLDSA44Ed25519 || !bytes.Equal(pub.Marshal(), signer.PublicKey().Marshal()) {
				t.Fatalf("public key %s differs from the private key's", pub.Type())
			}
			sig := readVector(t, dir+"/message.txt.sig")
			signedBy, err := sshsig.Verify(sig, "file", msg)
			if err != nil {
				t.Fatalf("signature: %v", err)
			}
			if !bytes.Equal(signedBy.Marshal(), pub.Marshal()) {
				t.Fatal("signed by another key")
			}
			if _, err := sshsig.Verify(sig, "file", append(bytes.Clone(msg), '!')); err == nil {
				t.Fatal("a signature of another message verified")
			}
			if _, err := sshsig.Verify(sig, "git", msg); err == nil {
				t.Fatal("a signature in another namespace verified")
			}
		})
	}
	verified := string(readVector(t, "pqssh/verify.txt"))
	if !strings.Contains(verified, "OpenSSH_10.6p1") || !strings.Contains(verified, `Good "file" signature for pqssh with MLDSA44-ED25519 key`) {
		t.Errorf("pqssh/verify.txt does not record OpenSSH 10.6 accepting the signature:\n%s", verified)
	}
}
