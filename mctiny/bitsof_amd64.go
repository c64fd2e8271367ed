//go:build amd64 && !purego

package mctiny

import "golang.org/x/sys/cpu"

var (
	useAVX2   = cpu.X86.HasAVX2
	useAVX512 = cpu.X86.HasAVX512F
)

// bitsOfAVX2 is bitsOfGeneric for exactly blockWords output words: four
// candidates at a time, one YMM accumulator per output word.
//
//go:noescape
func bitsOfAVX2(dst *[blockWords]uint64, pos *[2 * mceT]uint64, start, width uint64)

// bitsOfAVX512 is bitsOfAVX2 with AVX-512F, eight candidates at a time.
//
//go:noescape
func bitsOfAVX512(dst *[blockWords]uint64, pos *[2 * mceT]uint64, start, width uint64)

// bitsOf writes the bits of e at [start, start+width) into dst (see
// errorVector.bitsOf), with AVX-512F or AVX2 when the CPU has them: in windows of
// 64·blockWords bits, each a pass over the candidates.
func bitsOf(dst []uint64, pos *[2 * mceT]uint64, start, width uint64) {
	bitsOfWith(useAVX512, useAVX2, dst, pos, start, width)
}

// bitsOfWith is bitsOf with the given kernels allowed (for the tests).
func bitsOfWith(avx512, avx2 bool, dst []uint64, pos *[2 * mceT]uint64, start, width uint64) {
	if !avx512 && !avx2 {
		bitsOfGeneric(dst, pos, start, width)
		return
	}
	const span = 64 * blockWords
	var tmp [blockWords]uint64
	for off := 0; off < len(dst); off += blockWords {
		w := width - min(width, uint64(off)*64)
		w = min(w, span)
		if n := len(dst) - off; n < blockWords {
			bitsOfKernel(avx512, &tmp, pos, start+uint64(off)*64, w)
			copy(dst[off:], tmp[:n])
			clear(tmp[:])
			continue
		}
		bitsOfKernel(avx512, (*[blockWords]uint64)(dst[off:]), pos, start+uint64(off)*64, w)
	}
}

func bitsOfKernel(avx512 bool, dst *[blockWords]uint64, pos *[2 * mceT]uint64, start, width uint64) {
	if avx512 {
		bitsOfAVX512(dst, pos, start, width)
	} else {
		bitsOfAVX2(dst, pos, start, width)
	}
}
