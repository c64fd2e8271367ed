package mceliece

import (
	"bytes"
	"testing"
)

// FuzzDecapsulate: arbitrary bytes never panic; only CiphertextSize bytes
// are accepted, and then decapsulation is deterministic.
func FuzzDecapsulate(f *testing.F) {
	pk, sk := testKey(f)
	ct, _, _ := Scheme().Encapsulate(pk)
	f.Add(ct)
	f.Add(make([]byte, CiphertextSize))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, c []byte) {
		k, err := Scheme().Decapsulate(sk, c)
		if len(c) != CiphertextSize {
			if err == nil {
				t.Fatalf("accepted a %d-byte ciphertext", len(c))
			}
			return
		}
		if err != nil || len(k) != SharedKeySize {
			t.Fatalf("Decapsulate: %v", err)
		}
		k2, _ := Scheme().Decapsulate(sk, c)
		if !bytes.Equal(k, k2) {
			t.Fatal("decapsulation is not deterministic")
		}
	})
}

// FuzzUnmarshalPublicKey: arbitrary bytes never panic; only PublicKeySize
// bytes parse, and a parsed key encapsulates and re-marshals to its input.
func FuzzUnmarshalPublicKey(f *testing.F) {
	f.Add([]byte{})
	f.Add(make([]byte, 100))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Stretch short inputs to full size half of the time, so that the
		// fuzzer reaches valid lengths.
		if len(b) > 0 && b[0]&1 == 1 {
			full := make([]byte, PublicKeySize)
			copy(full, b)
			b = full
		}
		pk, err := Scheme().UnmarshalBinaryPublicKey(b)
		if len(b) != PublicKeySize {
			if err == nil {
				t.Fatalf("accepted a %d-byte public key", len(b))
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if out, _ := pk.MarshalBinary(); !bytes.Equal(out, b) {
			t.Fatal("MarshalBinary differs from the input")
		}
		if _, _, err := Scheme().Encapsulate(pk); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzUnmarshalPrivateKey: arbitrary bytes never panic; only PrivateKeySize
// bytes parse, and any parsed key decapsulates (to some key) without error.
func FuzzUnmarshalPrivateKey(f *testing.F) {
	_, sk := testKey(f)
	skb, _ := sk.MarshalBinary()
	f.Add(skb)
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 0 && b[0]&1 == 1 {
			full := make([]byte, PrivateKeySize)
			copy(full, b)
			b = full
		}
		k, err := Scheme().UnmarshalBinaryPrivateKey(b)
		if len(b) != PrivateKeySize {
			if err == nil {
				t.Fatalf("accepted a %d-byte private key", len(b))
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		ss, err := Scheme().Decapsulate(k, make([]byte, CiphertextSize))
		if err != nil || len(ss) != SharedKeySize {
			t.Fatalf("Decapsulate with a parsed key: %v", err)
		}
	})
}
