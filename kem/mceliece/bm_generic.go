//go:build !amd64 || purego

package mceliece

func bmDiscrepancy(X, W *vec4) gf { return bmDiscrepancyGeneric(X, W) }

func bmUpdate(X, W *vec4, b, d gf, m64 uint64, c0, sn gf) {
	bmUpdateGeneric(X, W, b, d, m64, c0, sn)
}
