package mceliece

// The combine levels of the breadth-first FFT (fftEval) and of its
// transpose (fftTr), one level m (fftBottom < m <= fftTop) per call: the
// butterflies between the two halves of every subproblem of dimension m.
// These generic forms are the reference for the AVX2 kernels
// (fft_amd64.s).

// fftCombineGeneric runs level m of fftEval: lo ← lo + α·hi, hi ← hi + lo.
func fftCombineGeneric(out *fftVals, m int) {
	var x, z vec4
	lh := uint(m - 7)
	half := 1 << lh
	al := fftT.alpha4[m]
	if half >= 4 {
		hg := half / 4
		for s := 0; s < len(out); s += 2 * hg {
			for t := 0; t < hg; t++ {
				u, w := &out[s+t], &out[s+hg+t]
				vecMul4(&z, &al[t], w)
				for k := 0; k < M; k++ {
					for l := 0; l < 4; l++ {
						u[k][l] ^= z[k][l]
						w[k][l] ^= u[k][l]
					}
				}
			}
		}
		return
	}
	// half 1 or 2: the pairs' halves share groups; repack per lane.
	gi := 0
	for i := 0; i < q/128; i += 4 {
		var idx [4]int
		for l := 0; l < 4; l++ {
			pi := i + l
			s, v := pi>>lh, pi&(half-1)
			idx[l] = s*2*half + half + v
			g, gl := idx[l]>>2, idx[l]&3
			for k := 0; k < M; k++ {
				x[k][l] = out[g][k][gl]
			}
		}
		vecMul4(&z, &x, &al[gi])
		gi++
		if gi == len(al) {
			gi = 0
		}
		for l := 0; l < 4; l++ {
			wg, wl := idx[l]>>2, idx[l]&3
			ug, ul := (idx[l]-half)>>2, (idx[l]-half)&3
			for k := 0; k < M; k++ {
				out[ug][k][ul] ^= z[k][l]
				out[wg][k][wl] ^= out[ug][k][ul]
			}
		}
	}
}

// fftCombineTrGeneric runs level m of fftTr: U = lo + hi, V = α·U + hi.
func fftCombineTrGeneric(in *fftVals, m int) {
	var x, z vec4
	lh := uint(m - 7)
	half := 1 << lh
	al := fftT.alpha4[m]
	if half >= 4 {
		hg := half / 4
		for s := 0; s < len(in); s += 2 * hg {
			for t := 0; t < hg; t++ {
				lo, hi := &in[s+t], &in[s+hg+t]
				for k := 0; k < M; k++ {
					for l := 0; l < 4; l++ {
						lo[k][l] ^= hi[k][l]
					}
				}
				vecMul4(&z, &al[t], lo)
				for k := 0; k < M; k++ {
					for l := 0; l < 4; l++ {
						hi[k][l] ^= z[k][l]
					}
				}
			}
		}
		return
	}
	gi := 0
	for i := 0; i < q/128; i += 4 {
		var idx [4]int
		for l := 0; l < 4; l++ {
			pi := i + l
			s, v := pi>>lh, pi&(half-1)
			idx[l] = s*2*half + v // lo
			lg, ll := idx[l]>>2, idx[l]&3
			hg, hl := (idx[l]+half)>>2, (idx[l]+half)&3
			for k := 0; k < M; k++ {
				in[lg][k][ll] ^= in[hg][k][hl]
				x[k][l] = in[lg][k][ll]
			}
		}
		vecMul4(&z, &x, &al[gi])
		gi++
		if gi == len(al) {
			gi = 0
		}
		for l := 0; l < 4; l++ {
			hg, hl := (idx[l]+half)>>2, (idx[l]+half)&3
			for k := 0; k < M; k++ {
				in[hg][k][hl] ^= z[k][l]
			}
		}
	}
}
