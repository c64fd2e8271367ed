package mctiny

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/salsa20/salsa"
)

// TestSalsaLanesMatchXCrypto checks salsaLanes (the AVX-512 lane kernel
// where the CPU has it, else lane by lane) against x/crypto's HSalsa20 and
// Salsa20 for every lane count, random and extreme keys, inputs and block
// counters, and that wipe erases everything.
func TestSalsaLanesMatchXCrypto(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	fill := func(b []byte, mode int) { // random, all ones, all zeros
		fillRandom(rng, b)
		for i := range b {
			b[i] &= []byte{0xff, 0, 0}[mode]
			b[i] |= []byte{0, 0xff, 0}[mode]
		}
	}
	var l salsaLanes
	for round := range 60 {
		n := 1 + round%8
		keys := make([][32]byte, n)
		ins := make([][16]byte, n)
		for i := range n {
			fill(keys[i][:], (round+i)%3)
			fill(ins[i][:], (round+2*i)%3)
			l.set(i, &keys[i], ins[i][:])
		}
		l.hsalsa(n)
		for i := range n {
			var want [32]byte
			salsa.HSalsa20(&want, &ins[i], &keys[i], &salsa.Sigma)
			if *l.subkey(i) != want {
				t.Fatalf("round %d lane %d of %d: HSalsa20 differs", round, i, n)
			}
		}
		for i := range n {
			ctr := rng.Uint64N(1 << 33)
			if i == 0 {
				ctr = 1<<32 - 1
			}
			l.setBlock(i, &keys[i], ins[i][:8], ctr)
		}
		l.blocks(n)
		for i := range n {
			want := make([]byte, 64)
			c := l.in[i]
			salsa.XORKeyStream(want, want, &c, &keys[i])
			if !bytes.Equal(l.lane(i), want) {
				t.Fatalf("round %d lane %d of %d: key-stream block differs", round, i, n)
			}
		}
		if !bytes.Equal(l.lanes(0, n), bytes.Join(func() [][]byte {
			var v [][]byte
			for i := range n {
				v = append(v, l.lane(i))
			}
			return v
		}(), nil)) {
			t.Fatal("lanes is not the lanes in order")
		}
	}
	l.wipe()
	if l != (salsaLanes{}) {
		t.Fatal("wipe left data")
	}
}

// TestSealWithStream: a box sealed from its key stream is the box seal
// makes.
func TestSealWithStream(t *testing.T) {
	var k [KeySize]byte
	var n [NonceSize]byte
	for l := range 200 {
		k[0], n[0] = byte(l), byte(l)
		msg := bytes.Repeat([]byte{byte(l)}, l)
		ks := make([]byte, 32+l)
		xsalsaXOR(ks, &n, &k)
		got := sealWithStream([]byte{1}, msg, ks)
		if want := seal(nil, msg, &n, &k); got[0] != 1 || !bytes.Equal(got[1:], want) {
			t.Fatalf("len %d: sealWithStream differs from seal", l)
		}
	}
}
