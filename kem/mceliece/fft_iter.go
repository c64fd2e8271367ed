package mceliece

import "math/bits"

// Breadth-first forms of the additive FFT and its transpose: the
// coefficient steps (twist, radix conversion) of all subproblems of a level
// run together on one array of fftCoeffs coefficients, and the values are
// kept as vec4 groups (vec v is lane v%4 of group v/4), so that the
// products of the combine steps are 4-way (vecMul4) without repacking from
// dimension 9 up. The arithmetic is the recursive forms'.

// fftVals holds one field element per field element, vec v = lane v%4 of
// group v/4, lane x%64 of vec v/64 being the value at β_x.
type fftVals [q / 256]vec4

// getVec copies vec v out of a.
func (a *fftVals) getVec(v int, dst *vec) {
	g, l := v>>2, v&3
	for k := 0; k < M; k++ {
		dst[k] = a[g][k][l]
	}
}

// fftEval evaluates f (fftCoeffs coefficients) at all field elements:
// lane x of the output is f(β_x), β_x = bitrev13(x).
func fftEval(out *fftVals, f *[fftCoeffs]gf) {
	var a, b [fftCoeffs]gf
	copy(a[:], f[:])
	cur, nxt := &a, &b
	// Coefficient phase, top-down: subproblem s of level m occupies
	// cur[s*n:(s+1)*n]; its children 2s, 2s+1 go to nxt.
	for m := fftTop; m > fftBottom; m-- {
		fftCoeffLevel(nxt, cur, m)
		cur, nxt = nxt, cur
	}
	// Bottom: subproblem s has two coefficients, output vec s.
	fftBottom6(out, cur)
	// Combine phase, bottom-up: lo ← lo + α·hi, hi ← hi + lo.
	for m := fftBottom + 1; m <= fftTop; m++ {
		fftCombine(out, m)
	}
	clear(a[:])
	clear(b[:])
}

// fftTr computes out[j] = Σ_x in_x β_x^j for j < fftCoeffs. in is
// overwritten.
func fftTr(out *[fftCoeffs]gf, in *fftVals) {
	// Transposed combine phase, top-down: U = lo + hi, V = α·U + hi.
	for m := fftTop; m > fftBottom; m-- {
		fftCombineTr(in, m)
	}
	var z vec4
	// Transposed bottom: coefficient pair of subproblem s.
	var a, b [fftCoeffs]gf
	cur, nxt := &a, &b
	for g := range in {
		vecMul4(&z, &in[g], &fftT.bottom4)
		for l := 0; l < 4; l++ {
			var s0, s1 gf
			for k := 0; k < M; k++ {
				s0 |= gf(bits.OnesCount64(in[g][k][l])&1) << k
				s1 |= gf(bits.OnesCount64(z[k][l])&1) << k
			}
			cur[2*(4*g+l)] = s0
			cur[2*(4*g+l)+1] = s1
		}
	}
	// Transposed coefficient phase, bottom-up.
	for m := fftBottom + 1; m <= fftTop; m++ {
		fftCoeffLevelTr(nxt, cur, m)
		cur, nxt = nxt, cur
	}
	*out = *cur
	clear(a[:])
	clear(b[:])
}
