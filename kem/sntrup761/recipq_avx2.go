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
// per-coefficient passes run in divstepsAVX2 (recipq_amd64.s) on 16-bit
// lanes, 16 to a 256-bit register: the swap is an all-ones or all-zero lane
// mask, and the sum of the products by the step's scalars is reduced by
// Shoup's method (VPMULLW, VPMULHUW) to [0, 4q) whatever the 16-bit inputs,
// so coefficients live in [0, 4q) with no further reduction. The whole loop
// runs in divstepsAVX2: each step's decisions (swap, delta, s, t) come from
// lane 0 of f and g through conditional moves, and the number of vectors a
// step touches depends only on the public step counter.

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

// rqRecip3AVX2 sets out = 1/(3*in) in R/q, like rqRecip3Generic, with the
// divstep loop in divstepsAVX2. The caller checks that the CPU has AVX2.
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

	divstepsAVX2(st)

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
