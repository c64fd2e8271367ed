package sntrup761

// Constant-time scalar arithmetic modulo q and modulo 3.

// freezeQ reduces x (|x| < 2^30) modulo q into [-q12, q12] without branches.
func freezeQ(x int32) int16 {
	// quot = floor(x * floor(2^32/q) / 2^32) is x/q rounded down or one
	// less, so r lies in (-q/4, 5q/4): at most one correction each way.
	quot := int32((int64(x) * 935518) >> 32)
	r := x - quot*q
	r += q & (r >> 31)
	r -= q
	r += q & (r >> 31)
	// r in [0, q): move to [-q12, q12].
	r -= q & ((q12 - r) >> 31)
	return int16(r)
}

// freeze3 reduces x (|x| < 2^24) modulo 3 into {-1, 0, 1} without branches.
func freeze3(x int32) int8 {
	// round(x/3) = floor((x * ceil(2^32/3) + 2^31) / 2^32) for small |x|.
	quot := int32((int64(x)*1431655766 + (1 << 31)) >> 32)
	return int8(x - 3*quot)
}

// recipQ returns 1/a modulo q (a^(q-2)) for a in [-q12, q12], centred;
// 0 for a == 0. Its running time does not depend on a.
func recipQ(a int16) int16 {
	x := int32(a)
	acc := int32(1)
	// q - 2 = 4589 = 0b1000111101101, scanned from the top (public exponent).
	for e := 12; e >= 0; e-- {
		acc = int32(freezeQ(acc * acc))
		if (q-2)>>e&1 == 1 {
			acc = int32(freezeQ(acc * x))
		}
	}
	return int16(acc)
}

// nonzeroMask returns -1 if x != 0 and 0 otherwise.
func nonzeroMask(x int32) int32 {
	return int32(uint32(x|-x)>>31) * -1
}

// negativeMask returns -1 if x < 0 and 0 otherwise.
func negativeMask(x int32) int32 {
	return x >> 31
}
