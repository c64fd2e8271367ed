//go:build !amd64 || purego

package mceliece

func maskVals(c, g *fftVals, x *[q / 64]uint64) { maskValsGeneric(c, g, x) }

func roots(x *[q / 64]uint64, ev *fftVals) { rootsGeneric(x, ev) }
