//go:build amd64 && !purego

package sntrup761

// Constant-time inversion in R/3 with AVX2: the bit-sliced divstep loop of
// r3RecipGeneric with each plane (768 bits, 12 words) in three 256-bit
// vectors, the whole loop in r3StepsAVX2 (recip3_amd64.s): each step's
// decisions come from bit 0 of f and g by conditional moves and masks, and
// its work (v = x*v, the masked swaps, g += sign*f, r += sign*v, g = g/x)
// always covers every vector.

// r3Vec is the state of the vectorised R/3 inversion. The layout (eight
// consecutive planes of 12 words) is hard-coded in recip3_amd64.s.
type r3Vec struct {
	fpos, fneg, gpos, gneg, vpos, vneg, rpos, rneg [words3]uint64
}

// r3RecipAVX2 is r3RecipGeneric with the divstep loop in r3StepsAVX2: it
// sets out = 1/in in R/3 and returns 0 if in is invertible, -1 otherwise.
// The caller checks that the CPU has AVX2.
func r3RecipAVX2(out *[p]int8, in *[p]int8) int32 {
	var st r3Vec
	defer func() { st = r3Vec{} }()
	st.rpos[0] = 1
	st.fpos[0] = 1
	st.fneg[(p-1)/64] |= 1 << ((p - 1) % 64)
	st.fneg[p/64] |= 1 << (p % 64)
	for i := 0; i < p; i++ {
		x := in[i]
		j := p - 1 - i
		st.gpos[j/64] |= (uint64(x+1) >> 1 & 1) << (j % 64)
		st.gneg[j/64] |= (uint64(1-x) >> 1 & 1) << (j % 64)
	}

	delta := int32(r3StepsAVX2(&st))

	sign := int8(st.fpos[0]&1) - int8(st.fneg[0]&1)
	for i := 0; i < p; i++ {
		j := p - 1 - i
		c := int8(st.vpos[j/64]>>(j%64)&1) - int8(st.vneg[j/64]>>(j%64)&1)
		out[i] = sign * c
	}
	return nonzeroMask(delta)
}
