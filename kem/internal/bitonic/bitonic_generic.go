//go:build !amd64 || purego

package bitonic

// HasAVX2 reports whether Sort uses the AVX2 kernels: never in this build.
func HasAVX2() bool { return false }

func sort(x []uint32) { sortGeneric(x) }
