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
		cur, nxt = nxt, cur
	}
	// Bottom: subproblem s has two coefficients, output vec s.
	var x, z vec4
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
	// Combine phase, bottom-up: lo ← lo + α·hi, hi ← hi + lo.
	for m := fftBottom + 1; m <= fftTop; m++ {
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
			continue
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
	clear(a[:])
	clear(b[:])
}

// fftTr computes out[j] = Σ_x in_x β_x^j for j < fftCoeffs. in is
// overwritten.
func fftTr(out *[fftCoeffs]gf, in *fftVals) {
	var x, z vec4
	// Transposed combine phase, top-down: U = lo + hi, V = α·U + hi.
	for m := fftTop; m > fftBottom; m-- {
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
			continue
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
		cur, nxt = nxt, cur
	}
	*out = *cur
	clear(a[:])
	clear(b[:])
}
