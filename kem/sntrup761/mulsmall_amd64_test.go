//go:build amd64 && !purego

package sntrup761

import (
	"crypto/rand"
	"testing"
)

// randomBytes returns n random bytes.
func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMulIntAVX2Exact checks the Karatsuba/VPMADDWD integer product on all
// 768 coefficients against schoolbook multiplication, at the bounds it is
// specified for (|a| <= q12, |b| <= 2) and on random inputs.
func TestMulIntAVX2Exact(t *testing.T) {
	if !useAVX2 {
		t.Skip("CPU lacks AVX2: the AVX2 product is not used on this machine")
	}
	for trial := 0; trial < 12; trial++ {
		var a, b [mulN]int16
		buf := randomBytes(t, 3*mulN)
		for i := range a {
			r := int16((int(buf[2*i])|int(buf[2*i+1])<<8)%q) - q12
			s := int16(buf[2*mulN+i]%5) - 2
			switch trial {
			case 0:
				a[i], b[i] = q12, 2
			case 1:
				a[i], b[i] = -q12, 2
			case 2:
				a[i], b[i] = q12, -2
			case 3:
				a[i], b[i] = int16(i%2*2-1)*q12, int16(i%2*4-2)
			case 4:
				a[i], b[i] = q12, 1
			case 5:
				a[i], b[i] = -q12, -1
			case 6:
				a[i], b[i] = r, 1
			case 7:
				a[i], b[i] = 1, s
			default:
				a[i], b[i] = r, s
			}
		}
		var want [2 * mulN]int64
		for i := range a {
			for j := range b {
				want[i+j] += int64(a[i]) * int64(b[j])
			}
		}
		var got [2 * mulN]int32
		var s mulScratch
		mulIntAVX2(&got, &a, &b, &s)
		for i := range want {
			if int64(got[i]) != want[i] {
				t.Fatalf("trial %d: coefficient %d = %d, want %d", trial, i, got[i], want[i])
			}
		}
	}
}

// TestRqMulSmallAVX2Extremes compares the AVX2 and generic R/q products on
// the extremes: ±q12 everywhere, all -1/0/1 patterns of b, and the
// coefficient 2 a malformed private key can hold.
func TestRqMulSmallAVX2Extremes(t *testing.T) {
	if !useAVX2 {
		t.Skip("CPU lacks AVX2: the AVX2 product is not used on this machine")
	}
	aPat := []func(i int, r int16) int16{
		func(int, int16) int16 { return q12 },
		func(int, int16) int16 { return -q12 },
		func(i int, _ int16) int16 { return int16(i%2*2-1) * q12 },
		func(int, int16) int16 { return 0 },
		func(_ int, r int16) int16 { return r },
	}
	bPat := []func(i int, r int8) int8{
		func(int, int8) int8 { return 1 },
		func(int, int8) int8 { return -1 },
		func(int, int8) int8 { return 0 },
		func(i int, _ int8) int8 { return int8(i%3) - 1 },
		func(int, int8) int8 { return 2 },
		func(_ int, r int8) int8 { return r },
		func(_ int, r int8) int8 { return r%2 + 1 }, // {0, 1, 2}: malformed key
	}
	for ai, fa := range aPat {
		for bi, fb := range bPat {
			buf := randomBytes(t, 3*p)
			var a [p]int16
			var b [p]int8
			for i := range a {
				a[i] = fa(i, int16((int(buf[2*i])|int(buf[2*i+1])<<8)%q)-q12)
				b[i] = fb(i, int8(buf[2*p+i]%3)-1)
			}
			var got, want [p]int16
			rqMulSmallAVX2(&got, &a, &b)
			rqMulSmallGeneric(&want, &a, &b)
			if got != want {
				t.Fatalf("a pattern %d, b pattern %d: AVX2 and generic R/q products differ", ai, bi)
			}
		}
	}
}

// TestR3MulAVX2MatchesGeneric compares the AVX2 and bit-sliced R/3
// products on random inputs, constant ones and coefficients 2.
func TestR3MulAVX2MatchesGeneric(t *testing.T) {
	if !useAVX2 {
		t.Skip("CPU lacks AVX2: the AVX2 product is not used on this machine")
	}
	for trial := 0; trial < 60; trial++ {
		buf := randomBytes(t, 2*p)
		var a, b [p]int8
		for i := range a {
			a[i], b[i] = int8(buf[i]%3)-1, int8(buf[p+i]%3)-1
			switch trial {
			case 0:
				a[i], b[i] = 1, 1
			case 1:
				a[i], b[i] = -1, -1
			case 2:
				a[i], b[i] = 1, -1
			case 3:
				a[i], b[i] = 2, 2
			case 4:
				b[i] = int8(buf[p+i]%4) - 1 // -1, 0, 1, 2
			case 5:
				a[i] = 0
			}
		}
		var got, want [p]int8
		r3MulAVX2(&got, &a, &b)
		r3MulGeneric(&want, &a, &b)
		if got != want {
			t.Fatalf("trial %d: AVX2 and generic R/3 products differ", trial)
		}
	}
}

// TestProductsGenericPath runs the dispatchers with AVX2 switched off, so
// that the portable path is what rqMulSmall and r3Mul compute here too.
func TestProductsGenericPath(t *testing.T) {
	old := useAVX2
	defer func() { useAVX2 = old }()
	buf := randomBytes(t, 4*p)
	var a [p]int16
	var b, c [p]int8
	for i := range a {
		a[i] = int16((int(buf[2*i])|int(buf[2*i+1])<<8)%q) - q12
		b[i], c[i] = int8(buf[2*p+i]%3)-1, int8(buf[3*p+i]%3)-1
	}
	var want16, got16 [p]int16
	var want8, got8 [p]int8
	rqMulSmallGeneric(&want16, &a, &b)
	r3MulGeneric(&want8, &b, &c)
	useAVX2 = false
	rqMulSmall(&got16, &a, &b)
	r3Mul(&got8, &b, &c)
	if got16 != want16 || got8 != want8 {
		t.Fatal("with useAVX2 off the dispatchers do not give the generic products")
	}
}
