package pqsig

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestSizes(t *testing.T) {
	// Sizes from ssh-mldsa-eddsa.c (OpenSSH 10.6) and draft-sfluhrer-ssh-mldsa-08 section 3.
	want := map[string][3]int{
		MLDSA44Ed25519: {1344, 2484, 64},
		MLDSA44:        {1312, 2420, 32},
		MLDSA65:        {1952, 3309, 32},
		MLDSA87:        {2592, 4627, 32},
	}
	for name, w := range want {
		s, ok := Lookup(name)
		if !ok {
			t.Fatalf("%s not in the table", name)
		}
		if got := [3]int{s.PublicKeySize, s.SignatureSize, s.PrivateKeySize}; got != w {
			t.Errorf("%s: sizes %v, want %v", name, got, w)
		}
	}
	if len(Names()) != len(want) {
		t.Errorf("Names() = %v", Names())
	}
}

func TestSignVerifyEveryScheme(t *testing.T) {
	for _, name := range DefaultOrder {
		s, _ := Lookup(name)
		t.Run(name, func(t *testing.T) {
			k, err := s.GenerateKey(nil)
			if err != nil {
				t.Fatal(err)
			}
			data := []byte("exchange hash")
			sig, err := k.Sign(nil, data)
			if err != nil {
				t.Fatal(err)
			}
			if len(sig.Blob) != s.SignatureSize || sig.Format != name {
				t.Fatalf("signature %s of %d bytes", sig.Format, len(sig.Blob))
			}
			// Through x/crypto: the blob parses back to the same key.
			pub, err := ssh.ParsePublicKey(k.PublicKey().Marshal())
			if err != nil {
				t.Fatal(err)
			}
			if err := pub.Verify(data, sig); err != nil {
				t.Fatalf("verify: %v", err)
			}
			if err := pub.Verify([]byte("other"), sig); !errors.Is(err, ErrBadSignature) {
				t.Errorf("other data: %v", err)
			}
			bad := *sig
			bad.Blob = bytes.Clone(sig.Blob)
			bad.Blob[len(bad.Blob)-1] ^= 1 // the Ed25519 half of the composite, ML-DSA's hint bytes otherwise
			if err := pub.Verify(data, &bad); !errors.Is(err, ErrBadSignature) {
				t.Errorf("flipped last byte: %v", err)
			}
			bad.Blob = bytes.Clone(sig.Blob)
			bad.Blob[0] ^= 1
			if err := pub.Verify(data, &bad); !errors.Is(err, ErrBadSignature) {
				t.Errorf("flipped first byte: %v", err)
			}
			bad.Blob = sig.Blob[1:]
			if err := pub.Verify(data, &bad); !errors.Is(err, ErrKeyLength) {
				t.Errorf("short signature: %v", err)
			}
			other := "ssh-ed25519"
			if name != MLDSA44 {
				other = MLDSA44
			}
			if err := pub.Verify(data, &ssh.Signature{Format: other, Blob: sig.Blob}); !errors.Is(err, ErrAlgorithmMismatch) {
				t.Errorf("other algorithm name: %v", err)
			}

			// Signature blobs.
			raw, err := s.ParseSignatureBlob(ssh.Marshal(sig))
			if err != nil || !bytes.Equal(raw, sig.Blob) {
				t.Fatalf("ParseSignatureBlob: %v", err)
			}
			if _, err := s.ParseSignatureBlob(s.MarshalSignature(sig.Blob[:10])); !errors.Is(err, ErrKeyLength) {
				t.Errorf("short signature blob: %v", err)
			}
			if _, err := s.ParseSignatureBlob(append(s.MarshalSignature(sig.Blob), 0)); !errors.Is(err, ErrMalformed) {
				t.Errorf("trailing byte: %v", err)
			}

			// The OpenSSH private key file round trip.
			pemBytes, err := k.MarshalOpenSSH("test")
			if err != nil {
				t.Fatal(err)
			}
			signer, err := ssh.ParsePrivateKey(pemBytes)
			if err != nil {
				t.Fatalf("ParsePrivateKey: %v", err)
			}
			if !bytes.Equal(signer.PublicKey().Marshal(), k.PublicKey().Marshal()) {
				t.Fatal("reloaded key differs")
			}
			k.Destroy()
			if _, err := k.Sign(nil, data); err == nil {
				t.Error("a destroyed key signed")
			}
		})
	}
}

func TestWrongLengthKeys(t *testing.T) {
	for _, name := range DefaultOrder {
		s, _ := Lookup(name)
		for _, n := range []int{0, s.PublicKeySize - 1, s.PublicKeySize + 1} {
			blob := appendString(appendString(nil, []byte(name)), make([]byte, n))
			_, err := ssh.ParsePublicKey(blob)
			if err == nil || !strings.Contains(err.Error(), "wrong length") {
				t.Errorf("%s with a %d-byte key: %v", name, n, err)
			}
			if _, err := ParsePublicKeyBlob(blob); !errors.Is(err, ErrKeyLength) {
				t.Errorf("ParsePublicKeyBlob %s with a %d-byte key: %v", name, n, err)
			}
		}
		if _, err := s.NewPrivateKey(make([]byte, s.PrivateKeySize-1)); !errors.Is(err, ErrKeyLength) {
			t.Errorf("%s short secret: %v", name, err)
		}
	}
	if _, err := ParsePublicKeyBlob(appendString(nil, []byte("ssh-ed25519"))); !errors.Is(err, ErrAlgorithmMismatch) {
		t.Errorf("ssh-ed25519 blob: %v", err)
	}
}

// A key file whose public key is not the one its secret derives.
func TestPrivateKeyFileMismatch(t *testing.T) {
	s, _ := Lookup(MLDSA44Ed25519)
	a, _ := s.GenerateKey(nil)
	b, _ := s.GenerateKey(nil)
	fields := appendString(appendString(nil, b.pub.key), a.secret)
	if _, _, err := s.parsePrivateFields(fields); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("mismatched key file: %v", err)
	}
}

// FuzzParseBlobs feeds the public key, signature and private key parsers.
func FuzzParseBlobs(f *testing.F) {
	s, _ := Lookup(MLDSA44Ed25519)
	k, _ := s.GenerateKey(nil)
	sig, _ := k.Sign(nil, []byte("x"))
	f.Add(k.PublicKey().Marshal())
	f.Add(ssh.Marshal(sig))
	f.Add(appendString(appendString(nil, k.pub.key), k.secret))
	f.Add(appendString(nil, []byte(MLDSA87)))
	f.Fuzz(func(t *testing.T, b []byte) {
		if pk, err := ParsePublicKeyBlob(b); err == nil {
			if !bytes.Equal(pk.Marshal(), b) {
				t.Fatal("public key blob does not round-trip")
			}
			_ = pk.Verify([]byte("x"), sig)
		}
		if pk, err := ssh.ParsePublicKey(b); err == nil {
			_ = pk.Verify([]byte("x"), sig)
		}
		for _, name := range DefaultOrder {
			s, _ := Lookup(name)
			if raw, err := s.ParseSignatureBlob(b); err == nil && len(raw) != s.SignatureSize {
				t.Fatal("signature of the wrong size accepted")
			}
			if pk, _, err := s.parsePrivateFields(b); err == nil {
				pk.Destroy()
			}
		}
		_ = k.pub.VerifyRaw(b, b)
	})
}
