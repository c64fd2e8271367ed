//go:build amd64 && !purego

package sntrup761

// Constant-time inversion in R/q with 16 coefficients per vector.
//
// The same divstep iteration as rqRecip3Generic (and with it the NTRU Prime
// round 3 reference), but the per-coefficient passes of each step run in
// divstepAVX2 (recipq_amd64.s) on 16-bit lanes, 16 to a 256-bit register:
// the swap is an all-ones or all-zero lane mask, the product by the step's
// scalar s = -g(0)/f(0) is Shoup's (VPMULLW, VPMULHUW), and the lazy
// reduction from [0, 4q) to [0, 2q) is an unsigned minimum with x - 2q. The
// scalar part of each step (f(0), g(0), delta, s) stays in Go and is
// branch-free; the number of vectors a step touches depends only on the
// public step counter.
//
// The division of g by x and the multiplication of v by x are folded into
// unaligned loads: a step reads f and g from lane 1 on and writes g back
// from lane 0 (ascending), and reads v one lane below where it writes it
// (descending, v being stored one lane up so that lane 0 of the array is a
// permanent zero). Lanes past p hold values that never flow into lanes at or
// below p: f and g there stay zero modulo q (their degrees are at most p),
// and v and r only ever move upwards.

// lanesPadQ is the lane count of each array of rqVec: 48 vectors of 16 lanes
// cover lanes 0..767, plus the lane a shifted load reads past them, rounded
// up to a whole vector.
const lanesPadQ = 49 * 16

// rqVec is the state of the vectorised inversion. v is stored one lane up:
// coefficient i of v is v[i+1], and v[0] stays zero. The layout (four
// consecutive arrays of lanesPadQ uint16) is hard-coded in recipq_amd64.s.
type rqVec struct {
	f, g, v, r [lanesPadQ]uint16
}

func rqRecip3AVX2(out *[p]int16, in *[p]int8) {
	var st rqVec
	defer clear(st.f[:])
	defer clear(st.g[:])
	defer clear(st.v[:])
	defer clear(st.r[:])

	st.r[0] = uint16((int32(recipQ(3)) + q) % q)
	st.f[0] = 1
	st.f[p-1] = q - 1
	st.f[p] = q - 1
	for i := 0; i < p; i++ {
		x := int32(in[i])
		st.g[p-1-i] = uint16(x + q&(x>>31))
	}

	// The scalars of a step depend only on lane 0 of f and g, which the
	// previous step's divstepHead has produced: computing them before
	// that step's divstepTail lets the two overlap.
	delta := int32(1)
	swap, su, sp := rqStepScalars(&st, &delta)
	for loop := 0; loop < 2*p-1; loop++ {
		divstepHead(&st, swap, su, sp)
		nswap, nsu, nsp := rqStepScalars(&st, &delta)
		// Public bounds, as in rqRecip3Generic: f and g have no nonzero
		// lane past min(2p-loop, p), v and r none past min(loop, p).
		nfg := (min(2*p-loop, p) + 15) / 16
		nvr := min(loop, p)/16 + 1
		divstepTail(&st, nfg, nvr, swap, su, sp)
		swap, su, sp = nswap, nsu, nsp
	}

	scale := int32(recipQ(int16(exactQ(uint64(st.f[0])))))
	for i := 0; i < p; i++ {
		out[i] = freezeQ(scale * int32(st.v[p-i]))
	}
}

// rqStepScalars computes a divstep's decisions from lane 0 of f and g,
// branch-free: it updates delta and f[0] and returns the swap mask (0 or
// all ones), s = -g(0)/f(0) mod q in [0, q) and sp = floor(s*2^16/q).
func rqStepScalars(st *rqVec, delta *int32) (swap, s, sp uint64) {
	f0 := exactQ(uint64(st.f[0]))
	g0 := exactQ(uint64(st.g[0]))
	d := *delta
	swap32 := negativeMask(-d) & nonzeroMask(g0)
	d ^= swap32 & (d ^ -d)
	*delta = d + 1
	f0, g0 = f0^(swap32&(f0^g0)), g0^(swap32&(f0^g0))
	st.f[0] = uint16(f0)

	s = mulModQ(uint64(q-g0), invModQ(uint64(f0)))
	return uint64(int64(swap32)), s, (s << 16) / q
}

// barrettQ is ceil(2^40/q): for x < 2^36, floor(x*barrettQ/2^40) is
// floor(x/q) (the error x*(barrettQ*q - 2^40)/(q*2^40) stays below 1/q).
const barrettQ = (1<<40 + q - 1) / q

// mulModQ returns a*b mod q in [0, q) for a, b in [0, q], without branches.
func mulModQ(a, b uint64) uint64 {
	x := a * b
	return x - (x*barrettQ>>40)*q
}

// invModQ returns a^(q-2) mod q in [0, q) for a in [0, q]: 1/a, or 0 for
// a = 0 or q. The exponent is public, so the running time does not depend
// on a.
func invModQ(a uint64) uint64 {
	acc := uint64(1)
	for e := 12; e >= 0; e-- { // q-2 = 4589 < 2^13
		acc = mulModQ(acc, acc)
		if (q-2)>>e&1 == 1 {
			acc = mulModQ(acc, a)
		}
	}
	return acc
}
