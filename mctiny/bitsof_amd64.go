//go:build amd64 && !purego

package mctiny

import "golang.org/x/sys/cpu"

var useAVX2 = cpu.X86.HasAVX2

// bitsOfAVX2 is bitsOfGeneric for exactly blockWords output words: four
// candidates at a time, one YMM accumulator per output word.
//
//go:noescape
func bitsOfAVX2(dst *[blockWords]uint64, pos *[2 * mceT]uint64, start, width uint64)

// bitsOf writes the bits of e at [start, start+width) into dst (see
// errorVector.bitsOf), with AVX2 when the CPU has it: in windows of
// 64·blockWords bits, each a pass over the candidates.
func bitsOf(dst []uint64, pos *[2 * mceT]uint64, start, width uint64) {
	if !useAVX2 {
		bitsOfGeneric(dst, pos, start, width)
		return
	}
	const span = 64 * blockWords
	var tmp [blockWords]uint64
	for off := 0; off < len(dst); off += blockWords {
		w := width - min(width, uint64(off)*64)
		w = min(w, span)
		if n := len(dst) - off; n < blockWords {
			bitsOfAVX2(&tmp, pos, start+uint64(off)*64, w)
			copy(dst[off:], tmp[:n])
			clear(tmp[:])
			continue
		}
		bitsOfAVX2((*[blockWords]uint64)(dst[off:]), pos, start+uint64(off)*64, w)
	}
}
