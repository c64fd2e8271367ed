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

// TestOpenSSH106Certificates: user certificates made by ssh-keygen -s of
// OpenSSH 10.6 with ML-DSA and Ed25519 CAs and keys parse, carry the
// recorded fields, verify against their CA and fail against the other.
func TestOpenSSH106Certificates(t *testing.T) {
	ca := map[string]ssh.PublicKey{}
	for _, n := range []string{"mldsa", "ed25519"} {
		k, _, _, _, err := ssh.ParseAuthorizedKey(readVector(t, "openssh-10.6/certs/ca_"+n+".pub"))
		if err != nil {
			t.Fatalf("CA %s: %v", n, err)
		}
		ca[n] = k
	}
	for _, tc := range []struct{ file, certType, keyType, ca, other string }{
		{"mldsa-by-mldsa", pqsig.MLDSA44Ed25519Cert, pqsig.MLDSA44Ed25519, "mldsa", "ed25519"},
		{"mldsa-by-ed25519", pqsig.MLDSA44Ed25519Cert, pqsig.MLDSA44Ed25519, "ed25519", "mldsa"},
		{"ed25519-by-mldsa", ssh.CertAlgoED25519v01, ssh.KeyAlgoED25519, "mldsa", "ed25519"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			pub, _, _, _, err := ssh.ParseAuthorizedKey(readVector(t, "openssh-10.6/certs/"+tc.file+"-cert.pub"))
			if err != nil {
				t.Fatal(err)
			}
			cert, ok := pub.(*ssh.Certificate)
			if !ok {
				t.Fatalf("%T, not a certificate", pub)
			}
			if cert.Type() != tc.certType || cert.Key.Type() != tc.keyType || cert.KeyId != "vector" || cert.Serial != 7 ||
				len(cert.ValidPrincipals) != 1 || cert.ValidPrincipals[0] != "pqssh" || cert.CertType != ssh.UserCert {
				t.Fatalf("certificate %s of %s, id %q, serial %d, principals %v", cert.Type(), cert.Key.Type(), cert.KeyId, cert.Serial, cert.ValidPrincipals)
			}
			if !bytes.Equal(cert.Marshal(), pub.Marshal()) {
				t.Fatal("certificate does not re-marshal to the same bytes")
			}
			// CheckCert verifies the CA's signature with cert.SignatureKey
			// (validity, principal); which CA is trusted is the caller's test.
			if !bytes.Equal(cert.SignatureKey.Marshal(), ca[tc.ca].Marshal()) || bytes.Equal(cert.SignatureKey.Marshal(), ca[tc.other].Marshal()) {
				t.Fatalf("signed by %s, want the %s CA", cert.SignatureKey.Type(), tc.ca)
			}
			checker := &ssh.CertChecker{}
			if err := checker.CheckCert("pqssh", cert); err != nil {
				t.Errorf("CheckCert: %v", err)
			}
			if err := checker.CheckCert("root", cert); err == nil {
				t.Error("accepted for another principal")
			}
			// A flipped bit in the CA's signature.
			bad := *cert
			sig := *cert.Signature
			sig.Blob = bytes.Clone(sig.Blob)
			sig.Blob[len(sig.Blob)/2] ^= 1
			bad.Signature = &sig
			if err := checker.CheckCert("pqssh", &bad); err == nil {
				t.Error("accepted a certificate with a damaged signature")
			}
		})
	}
	// The ML-DSA certificate's key is the recorded ML-DSA user key.
	key, _, _, _, _ := ssh.ParseAuthorizedKey(readVector(t, "openssh-10.6/id_mldsa44_ed25519.pub"))
	pub, _, _, _, _ := ssh.ParseAuthorizedKey(readVector(t, "openssh-10.6/certs/mldsa-by-mldsa-cert.pub"))
	if !bytes.Equal(pub.(*ssh.Certificate).Key.Marshal(), key.Marshal()) {
		t.Error("certified key differs from id_mldsa44_ed25519.pub")
	}
}
