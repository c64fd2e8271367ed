package mceliece

import (
	"encoding/binary"
	"testing"
)

// TestDecodeKernels compares maskVals and roots (AVX2 where the CPU has
// it) with the generic loops, on the combine kernels' inputs (random, all
// zero, all one, single bits) and on random, all-zero and all-one words.
func TestDecodeKernels(t *testing.T) {
	r := drbg(73)
	var xr, x0, x1 [q / 64]uint64
	var b [8]byte
	for w := range xr {
		r.Read(b[:])
		xr[w] = binary.LittleEndian.Uint64(b[:])
		x1[w] = ^uint64(0)
	}
	words := map[string]*[q / 64]uint64{"random": &xr, "zero": &x0, "ones": &x1}
	for vn, v := range combineInputs() {
		for wn, x := range words {
			var c1, c2 fftVals
			maskVals(&c1, v, x)
			maskValsGeneric(&c2, v, x)
			if c1 != c2 {
				t.Errorf("values %s, words %s: maskVals differs from the generic loop", vn, wn)
			}
		}
		var y1, y2 [q / 64]uint64
		roots(&y1, v)
		rootsGeneric(&y2, v)
		if y1 != y2 {
			t.Errorf("values %s: roots differs from the generic loop", vn)
		}
	}
}
