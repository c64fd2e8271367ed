//go:build amd64 && !purego

package sntrup761

// r3Recip sets out = 1/in in R/3, with AVX2 when the CPU has it; see
// r3RecipGeneric.
func r3Recip(out *[p]int8, in *[p]int8) int32 {
	if useAVX2 {
		return r3RecipAVX2(out, in)
	}
	return r3RecipGeneric(out, in)
}

//go:noescape
func r3StepsAVX2(st *r3Vec) int64
