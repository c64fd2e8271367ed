package sntrup761

// Constant-time inversion in R/3 by the divstep iteration of Bernstein and
// Yang ("Fast constant-time gcd computation and modular inversion", 2019) in
// the form of the NTRU Prime round 3 reference: f starts as the reversal of
// x^p - x - 1, g as the reversal of the input, and after 2p-1 divsteps v
// holds the reversed inverse scaled by f(0).
//
// The polynomials are bit-sliced: coefficient i of a polynomial is bit i of
// two planes, pos (coefficient is 1) and neg (coefficient is -1), so one
// 64-bit operation acts on 64 coefficients and a divstep costs a few hundred
// word operations. Every step touches every word, whatever the data.

const words3 = (p + 1 + 63) / 64 // 12 words hold p+1 coefficients

const topMask3 = (uint64(1) << ((p + 1) % 64)) - 1 // valid bits of the top word

type f3poly struct {
	pos, neg [words3]uint64
}

// r3RecipGeneric sets out = 1/in in R/3 and returns 0 if in is invertible,
// -1 otherwise (out is then meaningless). It is the portable implementation
// behind r3Recip.
func r3RecipGeneric(out *[p]int8, in *[p]int8) int32 {
	var f, g, v, r f3poly
	defer func() {
		f, g, v, r = f3poly{}, f3poly{}, f3poly{}, f3poly{}
	}()
	r.pos[0] = 1
	f.pos[0] = 1
	f.neg[(p-1)/64] |= 1 << ((p - 1) % 64)
	f.neg[p/64] |= 1 << (p % 64)
	for i := 0; i < p; i++ {
		x := in[i]
		j := p - 1 - i
		g.pos[j/64] |= (uint64(x+1) >> 1 & 1) << (j % 64)
		g.neg[j/64] |= (uint64(1-x) >> 1 & 1) << (j % 64)
	}

	delta := int32(1)
	for loop := 0; loop < 2*p-1; loop++ {
		// v = x*v (coefficients beyond p dropped).
		// Only coefficients 0..loop of v and r can be nonzero, and the
		// lengths of f and g add up to at most 2p+1-loop with neither below
		// one while g is nonzero (loop is public; see recipq.go).
		nvr := min(loop/64+1, words3)
		nfg := min(words3, (2*p-loop)/64+1)
		for i := nvr - 1; i > 0; i-- {
			v.pos[i] = v.pos[i]<<1 | v.pos[i-1]>>63
			v.neg[i] = v.neg[i]<<1 | v.neg[i-1]>>63
		}
		v.pos[0] <<= 1
		v.neg[0] <<= 1
		v.pos[words3-1] &= topMask3
		v.neg[words3-1] &= topMask3

		g0 := int32(g.pos[0]&1) - int32(g.neg[0]&1)
		swap := uint64(int64(negativeMask(-delta) & nonzeroMask(g0)))
		delta ^= int32(swap) & (delta ^ -delta)
		delta++

		for i := range nfg {
			t := swap & (f.pos[i] ^ g.pos[i])
			f.pos[i] ^= t
			g.pos[i] ^= t
			t = swap & (f.neg[i] ^ g.neg[i])
			f.neg[i] ^= t
			g.neg[i] ^= t
		}
		for i := range nvr {
			t := swap & (v.pos[i] ^ r.pos[i])
			v.pos[i] ^= t
			r.pos[i] ^= t
			t = swap & (v.neg[i] ^ r.neg[i])
			v.neg[i] ^= t
			r.neg[i] ^= t
		}

		// sign = -g0*f0; g += sign*f; r += sign*v.
		f0 := int32(f.pos[0]&1) - int32(f.neg[0]&1)
		g0 = int32(g.pos[0]&1) - int32(g.neg[0]&1)
		sign := int64(-g0 * f0)
		sp := -(uint64(sign+1) >> 1 & 1) // all ones if sign == 1
		sn := -(uint64(1-sign) >> 1 & 1) // all ones if sign == -1
		for i := range nfg {
			g.pos[i], g.neg[i] = add3(g.pos[i], g.neg[i], f.pos[i]&sp|f.neg[i]&sn, f.neg[i]&sp|f.pos[i]&sn)
		}
		for i := range nvr {
			r.pos[i], r.neg[i] = add3(r.pos[i], r.neg[i], v.pos[i]&sp|v.neg[i]&sn, v.neg[i]&sp|v.pos[i]&sn)
		}

		// g = g/x.
		for i := 0; i < nfg-1; i++ {
			g.pos[i] = g.pos[i]>>1 | g.pos[i+1]<<63
			g.neg[i] = g.neg[i]>>1 | g.neg[i+1]<<63
		}
		g.pos[nfg-1] >>= 1
		g.neg[nfg-1] >>= 1
	}

	sign := int8(f.pos[0]&1) - int8(f.neg[0]&1)
	for i := 0; i < p; i++ {
		j := p - 1 - i
		c := int8(v.pos[j/64]>>(j%64)&1) - int8(v.neg[j/64]>>(j%64)&1)
		out[i] = sign * c
	}
	return nonzeroMask(delta)
}

// add3 adds two bit-sliced vectors of F3 elements (pos, neg planes).
func add3(apos, aneg, bpos, bneg uint64) (pos, neg uint64) {
	az := ^(apos | aneg)
	bz := ^(bpos | bneg)
	pos = az&bpos | apos&bz | aneg&bneg
	neg = az&bneg | aneg&bz | apos&bpos
	return
}
