//go:build amd64 && !purego

package sntrup761

import "unsafe"

// Constant-time inversion in R/q with 16 coefficients per vector.
//
// The divstep iteration of the NTRU Prime round 3 reference (Bernstein–Yang,
// "Fast constant-time gcd computation and modular inversion", 2019) in the
// reference's own form, g = f(0)*g - g(0)*f and r = f(0)*r - g(0)*v, whose
// scalars need no inversion per step (rqRecip3Generic trades a second
// product for one; here the product is the cheap part). The
// per-coefficient passes run in divstepAVX2 (recipq_amd64.s) on 16-bit
// lanes, 16 to a 256-bit register: the swap is an all-ones or all-zero lane
// mask, and the sum of the products by the step's scalars is reduced by
// Shoup's method (VPMULLW, VPMULHUW) to [0, 4q) whatever the 16-bit inputs,
// so coefficients live in [0, 4q) with no further reduction. The scalar part of each step (f(0), g(0), delta) stays in Go and
// is branch-free; the number of vectors a step touches depends only on the
// public step counter.
//
// The division of g by x and the multiplication of v by x are one-lane
// shifts done in registers, between neighbouring vectors, so every load and
// store is aligned (rqVec is placed on a 32-byte boundary). Lanes past p
// hold values that never flow into lanes at or below p: f and g there stay
// zero modulo q (their degrees are at most p), and v and r only ever move
// upwards.

// lanesPadQ is the lane count of each array of rqVec: 48 vectors of 16 lanes
// cover lanes 0..767, plus the vector the g pass reads past them.
const lanesPadQ = 49 * 16

// rqVec is the state of the vectorised inversion; z is a vector of zero
// lanes under v (v times x shifts one in). The layout is hard-coded in
// recipq_amd64.s.
type rqVec struct {
	f, g [lanesPadQ]uint16
	z    [16]uint16
	v, r [lanesPadQ]uint16
}

func rqRecip3AVX2(out *[p]int16, in *[p]int8) {
	var buf [unsafe.Sizeof(rqVec{}) + 32]byte
	defer clear(buf[:])
	off := (32 - uintptr(unsafe.Pointer(&buf[0]))%32) % 32
	st := (*rqVec)(unsafe.Pointer(&buf[off]))

	st.r[0] = uint16((int32(recipQ(3)) + q) % q)
	st.f[0] = 1
	st.f[p-1] = q - 1
	st.f[p] = q - 1
	for i := 0; i < p; i++ {
		x := int32(in[i])
		st.g[p-1-i] = uint16(x + q&(x>>31))
	}

	delta := int32(1)
	for loop := 0; loop < 2*p-1; loop++ {
		f0 := exactQ4(st.f[0])
		g0 := exactQ4(st.g[0])
		swap32 := negativeMask(-delta) & nonzeroMask(g0)
		delta ^= swap32 & (delta ^ -delta)
		delta++
		f0, g0 = f0^(swap32&(f0^g0)), g0^(swap32&(f0^g0))

		// s = -g0 mod q and t = f0, both in [0, q), with their Shoup
		// constants floor(a*2^16/q) < 2^16 (divisions by a constant).
		s := q - g0 - q
		s += q & (s >> 31)
		su, tu := uint64(s), uint64(f0)

		// Public bounds, as in rqRecip3Generic: f and g have no nonzero
		// lane past min(2p-loop, p), v and r none past min(loop, p).
		nfg := (min(2*p-loop, p) + 15) / 16
		nvr := min(loop, p)/16 + 1
		divstepAVX2(st, nfg, nvr, uint64(int64(swap32)), su, su<<16/q, tu, tu<<16/q)
	}

	scale := int32(recipQ(int16(exactQ4(st.f[0]))))
	for i := 0; i < p; i++ {
		out[i] = freezeQ(scale * int32(st.v[p-1-i]))
	}
}

// exactQ4 maps x in [0, 4q) to [0, q) without branches.
func exactQ4(x uint16) int32 {
	t := int32(x) - 2*q
	t += 2 * q & (t >> 31)
	return exactQ(uint64(t))
}
