//go:build amd64 && !purego

package sntrup761

import (
	"crypto/rand"
	"math"
	"testing"

	"golang.org/x/sys/cpu"
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

// randomCoeffs returns p random coefficients in {-1, 0, 1} or, with
// twos, in {-1, 0, 1, 2} (2 as in a malformed private key).
func randomCoeffs(t *testing.T, twos bool) (b [p]int8) {
	buf := randomBytes(t, p)
	n := byte(3)
	if twos {
		n = 4
	}
	for i := range b {
		b[i] = int8(buf[i]%n) - 1
	}
	return b
}

// forEachLeaf runs f once with mulLeafAVX2 and, where the CPU has
// AVX512F and AVX512BW, once with mulLeafAVX512 (saying so when it
// cannot).
func forEachLeaf(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	if !useAVX2 {
		t.Skip("CPU lacks AVX2: the AVX2 products are not used on this machine")
	}
	old := useAVX512
	defer func() { useAVX512 = old }()
	useAVX512 = false
	t.Run("AVX2", f)
	if !(cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW) {
		t.Log("CPU lacks AVX512F/AVX512BW: mulLeafAVX512 not tested here")
		return
	}
	useAVX512 = true
	t.Run("AVX512", f)
}

// TestMulIntAVX2Exact checks the Karatsuba/VPMADDWD integer product on all
// 768 coefficients against schoolbook multiplication, at the bounds it is
// specified for (|a| <= q12, |b| <= 2) and on random inputs.
func TestMulIntAVX2Exact(t *testing.T) {
	forEachLeaf(t, func(t *testing.T) {
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
	})
}

// TestRqMulSmallAVX2Extremes compares the AVX2 and generic R/q products on
// the extremes: ±q12 everywhere, all -1/0/1 patterns of b, and the
// coefficient 2 a malformed private key can hold.
func TestRqMulSmallAVX2Extremes(t *testing.T) {
	forEachLeaf(t, func(t *testing.T) {
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
				rqMulSmallAVX2(new(mulState), &got, &a, &b)
				rqMulSmallGeneric(&want, &a, &b)
				if got != want {
					t.Fatalf("a pattern %d, b pattern %d: AVX2 and generic R/q products differ", ai, bi)
				}
			}
		}
	})
}

// TestR3MulAVX2MatchesGeneric compares the AVX2 and bit-sliced R/3
// products on random inputs, constant ones and coefficients 2.
func TestR3MulAVX2MatchesGeneric(t *testing.T) {
	forEachLeaf(t, func(t *testing.T) {
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
			r3MulAVX2(new(mulState), &got, &a, &b)
			r3MulGeneric(&want, &a, &b)
			if got != want {
				t.Fatalf("trial %d: AVX2 and generic R/3 products differ", trial)
			}
		}
	})
}

// TestProductsGenericPath runs the dispatchers with AVX2 switched off, so
// that the portable path is what rqMulSmall and r3Mul compute here too.
func TestProductsGenericPath(t *testing.T) {
	old := useAVX2
	defer func() { useAVX2 = old }()
	a, b, c := randomRq(t), randomCoeffs(t, false), randomCoeffs(t, false)
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

// TestFoldFreezeAVX2 checks each mode of the float32 reduction against
// foldScalar (freezeQ and freeze3) where rounding x/m is closest to going
// wrong (x at a multiple of q or 3 plus or minus (m-1)/2 and one beyond),
// at ±(2^24-1) and on random sums; it checks the folding on a random
// product and the reciprocals' bit patterns.
func TestFoldFreezeAVX2(t *testing.T) {
	if !useAVX2 {
		t.Skip("CPU lacks AVX2: the AVX2 reduction is not used on this machine")
	}
	if math.Float32bits(1.0/q) != foldInvQBits || math.Float32bits(1.0/3) != foldInv3Bits {
		t.Fatal("foldFreezeAVX2's reciprocal constants are not float32(1/q), float32(1/3)")
	}
	var xs []int32
	const limit = 1<<24 - 1
	for _, m := range []int32{q, 3} {
		for k := -limit / m; k <= limit/m; k += 1 + limit/m/500 {
			for _, d := range []int32{-m/2 - 1, -m / 2, -m/2 + 1, 0, m/2 - 1, m / 2, m/2 + 1} {
				if x := k*m + d; x >= -limit && x <= limit {
					xs = append(xs, x)
				}
			}
		}
	}
	xs = append(xs, limit, -limit, 0, 1, -1)
	buf := randomBytes(t, 4*1000)
	for i := 0; i < 1000; i++ {
		xs = append(xs, int32(uint32(buf[4*i])|uint32(buf[4*i+1])<<8|uint32(buf[4*i+2])<<16)%limit*int32(1-2*int(buf[4*i+3]&1)))
	}
	for mode := foldModQ; mode <= foldTimes3Mod3; mode++ {
		for rest := xs; len(rest) > 0; {
			var m mulState
			n := copy(m.c[1:p], rest) // c[i+p], c[i+p-1] stay 0 for i < p
			rest = rest[n:]
			foldFreezeAVX2(&m.out, &m.c, mode)
			for i := 1; i <= n; i++ {
				if got, want := m.out[i], foldScalar(m.c[i], mode); got != want {
					t.Fatalf("mode %d: %d gave %d, want %d", mode, m.c[i], got, want)
				}
			}
		}
	}
	// Folding: every position of a random product.
	var m mulState
	buf = randomBytes(t, 4*2*mulN)
	for i := 0; i < 2*p-1; i++ {
		m.c[i] = int32(uint32(buf[4*i])|uint32(buf[4*i+1])<<8)%(1<<22) - 1<<21
	}
	m.fold(foldModQ)
	var want [p]int32
	copy(want[:], m.c[:p])
	for i := 2*p - 2; i >= p; i-- {
		want[i-p] += m.c[i]
		want[i-p+1] += m.c[i]
	}
	for i := range want {
		if freezeQ(want[i]) != m.out[i] {
			t.Fatalf("folded coefficient %d = %d, want %d", i, m.out[i], freezeQ(want[i]))
		}
	}
}

// TestFusedProductsMatchGeneric: the rounded product's digits of
// encapsulation and the R/3 image of 3 times the product of
// decapsulation, AVX2 against generic.
func TestFusedProductsMatchGeneric(t *testing.T) {
	forEachLeaf(t, func(t *testing.T) {
		var m mulState
		for trial := 0; trial < 20; trial++ {
			a, b := randomRq(t), randomCoeffs(t, false)
			if trial == 0 {
				for i := range a {
					a[i], b[i] = q12, 1
				}
			}
			var got16, want16 [p]uint16
			rqMulSmallDigits(&m, &got16, &a, &b)
			rqMulSmallDigitsGeneric(&want16, &a, &b)
			var got8, want8 [p]int8
			rqMulSmallTimes3Mod3(&m, &got8, &a, &b)
			times3Mod3Generic(nil, &want8, &a, &b)
			if got16 != want16 || got8 != want8 {
				t.Fatalf("trial %d: fused products differ from the generic ones", trial)
			}
		}
	})
}

// TestMulStateReuse: one working memory serves R/q and R/3 products in
// turn (as in decapsulation) with the generic results.
func TestMulStateReuse(t *testing.T) {
	forEachLeaf(t, func(t *testing.T) {
		var m mulState
		for trial := 0; trial < 6; trial++ {
			a, b, c := randomRq(t), randomCoeffs(t, true), randomCoeffs(t, true)
			var got16, want16 [p]int16
			var got8, want8 [p]int8
			rqMulSmallUsing(&m, &got16, &a, &b)
			r3MulUsing(&m, &got8, &b, &c)
			rqMulSmallGeneric(&want16, &a, &b)
			r3MulGeneric(&want8, &b, &c)
			if got16 != want16 || got8 != want8 {
				t.Fatalf("trial %d: products with a reused state differ from the generic ones", trial)
			}
		}
	})
}
