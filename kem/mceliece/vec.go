package mceliece

// Bit-sliced GF(2^13) arithmetic: a vec holds 64 field elements, word k
// holding bit k (the coefficient of z^k) of each of the 64 lanes.

type vec = [M]uint64

// vecMulLoop sets h = f·g lane by lane (the plain form of vecMul).
func vecMulLoop(h, f, g *vec) {
	var buf [2*M - 1]uint64
	for i := 0; i < M; i++ {
		fi := f[i]
		for j := 0; j < M; j++ {
			buf[i+j] ^= fi & g[j]
		}
	}
	for i := 2*M - 2; i >= M; i-- {
		b := buf[i]
		buf[i-9] ^= b
		buf[i-10] ^= b
		buf[i-12] ^= b
		buf[i-13] ^= b
	}
	copy(h[:], buf[:M])
}

// vecSq sets h = f² lane by lane.
func vecSq(h, f *vec) {
	var buf [2*M - 1]uint64
	for i := 0; i < M; i++ {
		buf[2*i] = f[i]
	}
	for i := 2*M - 2; i >= M; i-- {
		b := buf[i]
		buf[i-9] ^= b
		buf[i-10] ^= b
		buf[i-12] ^= b
		buf[i-13] ^= b
	}
	copy(h[:], buf[:M])
}

// vecInv sets h = f^(2^13-2) lane by lane (the inverse, 0 for 0).
func vecInv(h, f *vec) {
	r := *f
	for i := 0; i < M-2; i++ {
		vecSq(&r, &r)
		vecMul(&r, &r, f)
	}
	vecSq(h, &r)
}

// vecFromGF packs up to 64 field elements into a vec.
func vecFromGF(v *vec, a []gf) {
	*v = vec{}
	for l, x := range a {
		for k := 0; k < M; k++ {
			v[k] |= uint64((x>>k)&1) << l
		}
	}
}

// vecBroadcast sets every lane of v to a.
func vecBroadcast(v *vec, a gf) {
	for k := 0; k < M; k++ {
		v[k] = -uint64((a >> k) & 1)
	}
}

// vecOrPlanes returns the OR of all planes: a lane is zero iff its bit is
// clear in the result.
func vecOrPlanes(v *vec) uint64 {
	var r uint64
	for _, w := range v {
		r |= w
	}
	return r
}
