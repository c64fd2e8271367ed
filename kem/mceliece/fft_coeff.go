package mceliece

// The coefficient steps of the breadth-first FFT (fftEval) and of its
// transpose (fftTr), one level m (fftBottom < m <= fftTop) per call, on all
// fftCoeffs/n subproblems of n = 2^(m-5) coefficients at once. These
// generic forms are the reference for the AVX2 kernels (fft_amd64.s).

// fftCoeffLevelGeneric runs level m of fftEval: every subproblem s of cur
// (cur[s*n:(s+1)*n]) is twisted (below the top), radix-converted, and its
// even and odd coefficients go to its children 2s and 2s+1 in nxt. cur is
// overwritten.
func fftCoeffLevelGeneric(nxt, cur *[fftCoeffs]gf, m int) {
	n := 1 << (m - 5)
	tw4 := fftT.twist4[m]
	for s := 0; s < fftCoeffs/n; s++ {
		p := cur[s*n : (s+1)*n]
		if m < fftTop {
			twist4(p, tw4)
		}
		radixConvert(p)
		h := n / 2
		q0 := nxt[2*s*h : (2*s+1)*h]
		q1 := nxt[(2*s+1)*h : (2*s+2)*h]
		for j := 0; j < h; j++ {
			q0[j] = p[2*j]
			q1[j] = p[2*j+1]
		}
	}
}

// fftCoeffLevelTrGeneric runs level m of fftTr, the transpose of
// fftCoeffLevelGeneric: the children 2s and 2s+1 of cur are interleaved
// into subproblem s of nxt, which is radix-converted (transposed) and
// twisted (below the top).
func fftCoeffLevelTrGeneric(nxt, cur *[fftCoeffs]gf, m int) {
	n := 1 << (m - 5)
	h := n / 2
	tw4 := fftT.twist4[m]
	for s := 0; s < fftCoeffs/n; s++ {
		q0 := cur[2*s*h : (2*s+1)*h]
		q1 := cur[(2*s+1)*h : (2*s+2)*h]
		p := nxt[s*n : (s+1)*n]
		for j := 0; j < h; j++ {
			p[2*j] = q0[j]
			p[2*j+1] = q1[j]
		}
		radixConvertTr(p)
		if m < fftTop {
			twist4(p, tw4)
		}
	}
}

// fftBottom6Generic evaluates the subproblems of dimension 6: vec s (lane
// v%4 of group v/4) is c0 + c1·bottom, c0 and c1 being cur[2s] and
// cur[2s+1].
func fftBottom6Generic(out *fftVals, cur *[fftCoeffs]gf) {
	var x vec4
	for g := range out {
		for l := 0; l < 4; l++ {
			c1 := cur[2*(4*g+l)+1]
			for k := 0; k < M; k++ {
				x[k][l] = -uint64(c1 >> k & 1)
			}
		}
		vecMul4(&out[g], &x, &fftT.bottom4)
		for l := 0; l < 4; l++ {
			c0 := cur[2*(4*g+l)]
			for k := 0; k < M; k++ {
				out[g][k][l] ^= -uint64(c0 >> k & 1)
			}
		}
	}
	clear(x[:])
}
