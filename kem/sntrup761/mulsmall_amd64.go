//go:build amd64 && !purego

package sntrup761

// Layout of mulSmallAVX2's operands: the product's 2p-1 coefficients in
// 96 vectors of 16 lanes; a at offset mulOffQ among zeros, so that every
// shifted load a[o-j] stays inside the array; b padded with zeros to 77
// chunks of 10 terms.
const (
	mulOutQ   = 96 * 16
	mulOffQ   = 784
	mulPadQ   = mulOffQ + mulOutQ
	mulTermsQ = 770
)

//go:noescape
func mulSmallAVX2(c *[mulOutQ]int16, a *[mulPadQ]int16, b *[mulTermsQ]int16)

// rqMulSmall sets out = a*b in R/q (a in [-q12, q12], b small), with AVX2
// when the CPU has it.
func rqMulSmall(out *[p]int16, a *[p]int16, b *[p]int8) {
	if !useAVX2 {
		rqMulSmallGeneric(out, a, b)
		return
	}
	rqMulSmallAVX2(out, a, b)
}

// rqMulSmallAVX2 sets out = a*b in R/q (a in [-q12, q12], b small) with
// mulSmallAVX2, then folds the product modulo x^p - x - 1.
func rqMulSmallAVX2(out *[p]int16, a *[p]int16, b *[p]int8) {
	var ap [mulPadQ]int16
	var bs [mulTermsQ]int16
	var c [mulOutQ]int16
	var t [2*p - 1]int32
	defer clear(ap[:])
	defer clear(bs[:])
	defer clear(c[:])
	defer clear(t[:])
	copy(ap[mulOffQ:], a[:])
	for i, x := range b {
		bs[i] = int16(x)
	}
	mulSmallAVX2(&c, &ap, &bs)
	for i := range t {
		t[i] = int32(c[i])
	}
	// x^(p+k) = x^(k+1) + x^k; |t| stays below 4(q+1).
	for i := 2*p - 2; i >= p; i-- {
		t[i-p] += t[i]
		t[i-p+1] += t[i]
	}
	for i := range out {
		out[i] = freezeQ(t[i])
	}
}
