//go:build !amd64 || purego

package mceliece

func vecMul4(h, f, g *vec4) { vecMul4Generic(h, f, g) }
