package mceliece

import "testing"

// TestBerlekampMasseyKernel compares berlekampMassey (the AVX2 kernel
// where the CPU has it) with the generic steps on random syndromes and on
// extreme ones: all zero, all 2^13-1, a single nonzero syndrome first or
// last, and syndromes alternating zero and nonzero.
func TestBerlekampMasseyKernel(t *testing.T) {
	cases := make(map[string]*[2 * T]gf)
	r := drbg(57)
	for it := 0; it < 6; it++ {
		var s [2 * T]gf
		copy(s[:], randomGF(r, 2*T))
		cases["random"+string(rune('0'+it))] = &s
	}
	var zero, ones, first, last, alt [2 * T]gf
	for i := range ones {
		ones[i] = gfMask
		if i%2 == 1 {
			alt[i] = gf(i) | 1
		}
	}
	first[0] = 1
	last[2*T-1] = 0x1ABC
	cases["zero"], cases["ones"], cases["first"], cases["last"], cases["alternating"] = &zero, &ones, &first, &last, &alt
	for name, s := range cases {
		if got, want := berlekampMassey(s), berlekampMasseyGeneric(s); got != want {
			t.Errorf("%s: berlekampMassey differs from the generic steps", name)
		}
	}
}
