package mceliece

import (
	"encoding/binary"
	"testing"
)

// combineInputs are value arrays for the combine-level kernels: random
// ones, all zero, all one, and a single set bit in the first and last
// lanes (catching a lane or plane moved to the wrong place).
func combineInputs() map[string]*fftVals {
	in := make(map[string]*fftVals)
	r := drbg(61)
	for it := 0; it < 6; it++ {
		v := new(fftVals)
		var b [8]byte
		for g := range v {
			for k := range v[g] {
				for l := range v[g][k] {
					r.Read(b[:])
					v[g][k][l] = binary.LittleEndian.Uint64(b[:])
				}
			}
		}
		in["random"+string(rune('0'+it))] = v
	}
	zero, ones, first, last := new(fftVals), new(fftVals), new(fftVals), new(fftVals)
	for g := range ones {
		for k := range ones[g] {
			ones[g][k] = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		}
	}
	first[0][0][0] = 1
	last[len(last)-1][M-1][3] = 1 << 63
	in["zero"], in["ones"], in["first"], in["last"] = zero, ones, first, last
	return in
}

// TestFFTCombineKernels compares every combine level, forward and
// transposed, of the dispatching form (AVX2 where the CPU has it) with the
// generic form.
func TestFFTCombineKernels(t *testing.T) {
	for name, v := range combineInputs() {
		for m := fftBottom + 1; m <= fftTop; m++ {
			a, b := *v, *v
			fftCombine(&a, m)
			fftCombineGeneric(&b, m)
			if a != b {
				t.Errorf("%s, level %d: fftCombine differs from the generic form", name, m)
			}
			if name != "zero" && a == *v {
				t.Errorf("%s, level %d: fftCombine changed nothing", name, m)
			}
			a, b = *v, *v
			fftCombineTr(&a, m)
			fftCombineTrGeneric(&b, m)
			if a != b {
				t.Errorf("%s, level %d: fftCombineTr differs from the generic form", name, m)
			}
		}
	}
}
