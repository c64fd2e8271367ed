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
