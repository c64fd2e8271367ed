package mceliece

import (
	"encoding/binary"
	"io"
	"testing"
)

// randomWords is q/64 words read from r.
func randomWords(r io.Reader) (x [q / 64]uint64) {
	var b [8]byte
	for w := range x {
		r.Read(b[:])
		x[w] = binary.LittleEndian.Uint64(b[:])
	}
	return x
}

// onesWords is q/64 words of all ones.
func onesWords() (x [q / 64]uint64) {
	for w := range x {
		x[w] = ^uint64(0)
	}
	return x
}

// TestBenesKernels compares forward and inverse (AVX2 where the CPU has it)
// with the generic layers, for control bits that are random, all zero and
// all one, on random, all-zero and all-one vectors.
func TestBenesKernels(t *testing.T) {
	r := drbg(37)
	random := make([]byte, condBytes)
	r.Read(random)
	ones := make([]byte, condBytes)
	for i := range ones {
		ones[i] = 0xFF
	}
	xr, x0, x1 := randomWords(r), [q / 64]uint64{}, onesWords()
	for cn, cb := range map[string][]byte{"random": random, "zero": make([]byte, condBytes), "ones": ones} {
		bm := newBenesMasks(cb)
		for xn, x := range map[string]*[q / 64]uint64{"random": &xr, "zero": &x0, "ones": &x1} {
			a, g := *x, *x
			bm.forward(&a)
			bm.forwardGeneric(&g)
			if a != g {
				t.Errorf("control bits %s, vector %s: forward differs from the generic layers", cn, xn)
			}
			a, g = *x, *x
			bm.inverse(&a)
			bm.inverseGeneric(&g)
			if a != g {
				t.Errorf("control bits %s, vector %s: inverse differs from the generic layers", cn, xn)
			}
		}
	}
}
