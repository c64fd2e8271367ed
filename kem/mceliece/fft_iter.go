package mceliece

import "math/bits"

// Breadth-first forms of the additive FFT and its transpose: the
// coefficient steps (twist, radix conversion) of all subproblems of a level
// run together on one array of fftCoeffs coefficients, and the
// multiplications of the combine steps and of the bottom level are batched
// four at a time (vecMul4). The arithmetic is the recursive one's.

// fftEval evaluates f (fftCoeffs coefficients) at all field elements:
// lane x of the output is f(β_x), β_x = bitrev13(x).
func fftEval(out *[q / 64]vec, f *[fftCoeffs]gf) {
	var a, b [fftCoeffs]gf
	copy(a[:], f[:])
	cur, nxt := &a, &b
	// Coefficient phase, top-down: subproblem s of level m occupies
	// cur[s*n:(s+1)*n]; its children 2s, 2s+1 go to nxt.
	for m := fftTop; m > fftBottom; m-- {
		n := 1 << (m - 5)
		tw := fftT.twist[m]
		for s := 0; s < fftCoeffs/n; s++ {
			p := cur[s*n : (s+1)*n]
			if m < fftTop {
				for i := 1; i < n; i++ {
					p[i] = gfMulConst(p[i], &tw[i])
				}
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
	for s := 0; s < q/64; s += 4 {
		for l := 0; l < 4; l++ {
			c1 := cur[2*(s+l)+1]
			for k := 0; k < M; k++ {
				x[k][l] = -uint64(c1 >> k & 1)
			}
		}
		vecMul4(&z, &x, &fftT.bottom4)
		for l := 0; l < 4; l++ {
			c0 := cur[2*(s+l)]
			for k := 0; k < M; k++ {
				out[s+l][k] = z[k][l] ^ -uint64(c0>>k&1)
			}
		}
	}
	// Combine phase, bottom-up.
	for m := fftBottom + 1; m <= fftTop; m++ {
		lh := uint(m - 7)
		half := 1 << lh
		al := fftT.alpha4[m]
		gi := 0
		// pairs (s, v) in order; lane l of group handles pair index i+l.
		total := (q / 64) / 2 // number of (s, v) pairs at every level
		for i := 0; i < total; i += 4 {
			var idx [4]int // index of w = out[...] of each lane
			for l := 0; l < 4; l++ {
				pi := i + l
				s, v := pi>>lh, pi&(half-1)
				idx[l] = s*2*half + half + v
				for k := 0; k < M; k++ {
					x[k][l] = out[idx[l]][k]
				}
			}
			vecMul4(&z, &x, &al[gi])
			gi++
			if gi == len(al) {
				gi = 0
			}
			for l := 0; l < 4; l++ {
				w := &out[idx[l]]
				u := &out[idx[l]-half]
				for k := 0; k < M; k++ {
					u[k] ^= z[k][l]
					w[k] ^= u[k]
				}
			}
		}
	}
	clear(a[:])
	clear(b[:])
}

// fftTr computes out[j] = Σ_x in_x β_x^j for j < fftCoeffs. in is
// overwritten.
func fftTr(out *[fftCoeffs]gf, in *[q / 64]vec) {
	var x, z vec4
	// Transposed combine phase, top-down: U = lo + hi, V = α·U + hi.
	for m := fftTop; m > fftBottom; m-- {
		lh := uint(m - 7)
		half := 1 << lh
		al := fftT.alpha4[m]
		gi := 0
		total := (q / 64) / 2
		for i := 0; i < total; i += 4 {
			var idx [4]int
			for l := 0; l < 4; l++ {
				pi := i + l
				s, v := pi>>lh, pi&(half-1)
				idx[l] = s*2*half + v // lo
				lo, hi := &in[idx[l]], &in[idx[l]+half]
				for k := 0; k < M; k++ {
					lo[k] ^= hi[k]
					x[k][l] = lo[k]
				}
			}
			vecMul4(&z, &x, &al[gi])
			gi++
			if gi == len(al) {
				gi = 0
			}
			for l := 0; l < 4; l++ {
				hi := &in[idx[l]+half]
				for k := 0; k < M; k++ {
					hi[k] ^= z[k][l]
				}
			}
		}
	}
	// Transposed bottom: coefficient pair of subproblem s.
	var a, b [fftCoeffs]gf
	cur, nxt := &a, &b
	for s := 0; s < q/64; s += 4 {
		for l := 0; l < 4; l++ {
			for k := 0; k < M; k++ {
				x[k][l] = in[s+l][k]
			}
		}
		vecMul4(&z, &x, &fftT.bottom4)
		for l := 0; l < 4; l++ {
			var s0, s1 gf
			for k := 0; k < M; k++ {
				s0 |= gf(bits.OnesCount64(in[s+l][k])&1) << k
				s1 |= gf(bits.OnesCount64(z[k][l])&1) << k
			}
			cur[2*(s+l)] = s0
			cur[2*(s+l)+1] = s1
		}
	}
	// Transposed coefficient phase, bottom-up.
	for m := fftBottom + 1; m <= fftTop; m++ {
		n := 1 << (m - 5)
		h := n / 2
		tw := fftT.twist[m]
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
				for i := 1; i < n; i++ {
					p[i] = gfMulConst(p[i], &tw[i])
				}
			}
		}
		cur, nxt = nxt, cur
	}
	*out = *cur
	clear(a[:])
	clear(b[:])
}
