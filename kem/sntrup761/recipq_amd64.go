//go:build amd64 && !purego

package sntrup761

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 R/q inversion; tests flip it to compare paths.
var useAVX2 = cpu.X86.HasAVX2

// rqRecip3 sets out = 1/(3*in) in R/q, with AVX2 when the CPU has it.
func rqRecip3(out *[p]int16, in *[p]int8) {
	if useAVX2 {
		rqRecip3AVX2(out, in)
		return
	}
	rqRecip3Generic(out, in)
}

//go:noescape
func divstepsAVX2(st *rqVec)
