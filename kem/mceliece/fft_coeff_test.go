package mceliece

import "testing"

// coeffInputs are coefficient arrays for the coefficient-step kernels:
// random, all zero, all 2^13-1, and single nonzero coefficients at the
// ends and at a vector boundary.
func coeffInputs() map[string]*[fftCoeffs]gf {
	in := make(map[string]*[fftCoeffs]gf)
	r := drbg(81)
	for it := 0; it < 6; it++ {
		var f [fftCoeffs]gf
		copy(f[:], randomGF(r, fftCoeffs))
		in["random"+string(rune('0'+it))] = &f
	}
	var zero, ones, first, last, edge [fftCoeffs]gf
	for i := range ones {
		ones[i] = gfMask
	}
	first[0] = 1
	last[fftCoeffs-1] = 1 << (M - 1)
	edge[15], edge[16] = 0x1234&gfMask, 0x0FED
	in["zero"], in["ones"], in["first"], in["last"], in["edge"] = &zero, &ones, &first, &last, &edge
	return in
}

// TestFFTCoeffKernels compares every coefficient level, forward and
// transposed, of the dispatching form (AVX2 where the CPU has it) with the
// generic form.
func TestFFTCoeffKernels(t *testing.T) {
	for name, f := range coeffInputs() {
		for m := fftBottom + 1; m <= fftTop; m++ {
			var n1, n2 [fftCoeffs]gf
			c1, c2 := *f, *f
			fftCoeffLevel(&n1, &c1, m)
			fftCoeffLevelGeneric(&n2, &c2, m)
			if n1 != n2 {
				t.Errorf("%s, level %d: fftCoeffLevel differs from the generic form", name, m)
			}
			c1, c2 = *f, *f
			fftCoeffLevelTr(&n1, &c1, m)
			fftCoeffLevelTrGeneric(&n2, &c2, m)
			if n1 != n2 {
				t.Errorf("%s, level %d: fftCoeffLevelTr differs from the generic form", name, m)
			}
		}
	}
}

// TestFFTBottomKernel compares fftBottom6 (AVX2 where the CPU has it) with
// the generic form on the coefficient inputs.
func TestFFTBottomKernel(t *testing.T) {
	for name, f := range coeffInputs() {
		var a, b fftVals
		fftBottom6(&a, f)
		fftBottom6Generic(&b, f)
		if a != b {
			t.Errorf("%s: fftBottom6 differs from the generic form", name)
		}
	}
}
