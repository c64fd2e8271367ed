//go:build !amd64 || purego

package mctiny

const useAVX2 = false

func bitsOf(dst []uint64, pos *[2 * mceT]uint64, start, width uint64) {
	bitsOfGeneric(dst, pos, start, width)
}
