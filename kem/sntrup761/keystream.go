package sntrup761

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
)

// keystream is the randomness of GenerateKeyPair and Encapsulate: the
// AES-256-CTR keystream under a fresh 32-byte key from crypto/rand (zero
// counter block; each key serves one operation, at most a few kilobytes).
// One operation needs 3044 to 6300 random bytes, which crypto/rand took
// longer to produce than the whole encapsulation's arithmetic; AES-CTR
// with AES-NI expands 32 of them in a fraction of that. Its output is
// indistinguishable from crypto/rand's as long as AES-256 is a
// pseudorandom permutation, the same kind of assumption the seed
// expansion of DeriveKeyPair makes of SHAKE256.
type keystream struct{ s cipher.Stream }

// newKeystream keys a keystream from crypto/rand.
func newKeystream() (keystream, error) {
	var key [32]byte
	defer clear(key[:])
	if _, err := rand.Read(key[:]); err != nil {
		return keystream{}, fmt.Errorf("sntrup761: reading randomness: %w", err)
	}
	return keystreamFrom(&key)
}

// keystreamFrom is the keystream under key.
func keystreamFrom(key *[32]byte) (keystream, error) {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return keystream{}, fmt.Errorf("sntrup761: keying AES-CTR: %w", err)
	}
	var iv [aes.BlockSize]byte
	return keystream{cipher.NewCTR(block, iv[:])}, nil
}

// Read fills b with the next len(b) keystream bytes; it never fails.
func (k keystream) Read(b []byte) (int, error) {
	clear(b)
	k.s.XORKeyStream(b, b)
	return len(b), nil
}
