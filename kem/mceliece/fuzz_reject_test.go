package mceliece

import (
	"bytes"
	"testing"
)

// FuzzDecapsulateRejection: a ciphertext that differs from an honest one
// in any way decapsulates, without error, to a key other than the honest
// session key (implicit rejection, Classic McEliece round-4 specification section 2.4.6, non-pc:
// the key hashes the ciphertext, and a failed decoding hashes s instead of
// e). The fuzzer's bytes are XORed into the honest ciphertext at an offset,
// so every case has the right length.
func FuzzDecapsulateRejection(f *testing.F) {
	pk, sk := testKey(f)
	ct, ss, err := Scheme().EncapsulateDeterministically(pk, make([]byte, 32))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(0), []byte{})
	f.Add(uint8(0), []byte{1})
	f.Add(uint8(CiphertextSize-1), []byte{0x80})
	f.Add(uint8(100), bytes.Repeat([]byte{0xff}, 50))
	f.Fuzz(func(t *testing.T, offset uint8, diff []byte) {
		c := bytes.Clone(ct)
		for i, d := range diff {
			c[(int(offset)+i)%CiphertextSize] ^= d
		}
		k, err := Scheme().Decapsulate(sk, c)
		if err != nil || len(k) != SharedKeySize {
			t.Fatalf("Decapsulate: %d bytes, %v", len(k), err)
		}
		if bytes.Equal(c, ct) != bytes.Equal(k, ss) {
			t.Fatalf("ciphertext equal to the honest one: %v; key equal: %v", bytes.Equal(c, ct), bytes.Equal(k, ss))
		}
	})
}
