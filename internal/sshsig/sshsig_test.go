package sshsig

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"testing"

	"golang.org/x/crypto/ssh"
)

// TestRSAUsesSHA512 checks that RSA keys sign with rsa-sha2-512 (OpenSSH
// refuses SHA-1 RSA signatures in SSHSIG) and that an ssh-rsa signature is
// refused here too; PublicKey returns the signer's key unverified.
func TestRSAUsesSHA512(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := ssh.NewSignerFromKey(k)
	armored, err := Sign(rand.Reader, s, "file", []byte("m"))
	if err != nil {
		t.Fatal(err)
	}
	pub, fields, err := parse(armored)
	if err != nil || string(pub.Marshal()) != string(s.PublicKey().Marshal()) {
		t.Fatalf("parse: %v", err)
	}
	var sig ssh.Signature
	if err := ssh.Unmarshal(fields[4], &sig); err != nil || sig.Format != ssh.KeyAlgoRSASHA512 {
		t.Errorf("signature format %q, %v", sig.Format, err)
	}
	if _, err := Verify(armored, "file", []byte("m")); err != nil {
		t.Errorf("verify: %v", err)
	}
	if _, err := Verify(armored, "git", []byte("m")); err == nil {
		t.Error("another namespace verified")
	}
	if p, err := PublicKey(armored); err != nil || string(p.Marshal()) != string(pub.Marshal()) {
		t.Errorf("PublicKey: %v", err)
	}

	// The same signed data with an ssh-rsa (SHA-1) signature.
	as := s.(ssh.AlgorithmSigner)
	h := sha512Sum([]byte("m"))
	old, err := as.SignWithAlgorithm(rand.Reader, signedData("file", "sha512", h), ssh.KeyAlgoRSA)
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	b = append(b, magic...)
	b = append(b, 0, 0, 0, version)
	b = appendString(b, pub.Marshal())
	b = appendString(b, []byte("file"))
	b = appendString(b, nil)
	b = appendString(b, []byte("sha512"))
	b = appendString(b, ssh.Marshal(old))
	if _, err := Verify(pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: b}), "file", []byte("m")); err == nil {
		t.Error("an ssh-rsa (SHA-1) signature verified")
	}
}

func sha512Sum(m []byte) []byte {
	h, _ := newHash("sha512")
	h.Write(m)
	return h.Sum(nil)
}
