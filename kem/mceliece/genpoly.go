package mceliece

// Generation of the Goppa polynomial g: the minimal polynomial over GF(2^13)
// of a random element β of GF(2^13)[y]/F(y), F(y) = y^128 + y^7 + y^2 + y + 1
// (round-4 specification, section 2.4.1 and Irreducible in 2.4.3).

// fqtMul multiplies a and b in GF(2^13)[y]/F(y).
func fqtMul(out, a, b *[T]gf) {
	var prod [2*T - 1]gf
	for i := 0; i < T; i++ {
		ai := a[i]
		for j := 0; j < T; j++ {
			prod[i+j] ^= gfMul(ai, b[j])
		}
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
