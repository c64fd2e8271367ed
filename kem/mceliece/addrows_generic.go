//go:build !amd64 || purego

package mceliece

func addMaskedRows(dst []uint64, src [][rowStride]uint64, lo int, masks []uint64) {
	addMaskedRowsGeneric(dst, src, lo, masks)
}

func addRowsByBits(dst []uint64, src [][rowStride]uint64, lo int, bits uint64, nm int) {
	addRowsByBitsGeneric(dst, src, lo, bits, nm)
}
