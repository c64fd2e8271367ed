package mceliece

import (
	"encoding/binary"
	"testing"
)

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
	var xr, x0, x1 [q / 64]uint64
	var b [8]byte
	for w := range xr {
		r.Read(b[:])
		xr[w] = binary.LittleEndian.Uint64(b[:])
		x1[w] = ^uint64(0)
	}
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
