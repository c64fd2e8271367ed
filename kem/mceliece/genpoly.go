package mceliece

// Generation of the Goppa polynomial g: the minimal polynomial over GF(2^13)
// of a random element β of GF(2^13)[y]/F(y), F(y) = y^128 + y^7 + y^2 + y + 1
// (round-4 specification, section 2.4.1 and Irreducible in 2.4.3).

// fqtMul multiplies a and b in GF(2^13)[y]/F(y). The schoolbook product is
// computed bit-sliced: a's 128 coefficients are two vecs, each product
// a·b_j is added into the 255-lane accumulator shifted by j lanes.
func fqtMul(out, a, b *[T]gf) {
	var a0, a1, bj, p0, p1 vec
	vecFromGF(&a0, a[:64])
	vecFromGF(&a1, a[64:])
	var acc [M][4]uint64
	for j := 0; j < T; j++ {
		vecBroadcast(&bj, b[j])
		vecMul(&p0, &a0, &bj)
		vecMul(&p1, &a1, &bj)
		w, s := j>>6, uint(j&63)
		for k := 0; k < M; k++ {
			x0, x1 := p0[k], p1[k]
			acc[k][w] ^= x0 << s
			acc[k][w+1] ^= x0>>(64-s) | x1<<s
			acc[k][w+2] ^= x1 >> (64 - s)
		}
	}
	var prod [2 * T]gf
	for i := range prod {
		var v gf
		for k := 0; k < M; k++ {
			v |= gf((acc[k][i>>6]>>(i&63))&1) << k
		}
		prod[i] = v
	}
	for i := 2*T - 2; i >= T; i-- {
		p := prod[i]
		prod[i-T+7] ^= p
		prod[i-T+2] ^= p
		prod[i-T+1] ^= p
		prod[i-T] ^= p
	}
	copy(out[:], prod[:T])
}

// genPoly computes the monic minimal polynomial g of beta, returning its
// coefficients g_0..g_{T-1} (g_T = 1), or ok == false if its degree is below
// T. It solves g_0 + g_1 β + … + g_{T-1} β^{T-1} = β^T by Gauss–Jordan
// elimination with mask-based pivoting. The T equations (one per coordinate
// of GF(2^13)[y]/F(y)) are rows over the T+1 unknowns' columns β^c,
// bit-sliced: lane c of row k is coordinate k of β^c.
func genPoly(beta *[T]gf) (g [T]gf, ok bool) {
	var col [T + 1][T]gf // col[c] = β^c
	col[0][0] = 1
	col[1] = *beta
	for c := 2; c <= T; c++ {
		fqtMul(&col[c], &col[c-1], beta)
	}
	var rows [T][3]vec
	var tmp [64]gf
	for k := 0; k < T; k++ {
		for w := 0; w < 3; w++ {
			clear(tmp[:])
			for l := 0; l < 64 && 64*w+l <= T; l++ {
				tmp[l] = col[64*w+l][k]
			}
			vecFromGF(&rows[k][w], tmp[:])
		}
	}
	clear(col[:])
	entry := func(r *[3]vec, c int) gf {
		var x gf
		for b := 0; b < M; b++ {
			x |= gf(r[c>>6][b]>>(c&63)&1) << b
		}
		return x
	}
	fail := gf(0)
	var bc, t vec
	for j := 0; j < T; j++ {
		w0 := j >> 6 // words below w0 are zero in every row at columns >= j
		rj := &rows[j]
		for k := j + 1; k < T; k++ {
			m := uint64(0) - uint64(gfIsZeroMask(entry(rj, j))&1)
			for w := w0; w < 3; w++ {
				for b := 0; b < M; b++ {
					rj[w][b] ^= rows[k][w][b] & m
				}
			}
		}
		piv := entry(rj, j)
		fail |= gfIsZeroMask(piv)
		vecBroadcast(&bc, gfInv(piv))
		for w := w0; w < 3; w++ {
			vecMul(&rj[w], &rj[w], &bc)
		}
		for k := 0; k < T; k++ {
			if k == j {
				continue
			}
			rk := &rows[k]
			vecBroadcast(&bc, entry(rk, j))
			for w := w0; w < 3; w++ {
				vecMul(&t, &rj[w], &bc)
				for b := 0; b < M; b++ {
					rk[w][b] ^= t[b]
				}
			}
		}
	}
	for i := 0; i < T; i++ {
		g[i] = entry(&rows[i], T)
	}
	clear(rows[:])
	return g, fail == 0
}
