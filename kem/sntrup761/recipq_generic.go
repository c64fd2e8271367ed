//go:build !amd64 || purego

package sntrup761

// rqRecip3 sets out = 1/(3*in) in R/q (portable word-parallel code).
func rqRecip3(out *[p]int16, in *[p]int8) {
	rqRecip3Generic(out, in)
}

// rqMulSmall sets out = a*b in R/q (portable code).
func rqMulSmall(out *[p]int16, a *[p]int16, b *[p]int8) {
	rqMulSmallGeneric(out, a, b)
}
