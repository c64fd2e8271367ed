//go:build amd64 && !purego

package mceliece

import "golang.org/x/sys/cpu"

var useAVX2 = cpu.X86.HasAVX2

//go:noescape
func addMaskedRowsAVX2(dst *uint64, n int, src *uint64, stride int, masks *uint64, nm int)

// addMaskedRows sets dst[x] ^= Σ_j src[j][lo+x] & masks[j], with AVX2 when
// the CPU has it.
func addMaskedRows(dst []uint64, src [][rowStride]uint64, lo int, masks []uint64) {
	if len(masks) == 0 || len(dst) == 0 {
		return
	}
	if !useAVX2 || len(dst)%4 != 0 || len(src) < len(masks) || lo+len(dst) > rowStride {
		addMaskedRowsGeneric(dst, src, lo, masks)
		return
	}
	addMaskedRowsAVX2(&dst[0], len(dst), &src[0][lo], rowStride*8, &masks[0], len(masks))
}

//go:noescape
func addRowsByBitsAVX2(dst *uint64, n int, src *uint64, stride int, bits uint64, nm int, sel *[64][4]uint64)

// bitSelect[j] is 1<<j in four lanes (read-only after init).
var bitSelect = func() (t [64][4]uint64) {
	for j := range t {
		for l := range t[j] {
			t[j][l] = 1 << j
		}
	}
	return t
}()

// addRowsByBits sets dst[x] ^= Σ_{j<nm} src[j][lo+x] & -(bits>>j & 1).
func addRowsByBits(dst []uint64, src [][rowStride]uint64, lo int, bits uint64, nm int) {
	if nm == 0 || len(dst) == 0 {
		return
	}
	if !useAVX2 || len(dst)%4 != 0 || len(src) < nm || lo+len(dst) > rowStride {
		addRowsByBitsGeneric(dst, src, lo, bits, nm)
		return
	}
	addRowsByBitsAVX2(&dst[0], len(dst), &src[0][lo], rowStride*8, bits, nm, &bitSelect)
}
