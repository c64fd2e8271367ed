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
// T. It solves g_0 + g_1 β + … + g_{T-1} β^{T-1} = β^T by Gaussian
// elimination with mask-based pivoting.
func genPoly(beta *[T]gf) (g [T]gf, ok bool) {
	// mat[c] is the column β^c, c = 0..T.
	var mat [T + 1][T]gf
	mat[0][0] = 1
	mat[1] = *beta
	for c := 2; c <= T; c++ {
		fqtMul(&mat[c], &mat[c-1], beta)
	}
	fail := gf(0)
	for j := 0; j < T; j++ {
		for k := j + 1; k < T; k++ {
			mask := gfIsZeroMask(mat[j][j])
			for c := j; c <= T; c++ {
				mat[c][j] ^= mat[c][k] & mask
			}
		}
		fail |= gfIsZeroMask(mat[j][j])
		inv := gfInv(mat[j][j])
		for c := j; c <= T; c++ {
			mat[c][j] = gfMul(mat[c][j], inv)
		}
		for k := 0; k < T; k++ {
			if k != j {
				t := mat[j][k]
				for c := j; c <= T; c++ {
					mat[c][k] ^= gfMul(mat[c][j], t)
				}
			}
		}
	}
	copy(g[:], mat[T][:])
	return g, fail == 0
}
