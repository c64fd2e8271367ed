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

// r3Mul sets out = a*b in R/3 (portable bit-sliced code).
func r3Mul(out *[p]int8, a, b *[p]int8) {
	r3MulGeneric(out, a, b)
}

// mulState is the working memory of the AVX2 products; the portable
// products need none.
type mulState struct{}

// clear does nothing: the portable products clear their own memory.
func (*mulState) clear() {}

// rqMulSmallUsing is rqMulSmall (the AVX2 build passes working memory).
func rqMulSmallUsing(_ *mulState, out *[p]int16, a *[p]int16, b *[p]int8) {
	rqMulSmallGeneric(out, a, b)
}

// r3MulUsing is r3Mul (the AVX2 build passes working memory).
func r3MulUsing(_ *mulState, out *[p]int8, a, b *[p]int8) {
	r3MulGeneric(out, a, b)
}

// rqMulSmallDigits sets d to the digits Encode takes for Round(a*b).
func rqMulSmallDigits(_ *mulState, d *[p]uint16, a *[p]int16, b *[p]int8) {
	rqMulSmallDigitsGeneric(d, a, b)
}

// rqMulSmallTimes3Mod3 sets e to 3*a*b in R/q mapped to R/3.
func rqMulSmallTimes3Mod3(m *mulState, e *[p]int8, a *[p]int16, b *[p]int8) {
	times3Mod3Generic(m, e, a, b)
}
