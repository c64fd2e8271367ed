package mceliece

// vec4 holds four vecs interleaved: vec4[k][l] is plane k of vec l, so
// that one 256-bit register holds plane k of all four.
type vec4 [M][4]uint64

// vecMul4Generic sets h = f·g for each of the four vecs.
func vecMul4Generic(h, f, g *vec4) {
	for l := 0; l < 4; l++ {
		var a, b, c vec
		for k := 0; k < M; k++ {
			a[k], b[k] = f[k][l], g[k][l]
		}
		vecMul(&c, &a, &b)
		for k := 0; k < M; k++ {
			h[k][l] = c[k]
		}
	}
}

// vecSq4 sets h = f² for each of the four interleaved vecs (squaring is
// linear: plane i moves to plane 2i, then reduction).
func vecSq4(h, f *vec4) {
	var buf [2*M - 1][4]uint64
	for i := 0; i < M; i++ {
		buf[2*i] = f[i]
	}
	for i := 2*M - 2; i >= M; i-- {
		b := buf[i]
		for l := 0; l < 4; l++ {
			buf[i-9][l] ^= b[l]
			buf[i-10][l] ^= b[l]
			buf[i-12][l] ^= b[l]
			buf[i-13][l] ^= b[l]
		}
	}
	copy(h[:], buf[:M])
}
