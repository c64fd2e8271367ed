package mceliece

// Arithmetic in GF(2^13) = GF(2)[z]/(z^13 + z^4 + z^3 + z + 1), the field of
// mceliece6688128. Elements are uint16 values below 2^13, bit i being the
// coefficient of z^i. All functions run in time independent of their inputs.

type gf = uint16

// gfMul multiplies two field elements.
func gfMul(a, b gf) gf {
	x := uint32(a)
	y := uint32(b)
	r := x & -(y & 1)
	for i := 1; i < M; i++ {
		r ^= (x << i) & -((y >> i) & 1)
	}
	return gfReduce(r)
}

// gfReduce reduces a product of degree at most 24.
func gfReduce(r uint32) gf {
	t := r & 0x1FF0000
	r ^= (t >> 9) ^ (t >> 10) ^ (t >> 12) ^ (t >> 13)
	t = r & 0x000E000
	r ^= (t >> 9) ^ (t >> 10) ^ (t >> 12) ^ (t >> 13)
	return gf(r & gfMask)
}

// gfSq squares a field element.
func gfSq(a gf) gf {
	x := uint32(a)
	x = (x | x<<8) & 0x00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F
	x = (x | x<<2) & 0x33333333
	x = (x | x<<1) & 0x55555555
	return gfReduce(x)
}

// gfInv returns a^(2^13-2), the inverse of a (and 0 for 0).
func gfInv(a gf) gf {
	r := a
	for i := 0; i < M-2; i++ {
		r = gfMul(gfSq(r), a)
	}
	return gfSq(r)
}

// gfIsZeroMask returns 0xFFFF if a == 0 and 0 otherwise.
func gfIsZeroMask(a gf) gf {
	t := uint32(a) - 1
	return gf(0 - (t >> 31))
}

// bitrev13 reverses the 13 low bits of a.
func bitrev13(a gf) gf {
	a = (a&0x00FF)<<8 | (a&0xFF00)>>8
	a = (a&0x0F0F)<<4 | (a&0xF0F0)>>4
	a = (a&0x3333)<<2 | (a&0xCCCC)>>2
	a = (a&0x5555)<<1 | (a&0xAAAA)>>1
	return a >> 3
}

// polyEval evaluates the polynomial f (coefficients f[0..len-1], low degree
// first) at a by Horner's rule.
func polyEval(f []gf, a gf) gf {
	r := f[len(f)-1]
	for i := len(f) - 2; i >= 0; i-- {
		r = gfMul(r, a) ^ f[i]
	}
	return r
}
