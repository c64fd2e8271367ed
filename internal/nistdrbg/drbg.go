// Package nistdrbg is the deterministic AES-256 CTR_DRBG (NIST SP 800-90A, no
// derivation function, no personalization string) that NIST's PQCgenKAT_kem.c
// uses to produce known-answer tests.
//
// It exists only to reproduce published known-answer tests. It is a
// deterministic generator seeded by the caller: never use it for keys.
package nistdrbg

import (
	"crypto/aes"
	"crypto/cipher"
)

// DRBG is an AES-256 CTR_DRBG in the exact configuration of PQCgenKAT_kem.c.
type DRBG struct {
	key [32]byte
	v   [16]byte
}

// New returns a DRBG initialised with 48 bytes of entropy: Key = 0, V = 0,
// then Update(entropy).
func New(entropy []byte) *DRBG {
	if len(entropy) != 48 {
		panic("nistdrbg: entropy must be 48 bytes")
	}
	d := new(DRBG)
	d.update(entropy)
	return d
}

func (d *DRBG) block() cipher.Block {
	b, err := aes.NewCipher(d.key[:])
	if err != nil {
		panic(err)
	}
	return b
}

func (d *DRBG) incV() {
	for i := 15; i >= 0; i-- {
		d.v[i]++
		if d.v[i] != 0 {
			return
		}
	}
}

// update is CTR_DRBG_Update: three AES blocks of V+1, V+2, V+3, XORed with
// the 48-byte provided data (if any), become the new Key and V.
func (d *DRBG) update(provided []byte) {
	b := d.block()
	var tmp [48]byte
	for i := 0; i < 3; i++ {
		d.incV()
		b.Encrypt(tmp[16*i:16*i+16], d.v[:])
	}
	for i := range provided {
		tmp[i] ^= provided[i]
	}
	copy(d.key[:], tmp[:32])
	copy(d.v[:], tmp[32:])
}

// Read fills p as one randombytes(p, len(p)) call of the reference: the
// output blocks AES(V+1), AES(V+2), …, truncated to len(p), followed by an
// Update with no data. The sizes of the calls therefore change the output,
// and Read never returns an error.
func (d *DRBG) Read(p []byte) (int, error) {
	b := d.block()
	var blk [16]byte
	n := 0
	for n < len(p) {
		d.incV()
		b.Encrypt(blk[:], d.v[:])
		n += copy(p[n:], blk[:])
	}
	d.update(nil)
	return len(p), nil
}
