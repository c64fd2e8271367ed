package sntrup761

// Constant-time inversion in R/q, word-parallel.
//
// The iteration is the divstep loop of the NTRU Prime round 3 reference
// (Bernstein–Yang, "Fast constant-time gcd computation and modular
// inversion", 2019), with one change that keeps the result identical: where
// the reference sets g = f(0)*g - g(0)*f and r = f(0)*r - g(0)*v, this code
// sets g = g - c*f and r = r - c*v with c = g(0)/f(0). That scales the pair
// (g, r) by 1/f(0), which preserves the invariant the inverse is read from,
// and needs one multiplication per coefficient instead of two.
//
// Coefficients live in 16-bit lanes, four to a uint64, with values in
// [0, 2q) (lazy reduction). Multiplication of a whole word by the step's
// scalar uses Shoup's method on the even and the odd lanes
// separately (32-bit slots, so lane products never collide); the scalar is
// secret but only ever a multiplicand. No branch or
// index depends on the data.

const (
	lanesQ  = p + 1              // coefficients of f, g, v, r
	wordsQ  = (lanesQ + 3) / 4   // 191
	ones16  = 0x0001000100010001 // 1 in every lane
	even32  = 0x0000FFFF0000FFFF // lanes 0 and 2
	twoQ    = 2 * q              // lazy bound
	topQ    = 0x00000000FFFFFFFF // valid lanes (760, 761) of the top word
	subTwoQ = (0x8000 - twoQ) * ones16
)

// mulShoup returns, lane by lane, s*x mod q in [0, 2q) for lanes x < 2^14,
// given s in [0, q] and sp = floor(s*2^16/q). The quotients
// floor(x*sp/2^16) need 32-bit slots, so they are computed on the even and
// the odd lanes separately; the remainders x*s - quotient*q lie in
// [0, 2q) for every lane, so the packed difference of two plain 64-bit
// products is exact (no lane borrows from or carries into another).
func mulShoup(x, s, sp uint64) uint64 {
	e := x & even32
	o := (x >> 16) & even32
	quot := ((e*sp)>>16)&even32 | ((o*sp)>>16)&even32<<16
	return x*s - quot*q
}

// reduce2q maps lanes in [0, 4q) to [0, 2q).
func reduce2q(x uint64) uint64 {
	m := ((x + subTwoQ) >> 15) & ones16
	return x - m*twoQ
}

// exactQ maps x in [0, 2q) to [0, q).
func exactQ(x uint64) int32 {
	t := int32(x) - q
	return t + q&(t>>31)
}

// rqRecip3Generic sets out = 1/(3*in) in R/q. For the short polynomials of
// key generation the inverse always exists (x^p - x - 1 is irreducible
// modulo q). It is the portable implementation behind rqRecip3.
func rqRecip3Generic(out *[p]int16, in *[p]int8) {
	var f, g, v, r [wordsQ]uint64
	defer func() {
		clear(f[:])
		clear(g[:])
		clear(v[:])
		clear(r[:])
	}()
	setLane := func(a *[wordsQ]uint64, i int, x uint64) {
		a[i/4] |= x << (16 * (i % 4))
	}
	setLane(&r, 0, uint64(int32(recipQ(3))+q)%q)
	setLane(&f, 0, 1)
	setLane(&f, p-1, q-1)
	setLane(&f, p, q-1)
	for i := 0; i < p; i++ {
		// in[i] in {-1, 0, 1} as a residue in [0, q).
		x := int32(in[i])
		setLane(&g, p-1-i, uint64(x+q&(x>>31)))
	}

	delta := int32(1)
	for loop := 0; loop < 2*p-1; loop++ {
		f0 := exactQ(f[0] & 0xffff)
		g0 := exactQ(g[0] & 0xffff)
		swap32 := negativeMask(-delta) & nonzeroMask(g0)
		delta ^= swap32 & (delta ^ -delta)
		delta++
		swap := uint64(int64(swap32))
		f0, g0 = f0^(swap32&(f0^g0)), g0^(swap32&(f0^g0))

		// s = -g0/f0 mod q, in [1, q] (q standing for 0); sp = floor(s*2^16/q).
		c := int32(freezeQ(g0 * int32(recipQ(int16(f0)))))
		c += q & (c >> 31)
		su := uint64(q - c)
		sp := (su << 16) / q // division by a constant: a multiplication

		// f, g = swapped; g = (g + s*f)/x, fused into one pass. The lengths
		// of f and g add up to at most 2p+1-loop and neither is below one for
		// an invertible input, so coefficients past 2p-loop are zero (loop is
		// public).
		nfg := min(wordsQ, (2*p-loop)/4+1)
		prev := uint64(0)
		for i := range nfg {
			fi, gi := f[i], g[i]
			t := swap & (fi ^ gi)
			fi ^= t
			gi ^= t
			f[i] = fi
			gn := reduce2q(gi + mulShoup(fi, su, sp))
			if i > 0 {
				g[i-1] = prev>>16 | gn<<48
			}
			prev = gn
		}
		g[nfg-1] = prev >> 16

		// v = x*v; v, r = swapped; r = r + s*v, in one pass. Only
		// coefficients 0..loop of v and r can be nonzero here (loop is
		// public); the coefficient shifted past p is dropped.
		nvr := min(loop/4+1, wordsQ)
		carry := uint64(0) // top lane of the previous word of v, before the shift
		for i := range nvr {
			old := v[i]
			vi := old<<16 | carry
			carry = old >> 48
			if i == wordsQ-1 {
				vi &= topQ
			}
			ri := r[i]
			t := swap & (vi ^ ri)
			vi ^= t
			ri ^= t
			v[i] = vi
			r[i] = reduce2q(ri + mulShoup(vi, su, sp))
		}
	}

	scale := int32(recipQ(int16(exactQ(f[0] & 0xffff))))
	for i := 0; i < p; i++ {
		j := p - 1 - i
		x := int32(v[j/4] >> (16 * (j % 4)) & 0xffff)
		out[i] = freezeQ(scale * x)
	}
}
