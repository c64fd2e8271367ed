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

// rqMulSmall sets out = a*b in R/q.
func rqMulSmall(out *[p]int16, a *[p]int16, b *[p]int8) {
	var t [p]int32
	mulSmall(&t, a, b)
	for i, x := range t {
		out[i] = freezeQ(x)
	}
}

// r3Mul sets out = a*b in R/3.
func r3Mul(out *[p]int8, a, b *[p]int8) {
	var a16 [p]int16
	for i, x := range a {
		a16[i] = int16(x)
	}
	var t [p]int32
	mulSmall(&t, &a16, b)
	for i, x := range t {
		out[i] = freeze3(x)
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
