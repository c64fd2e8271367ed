package sntrup761

// Polynomial arithmetic in R/q = (Z/q)[x]/(x^p - x - 1) and
// R/3 = (Z/3)[x]/(x^p - x - 1). Fq elements are int16 in [-q12, q12];
// F3 and "small" elements are int8 in {-1, 0, 1}.

// mulSmall computes the exact integer product of a (|a[i]| <= q12) and b
// (|b[i]| <= 1) reduced modulo x^p - x - 1, as int32 coefficients bounded
// by 3*p*q12 in absolute value.
func mulSmall(out *[p]int32, a *[p]int16, b *[p]int8) {
	var prod [2*p - 1]int32
	for i := 0; i < p; i++ {
		ai := int32(a[i])
		row := prod[i : i+p]
		for j, bj := range b {
			row[j] += ai * int32(bj)
		}
	}
	reduceProduct(out, &prod)
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
