//go:build amd64 && !purego

package mceliece

//go:noescape
func vecMul4AVX2(hp, fp, gp *vec4)

// vecMul4 sets h = f·g for each of the four interleaved vecs.
func vecMul4(h, f, g *vec4) {
	if useAVX2 {
		vecMul4AVX2(h, f, g)
		return
	}
	vecMul4Generic(h, f, g)
}
