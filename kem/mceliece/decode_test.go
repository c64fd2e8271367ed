package mceliece

import "testing"

// TestDecodeKernels compares maskVals and roots (AVX2 where the CPU has
// it) with the generic loops, on the combine kernels' inputs (random, all
// zero, all one, single bits) and on random, all-zero and all-one words.
func TestDecodeKernels(t *testing.T) {
	r := drbg(73)
	xr, x0, x1 := randomWords(r), [q / 64]uint64{}, onesWords()
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
