//go:build !amd64 || purego

package sntrup761

// r3Recip sets out = 1/in in R/3 (portable bit-sliced code); see
// r3RecipGeneric.
func r3Recip(out *[p]int8, in *[p]int8) int32 {
	return r3RecipGeneric(out, in)
}
