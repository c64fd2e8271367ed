//go:build !amd64 || purego

package mceliece

func (bm *benesMasks) forward(x *[q / 64]uint64) { bm.forwardGeneric(x) }

func (bm *benesMasks) inverse(x *[q / 64]uint64) { bm.inverseGeneric(x) }
