package sntrup761

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cloudflare/circl/kem"
)

// fuzzKey is a fixed key pair for the fuzz targets.
func fuzzKey() (kem.PublicKey, kem.PrivateKey) {
	return Scheme().DeriveKeyPair(bytes.Repeat([]byte{0x42}, SeedSize))
}

// FuzzDecapsulate: arbitrary ciphertext bytes never panic; a wrong length is
// an error; the right length always yields 32 bytes, which equal the
// encapsulated secret exactly when the ciphertext is the honest one.
func FuzzDecapsulate(f *testing.F) {
	s := Scheme()
	pk, sk := fuzzKey()
	ct, ss, err := s.EncapsulateDeterministically(pk, make([]byte, EncapsulationSeedSize))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ct)
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, CiphertextSize))
	f.Fuzz(func(t *testing.T, c []byte) {
		got, err := s.Decapsulate(sk, c)
		if len(c) != CiphertextSize {
			if err == nil || !errors.Is(err, kem.ErrCiphertextSize) || got != nil {
				t.Fatalf("%d-byte ciphertext: ss %x, err %v", len(c), got, err)
			}
			return
		}
		if err != nil || len(got) != SharedKeySize {
			t.Fatalf("ss %x, err %v", got, err)
		}
		if bytes.Equal(c, ct) != bytes.Equal(got, ss) {
			t.Fatal("secret matches the honest one for a different ciphertext, or not for the honest one")
		}
	})
}

// FuzzUnmarshalPublicKey: arbitrary bytes never panic; the right length
// always parses, marshals back to the same bytes and accepts encapsulation.
func FuzzUnmarshalPublicKey(f *testing.F) {
	s := Scheme()
	pk, _ := fuzzKey()
	pkb, _ := pk.MarshalBinary()
	f.Add(pkb)
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, PublicKeySize))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := s.UnmarshalBinaryPublicKey(b)
		if len(b) != PublicKeySize {
			if !errors.Is(err, kem.ErrPubKeySize) {
				t.Fatalf("%d-byte key: err %v", len(b), err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		back, _ := k.MarshalBinary()
		if !bytes.Equal(back, b) {
			t.Fatal("MarshalBinary does not return the parsed bytes")
		}
		ct, ss, err := s.EncapsulateDeterministically(k, make([]byte, EncapsulationSeedSize))
		if err != nil || len(ct) != CiphertextSize || len(ss) != SharedKeySize {
			t.Fatalf("encapsulation: %d, %d, %v", len(ct), len(ss), err)
		}
	})
}
