package sntrup761

// Polynomial arithmetic in R/q = (Z/q)[x]/(x^p - x - 1) and
// R/3 = (Z/3)[x]/(x^p - x - 1). Fq elements are int16 in [-q12, q12];
// F3 and "small" elements are int8 in {-1, 0, 1}.

// mulSmall computes the exact integer product of a (|a[i]| <= q12) and b
// (|b[i]| <= 1) reduced modulo x^p - x - 1, as int32 coefficients bounded
// by 3*p*q12 in absolute value. It runs four levels of Karatsuba over
// 48-coefficient schoolbook blocks: intermediate sums stay below
// 48 * (16*q12) * 16 < 2^25, so int32 never overflows.
func mulSmall(out *[p]int32, a *[p]int16, b *[p]int8) {
	var A, B [mulN]int32
	var prod [2 * mulN]int32
	var tmp [4 * mulN]int32
	for i := range p {
		A[i] = int32(a[i])
		B[i] = int32(b[i])
	}
	karatsuba(prod[:], A[:], B[:], tmp[:])
	reduceProduct(out, (*[2*p - 1]int32)(prod[:2*p-1]))
	clear(A[:])
	clear(B[:])
	clear(prod[:])
	clear(tmp[:])
}

// mulN is p rounded up to 48 * 2^4.
const mulN = 768

// karatsuba sets out[:2n] = a*b for len(a) == len(b) == n, using tmp
// (at least 4n long) as scratch.
func karatsuba(out, a, b, tmp []int32) {
	n := len(a)
	if n <= 48 {
		schoolbook(out[:2*n], a, b[:n])
		return
	}
	h := n / 2
	karatsuba(out[:n], a[:h], b[:h], tmp)
	karatsuba(out[n:2*n], a[h:], b[h:n], tmp)
	sa, sb, z1 := tmp[:h], tmp[h:n], tmp[n:2*n]
	a1, b1 := a[h:n], b[h:n]
	for i := range sa {
		sa[i] = a[i] + a1[i]
		sb[i] = b[i] + b1[i]
	}
	karatsuba(z1, sa, sb, tmp[2*n:])
	z0, z2 := out[:n], out[n:2*n]
	for i := range z1 {
		z1[i] -= z0[i] + z2[i]
	}
	mid := out[h : h+n]
	for i := range mid {
		mid[i] += z1[i]
	}
}

// schoolbook sets out[:2n] = a*b for len(a) == len(b) == n, n a multiple
// of 4 and at most 48.
//
// Two output coefficients come out of each 64-bit multiply-add: with
// B_j = b_j + b_(j+1)*2^32 (an exact int64, b zero outside 0..n-1),
// O_m = sum_i a_i*B_(2m-i) = c_(2m) + c_(2m+1)*2^32 where c = a*b. Every
// |c_k| < 2^31 here (see mulSmall), so both halves come back exactly. Rows
// of a are taken four at a time.
func schoolbook(out, a, b []int32) {
	n := len(b)
	const off = 4
	var bp [48 + 2*off]int64 // bp[x] = B_(x-off)
	for j := -1; j < n; j++ {
		lo := int64(0)
		if j >= 0 {
			lo = int64(b[j])
		}
		hi := int64(0)
		if j+1 < n {
			hi = int64(b[j+1])
		}
		bp[j+off] = lo + hi<<32
	}
	var o [48]int64
	for i := 0; i+3 < len(a); i += 4 {
		a0, a1, a2, a3 := int64(a[i]), int64(a[i+1]), int64(a[i+2]), int64(a[i+3])
		oo := o[i/2 : i/2+n/2+2]
		for m := range oo {
			w := bp[2*m+off-3 : 2*m+off+1]
			oo[m] += a0*w[3] + a1*w[2] + a2*w[1] + a3*w[0]
		}
	}
	for m := range n {
		c0 := int64(int32(o[m]))
		out[2*m] = int32(c0)
		out[2*m+1] = int32((o[m] - c0) >> 32)
	}
}

// reduceProduct folds a product of degree <= 2p-2 modulo x^p - x - 1:
// x^(p+k) = x^(k+1) + x^k.
func reduceProduct(out *[p]int32, prod *[2*p - 1]int32) {
	for i := 2*p - 2; i >= p; i-- {
		prod[i-p] += prod[i]
		prod[i-p+1] += prod[i]
	}
	copy(out[:], prod[:p])
}

// rqMulSmallGeneric sets out = a*b in R/q (portable Karatsuba code behind
// rqMulSmall).
func rqMulSmallGeneric(out *[p]int16, a *[p]int16, b *[p]int8) {
	var t [p]int32
	mulSmall(&t, a, b)
	for i, x := range t {
		out[i] = freezeQ(x)
	}
}

// r3MulGeneric sets out = a*b in R/3 (portable code behind r3Mul), bit-sliced: b is held as two 761-bit planes
// (see f3poly) and the product is built by Horner's rule over the
// coefficients of a, from the top: acc = x*acc + a_j*b. Multiplying by x
// shifts the planes up one bit and folds the coefficient that reaches x^p
// back as x + 1. Every step does the same word operations whatever the data.
func r3MulGeneric(out *[p]int8, a, b *[p]int8) {
	var bb, acc f3poly
	defer func() { bb, acc = f3poly{}, f3poly{} }()
	for i, x := range b {
		// Normalise: a malformed private key can hold 2, which is -1 here
		// as in the reference arithmetic.
		x = freeze3(int32(x))
		bb.pos[i/64] |= (uint64(x+1) >> 1 & 1) << (i % 64)
		bb.neg[i/64] |= (uint64(1-x) >> 1 & 1) << (i % 64)
	}
	const topWord, topBit = (p - 1) / 64, (p - 1) % 64
	for j := p - 1; j >= 0; j-- {
		// acc = x*acc mod x^p - x - 1.
		tpos := acc.pos[topWord] >> topBit & 1
		tneg := acc.neg[topWord] >> topBit & 1
		for i := words3 - 1; i > 0; i-- {
			acc.pos[i] = acc.pos[i]<<1 | acc.pos[i-1]>>63
			acc.neg[i] = acc.neg[i]<<1 | acc.neg[i-1]>>63
		}
		acc.pos[0] <<= 1
		acc.neg[0] <<= 1
		acc.pos[topWord] &^= 1 << (topBit + 1)
		acc.neg[topWord] &^= 1 << (topBit + 1)
		acc.pos[0], acc.neg[0] = add3(acc.pos[0], acc.neg[0], tpos|tpos<<1, tneg|tneg<<1)

		// acc += a_j*b.
		aj := int64(freeze3(int32(a[j])))
		sp := -(uint64(aj+1) >> 1 & 1) // all ones if a_j == 1
		sn := -(uint64(1-aj) >> 1 & 1) // all ones if a_j == -1
		for i := range words3 {
			acc.pos[i], acc.neg[i] = add3(acc.pos[i], acc.neg[i], bb.pos[i]&sp|bb.neg[i]&sn, bb.neg[i]&sp|bb.pos[i]&sn)
		}
	}
	for i := range out {
		out[i] = int8(acc.pos[i/64]>>(i%64)&1) - int8(acc.neg[i/64]>>(i%64)&1)
	}
}

// round rounds each coefficient of a to the nearest multiple of 3.
func round(out, a *[p]int16) {
	for i, x := range a {
		out[i] = x - int16(freeze3(int32(x)))
	}
}

// weightMask returns 0 if r has exactly w nonzero coefficients and -1
// otherwise.
func weightMask(r *[p]int8) int32 {
	weight := int32(0)
	for _, x := range r {
		weight += int32(x & 1)
	}
	return nonzeroMask(weight - w)
}

// times3Mod3Generic sets e to 3*a*b in R/q mapped coefficientwise to R/3,
// with the portable product.
func times3Mod3Generic(_ *mulState, e *[p]int8, a *[p]int16, b *[p]int8) {
	var t [p]int16
	rqMulSmallGeneric(&t, a, b)
	for i, x := range t {
		e[i] = freeze3(int32(freezeQ(3 * int32(x))))
	}
	clear(t[:])
}

// rqMulSmallDigitsGeneric sets d to (c + q12)/3 for c = Round(a*b) in R/q,
// the digits Encode takes for a ciphertext, with the portable product.
func rqMulSmallDigitsGeneric(d *[p]uint16, a *[p]int16, b *[p]int8) {
	var c [p]int16
	rqMulSmallGeneric(&c, a, b)
	round(&c, &c)
	roundedDigits(d, &c)
	clear(c[:])
}
