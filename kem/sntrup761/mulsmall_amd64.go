//go:build amd64 && !purego

package sntrup761

import "golang.org/x/sys/cpu"

// The AVX2 products: rqMulSmall (R/q times small) and r3Mul (R/3 times
// R/3) both take the exact integer product of two 768-coefficient int16
// polynomials (p = 761 padded with zeros) from mulIntAVX2, then fold it
// modulo x^p - x - 1 and reduce each coefficient.
//
// mulIntAVX2 runs three levels of Karatsuba (add16AVX2 forms the sums,
// karaCombineAVX2 the recombinations) over 27 products of 96 coefficients
// in mulLeafAVX2, whose VPMADDWD multiplies two 16-bit pairs into one
// 32-bit lane: 16 multiply-adds an instruction, accumulated in int32 (32
// in mulLeafAVX512, where the CPU has AVX512BW).
// Bounds: with |a| <= q12 and |b| <= 2 (2 only from a malformed private
// key), a Karatsuba sum of eight coefficients stays below 8*q12 < 2^15 and
// one of b below 17, so the 16-bit inputs are exact; a leaf coefficient
// stays below 96*8*q12*16 < 2^25 and every recombined one below 2^27, so
// int32 never overflows. Every size, loop count and address is fixed:
// nothing depends on the coefficients.

// leafN is the size of the leaf products' operands; leafScratch their
// scratch in int32: b among zeros, then the table of pairs (b[k], b[k-1]).
const (
	leafN       = 96
	leafScratch = 256
)

//go:noescape
func mulLeafAVX2(c *[2 * leafN]int32, a, b *[leafN]int16, w *[leafScratch]int32)

//go:noescape
func mulLeafAVX512(c *[2 * leafN]int32, a, b *[leafN]int16, w *[leafScratch]int32)

// useAVX512 selects mulLeafAVX512 (the same leaf on 512-bit registers,
// about a third faster on this project's benchmark machine) on CPUs with
// AVX512F and AVX512BW whose OS saves the 512-bit state; tests flip it to
// compare both leaves.
var useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW

//go:noescape
func widen8AVX2(dst *[mulN]int16, src *[p]int8, two int16)

//go:noescape
func narrow8AVX2(dst *[p]int8, src *[mulN]int16)

//go:noescape
func add16AVX2(dst, x, y *int16, n int)

//go:noescape
func karaCombineAVX2(out, z1 *int32, h int)

//go:noescape
func foldFreezeAVX2(out *[mulN]int16, c *[2 * mulN]int32, mode int)

// The modes of foldFreezeAVX2, and the float32 reciprocals it holds as
// constants (bit patterns checked by the tests).
const (
	foldModQ       = 0 // x mod q
	foldMod3       = 1 // x mod 3
	foldDigit      = 2 // (x mod q) rounded to a multiple of 3, as Encode's digit
	foldTimes3Mod3 = 3 // (3(x mod q) mod q) mod 3

	foldInvQBits = 0x396465ee // float32(1/q)
	foldInv3Bits = 0x3eaaaaab // float32(1/3)
)

// foldScalar is foldFreezeAVX2's mode on one sum x (for out[0]).
func foldScalar(x int32, mode int) int16 {
	switch mode {
	case foldMod3:
		return int16(freeze3(x))
	case foldDigit:
		r := int32(freezeQ(x))
		return int16((r - int32(freeze3(r)) + q12) / 3)
	case foldTimes3Mod3:
		return int16(freeze3(int32(freezeQ(3 * int32(freezeQ(x))))))
	}
	return freezeQ(x)
}

// mulScratch is the working memory of one mulIntAVX2 call.
type mulScratch struct {
	sums [2 * mulN]int16 // Karatsuba sums a0+a1 and b0+b1, level by level
	z1   [2 * mulN]int32 // middle products, level by level
	leaf [leafScratch]int32
}

// mulIntAVX2 sets out = a*b exactly (see the bounds above).
func mulIntAVX2(out *[2 * mulN]int32, a, b *[mulN]int16, s *mulScratch) {
	karaAVX2(out[:], a[:], b[:], s.sums[:], s.z1[:], &s.leaf)
}

// karaAVX2 sets out[:2n] = a*b for len(a) == len(b) == n = leafN*2^k.
func karaAVX2(out []int32, a, b, sums []int16, z1 []int32, leaf *[leafScratch]int32) {
	n := len(a)
	if n == leafN {
		if useAVX512 {
			mulLeafAVX512((*[2 * leafN]int32)(out), (*[leafN]int16)(a), (*[leafN]int16)(b), leaf)
		} else {
			mulLeafAVX2((*[2 * leafN]int32)(out), (*[leafN]int16)(a), (*[leafN]int16)(b), leaf)
		}
		return
	}
	h := n / 2
	karaAVX2(out[:n], a[:h], b[:h], sums, z1, leaf)
	karaAVX2(out[n:2*n], a[h:], b[h:n], sums, z1, leaf)
	sa, sb := sums[:h], sums[h:n]
	add16AVX2(&sa[0], &a[0], &a[h], h)
	add16AVX2(&sb[0], &b[0], &b[h], h)
	karaAVX2(z1[:n], sa, sb, sums[n:], z1[n:], leaf)
	karaCombineAVX2(&out[0], &z1[0], h)
}

// rqMulSmall sets out = a*b in R/q (a in [-q12, q12], b small), with AVX2
// when the CPU has it.
func rqMulSmall(out *[p]int16, a *[p]int16, b *[p]int8) {
	var m mulState
	defer m.clear()
	rqMulSmallUsing(&m, out, a, b)
}

// r3Mul sets out = a*b in R/3, with AVX2 when the CPU has it; see
// r3MulGeneric.
func r3Mul(out *[p]int8, a, b *[p]int8) {
	var m mulState
	defer m.clear()
	r3MulUsing(&m, out, a, b)
}

// rqMulSmallUsing is rqMulSmall with the working memory m, which an
// operation doing several products declares (and clears) once.
func rqMulSmallUsing(m *mulState, out *[p]int16, a *[p]int16, b *[p]int8) {
	if !useAVX2 {
		rqMulSmallGeneric(out, a, b)
		return
	}
	rqMulSmallAVX2(m, out, a, b)
}

// rqMulSmallDigits sets d to the digits Encode takes for Round(a*b), the
// product in R/q with each coefficient rounded to the nearest multiple of
// 3 (spec: Round): (c + q12)/3 in [0, (q+2)/3).
func rqMulSmallDigits(m *mulState, d *[p]uint16, a *[p]int16, b *[p]int8) {
	if !useAVX2 {
		rqMulSmallDigitsGeneric(d, a, b)
		return
	}
	m.product(a, b, foldDigit)
	for i := range d {
		d[i] = uint16(m.out[i])
	}
}

// rqMulSmallTimes3Mod3 sets e to 3*a*b in R/q mapped coefficientwise to
// R/3 (decapsulation's first step).
func rqMulSmallTimes3Mod3(m *mulState, e *[p]int8, a *[p]int16, b *[p]int8) {
	if !useAVX2 {
		times3Mod3Generic(m, e, a, b)
		return
	}
	m.product(a, b, foldTimes3Mod3)
	m.narrowOut(e)
}

// r3MulUsing is r3Mul with the working memory m.
func r3MulUsing(m *mulState, out *[p]int8, a, b *[p]int8) {
	if !useAVX2 {
		r3MulGeneric(out, a, b)
		return
	}
	r3MulAVX2(m, out, a, b)
}

// mulState is the working memory of the AVX2 products. The coefficients
// of a and b from p on stay zero: the products write only the first p.
type mulState struct {
	a, b, out [mulN]int16
	c         [2 * mulN]int32
	s         mulScratch
}

// clear zeroes the state (it held secret operands).
func (m *mulState) clear() { *m = mulState{} }

// widen sets dst[:p] to src widened to int16; with r3 a coefficient 2 (a
// malformed private key's; src holds only -1, 0, 1, 2) becomes -1, as in
// r3MulGeneric, otherwise it stays 2, as in rqMulSmallGeneric.
func widen(dst *[mulN]int16, src *[p]int8, r3 bool) {
	two := int16(0)
	if r3 {
		two = -3
	}
	widen8AVX2(dst, src, two)
	for i := 752; i < p; i++ {
		x := int16(src[i])
		dst[i] = x + two&-int16(uint16(1-x)>>15) // x > 1: add two
	}
}

// fold sets m.out to the product folded modulo x^p - x - 1 (x^(p+k) =
// x^(k+1) + x^k; c[2p-1] == 0) and reduced as mode says. A product
// coefficient is at most p*q12*2 in absolute value, so a folded sum of
// three stays below 2^24, as foldFreezeAVX2 needs.
func (m *mulState) fold(mode int) {
	foldFreezeAVX2(&m.out, &m.c, mode)
	m.out[0] = foldScalar(m.c[0]+m.c[p], mode)
}

// narrowOut copies m.out[:p] (values in {-1, 0, 1}) to dst.
func (m *mulState) narrowOut(dst *[p]int8) {
	narrow8AVX2(dst, &m.out)
	for i := 752; i < p; i++ {
		dst[i] = int8(m.out[i])
	}
}

// product sets m.out to a*b in R/q reduced as mode says.
func (m *mulState) product(a *[p]int16, b *[p]int8, mode int) {
	copy(m.a[:], a[:])
	widen(&m.b, b, false)
	mulIntAVX2(&m.c, &m.a, &m.b, &m.s)
	m.fold(mode)
}

// rqMulSmallAVX2 sets out = a*b in R/q (a in [-q12, q12], b small).
func rqMulSmallAVX2(m *mulState, out *[p]int16, a *[p]int16, b *[p]int8) {
	m.product(a, b, foldModQ)
	copy(out[:], m.out[:p])
}

// r3MulAVX2 sets out = a*b in R/3 (coefficients -1, 0, 1, and 2 from a
// malformed private key, which counts as -1 as in r3MulGeneric).
func r3MulAVX2(m *mulState, out *[p]int8, a, b *[p]int8) {
	widen(&m.a, a, true)
	widen(&m.b, b, true)
	mulIntAVX2(&m.c, &m.a, &m.b, &m.s)
	m.fold(foldMod3)
	m.narrowOut(out)
}
