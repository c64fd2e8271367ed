package mctiny

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/nacl/secretbox"
)

// TestBoxMatchesSecretbox checks seal, open, sealBox and openBox against
// x/crypto's nacl/secretbox on every message length up to past the largest
// packet, random keys and nonces, and rejects every single-bit change of a
// box, a truncated box and a box under another nonce.
func TestBoxMatchesSecretbox(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	fill := func(b []byte) { fillRandom(rng, b) }
	var k [KeySize]byte
	var n [NonceSize]byte
	scratch := make([]byte, boxScratch)
	for l := 0; l <= MaxPacketSize+40; l++ {
		fill(k[:])
		fill(n[:])
		msg := make([]byte, l)
		fill(msg)
		want := secretbox.Seal(nil, msg, &n, &k)
		if got := seal(nil, msg, &n, &k); !bytes.Equal(got, want) {
			t.Fatalf("len %d: seal differs from secretbox.Seal", l)
		}
		if l <= MaxPacketSize {
			if got := sealBox([]byte{7}, scratch, msg, &n, &k); !bytes.Equal(got[1:], want) || got[0] != 7 {
				t.Fatalf("len %d: sealBox differs from secretbox.Seal", l)
			}
			p, ok := openBox(scratch, want, &n, &k)
			if !ok || !bytes.Equal(p, msg) {
				t.Fatalf("len %d: openBox(%v) differs from the message", l, ok)
			}
		}
		p, ok := open([]byte{9}, want, &n, &k)
		if !ok || p[0] != 9 || !bytes.Equal(p[1:], msg) {
			t.Fatalf("len %d: open(%v) differs from the message", l, ok)
		}
		// Tampering: one bit of the tag, of the ciphertext, of the nonce.
		bad := bytes.Clone(want)
		bit := rng.IntN(8 * len(bad))
		bad[bit/8] ^= 1 << (bit % 8)
		if _, ok := open(nil, bad, &n, &k); ok {
			t.Fatalf("len %d: box with bit %d flipped opened", l, bit)
		}
		if l <= MaxPacketSize {
			if _, ok := openBox(scratch, bad, &n, &k); ok {
				t.Fatalf("len %d: openBox opened a box with bit %d flipped", l, bit)
			}
		}
		n2 := n
		n2[rng.IntN(NonceSize)] ^= 1 << rng.IntN(8)
		if _, ok := open(nil, want, &n2, &k); ok {
			t.Fatalf("len %d: box opened under another nonce", l)
		}
	}
	var k0 [KeySize]byte
	var n0 [NonceSize]byte
	for l := range TagSize {
		if _, ok := open(nil, make([]byte, l), &n0, &k0); ok {
			t.Fatalf("a %d-byte box opened", l)
		}
	}
}

// fillRandom fills b from rng (reproducible test inputs).
func fillRandom(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}
