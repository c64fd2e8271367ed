//go:build amd64 && !purego

package bitonic

import "golang.org/x/sys/cpu"

var hasAVX2 = cpu.X86.HasAVX2

// HasAVX2 reports whether Sort uses the AVX2 kernels.
func HasAVX2() bool { return hasAVX2 }

//go:noescape
func smallStagesAVX2(x *uint32, n int, k int)

//go:noescape
func sortLevels24AVX2(x *uint32, n int)

//go:noescape
func stageAVX2(x *uint32, n int, j int, k int)

// sort runs the network with AVX2 once len(x) >= 16: levels 2 and 4 in one
// kernel, then each merge level's stages of stride >= 8 one at a time and
// its strides 4, 2 and 1 together.
func sort(x []uint32) {
	n := len(x)
	if !hasAVX2 || n < 16 {
		sortGeneric(x)
		return
	}
	sortLevels24AVX2(&x[0], n)
	for k := 8; k <= n; k <<= 1 {
		for j := k >> 1; j >= 8; j >>= 1 {
			stageAVX2(&x[0], n, j, k)
		}
		smallStagesAVX2(&x[0], n, k)
	}
}
