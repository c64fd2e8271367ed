package sntrup761

import (
	"crypto/rand"
	"encoding/binary"
	"slices"
	"testing"
)

func centred(x, m int64) int64 {
	r := ((x % m) + m) % m
	if r > m/2 {
		r -= m
	}
	return r
}

func TestFreeze(t *testing.T) {
	check := func(x int32) {
		if got, want := int64(freezeQ(x)), centred(int64(x), q); got != want {
			t.Fatalf("freezeQ(%d) = %d, want %d", x, got, want)
		}
		if x > -1<<24 && x < 1<<24 {
			if got, want := int64(freeze3(x)), centred(int64(x), 3); got != want {
				t.Fatalf("freeze3(%d) = %d, want %d", x, got, want)
			}
		}
	}
	for x := int32(-200000); x <= 200000; x++ {
		check(x)
	}
	for _, x := range []int32{1<<30 - 1, -(1<<30 - 1), 1 << 29, -(1 << 29), 1<<24 - 1, -(1<<24 - 1)} {
		check(x)
	}
	var b [4]byte
	for i := 0; i < 100000; i++ {
		rand.Read(b[:])
		check(int32(binary.LittleEndian.Uint32(b[:])) >> 2)
	}
	for a := int16(-q12); a <= q12; a++ {
		inv := recipQ(a)
		if a != 0 && freezeQ(int32(a)*int32(inv)) != 1 {
			t.Fatalf("recipQ(%d) = %d", a, inv)
		}
	}
}

func TestSort(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 16, 100, p} {
		x := make([]uint32, n)
		b := make([]byte, 4*n)
		for trial := 0; trial < 20; trial++ {
			rand.Read(b)
			for i := range x {
				x[i] = binary.LittleEndian.Uint32(b[4*i:])
				if trial%2 == 1 {
					x[i] &= 7 // many ties
				}
			}
			want := slices.Clone(x)
			slices.Sort(want)
			sortUint32(x)
			if !slices.Equal(x, want) {
				t.Fatalf("n=%d: not sorted", n)
			}
		}
	}
}

func randomSmall(t *testing.T) (f [p]int8) {
	var L [p]uint32
	if err := (source{r: rand.Reader}).words(&L); err != nil {
		t.Fatal(err)
	}
	for i, x := range L {
		f[i] = int8(x%3) - 1
	}
	return f
}

func randomRq(t *testing.T) (a [p]int16) {
	var L [p]uint32
	if err := (source{r: rand.Reader}).words(&L); err != nil {
		t.Fatal(err)
	}
	for i, x := range L {
		a[i] = int16(x%q) - q12
	}
	return a
}

// slowProduct is a slow, obviously correct product in Z[x]/(x^p - x - 1).
func slowProduct(a *[p]int16, b *[p]int8) [p]int64 {
	var prod [2*p - 1]int64
	for i := range a {
		for j := range b {
			prod[i+j] += int64(a[i]) * int64(b[j])
		}
	}
	for i := 2*p - 2; i >= p; i-- {
		prod[i-p] += prod[i]
		prod[i-p+1] += prod[i]
	}
	var out [p]int64
	copy(out[:], prod[:p])
	return out
}

func TestMultiply(t *testing.T) {
	for trial := 0; trial < 10; trial++ {
		a, b := randomRq(t), randomSmall(t)
		if trial == 0 { // extremes
			for i := range a {
				a[i], b[i] = q12, 1
			}
		}
		if trial == 1 {
			for i := range a {
				a[i], b[i] = -q12, 1
			}
		}
		want := slowProduct(&a, &b)
		var got [p]int16
		rqMulSmall(&got, &a, &b)
		for i := range got {
			if int64(got[i]) != centred(want[i], q) {
				t.Fatalf("trial %d: rqMulSmall coefficient %d = %d, want %d", trial, i, got[i], centred(want[i], q))
			}
		}
		c := randomSmall(t)
		var c16 [p]int16
		for i := range c {
			c16[i] = int16(c[i])
		}
		want = slowProduct(&c16, &b)
		var got3 [p]int8
		r3Mul(&got3, &c, &b)
		for i := range got3 {
			if int64(got3[i]) != centred(want[i], 3) {
				t.Fatalf("trial %d: r3Mul coefficient %d wrong", trial, i)
			}
		}
	}
}

func TestRecip(t *testing.T) {
	var one [p]int8
	one[0] = 1
	invertible := 0
	for trial := 0; trial < 20; trial++ {
		g := randomSmall(t)
		var ginv, prod [p]int8
		if r3Recip(&ginv, &g) == 0 {
			invertible++
			r3Mul(&prod, &g, &ginv)
			if prod != one {
				t.Fatal("r3Recip: g * 1/g != 1")
			}
		}
		var f [p]int8
		if err := (source{r: rand.Reader}).shortRandom(&f); err != nil {
			t.Fatal(err)
		}
		var finv, prodq [p]int16
		rqRecip3(&finv, &f)
		// 3 * f * finv must be 1.
		rqMulSmall(&prodq, &finv, &f)
		for i := range prodq {
			want := int16(0)
			if i == 0 {
				want = 1
			}
			if freezeQ(3*int32(prodq[i])) != want {
				t.Fatalf("rqRecip3: 3f * finv coefficient %d = %d", i, freezeQ(3*int32(prodq[i])))
			}
		}
	}
	if invertible == 0 {
		t.Error("no random small polynomial was invertible")
	}
	var zero, out [p]int8
	if r3Recip(&out, &zero) == 0 {
		t.Error("r3Recip(0) reports success")
	}
}

func TestEncodings(t *testing.T) {
	for trial := 0; trial < 10; trial++ {
		h := randomRq(t)
		var enc [rqBytes]byte
		rqEncode(&enc, &h)
		var dec [p]int16
		rqDecode(&dec, enc[:])
		if dec != h {
			t.Fatal("rqDecode(rqEncode(h)) != h")
		}
		var c [p]int16
		for i := range h {
			c[i] = h[i] - int16(freeze3(int32(h[i])))
		}
		var renc [CiphertextSize]byte
		roundedEncode(renc[:roundedBytes], &c)
		roundedDecode(&dec, renc[:])
		if dec != c {
			t.Fatal("roundedDecode(roundedEncode(c)) != c")
		}
		f := randomSmall(t)
		var senc [smallBytes]byte
		smallEncode(senc[:], &f)
		var fdec [p]int8
		smallDecode(&fdec, senc[:])
		if fdec != f {
			t.Fatal("smallDecode(smallEncode(f)) != f")
		}
	}
	// Encode writes exactly the specified number of bytes.
	var r [p]uint16
	if n := len(encode(nil, r[:], q, q)); n != rqBytes {
		t.Errorf("Encode modulo q: %d bytes", n)
	}
	if n := len(encode(nil, r[:], roundedModulus, roundedModulus)); n != roundedBytes {
		t.Errorf("Encode modulo (q+2)/3: %d bytes", n)
	}
	// Decoding any bytes gives canonical values.
	var junk [rqBytes]byte
	for i := range junk {
		junk[i] = 0xff
	}
	var dec [p]int16
	rqDecode(&dec, junk[:])
	for _, x := range dec {
		if x < -q12 || x > q12 {
			t.Fatalf("rqDecode of 0xff bytes: coefficient %d", x)
		}
	}
}

func TestMulSmallMatchesReference(t *testing.T) {
	for trial := 0; trial < 20; trial++ {
		a, b := randomRq(t), randomSmall(t)
		if trial < 2 {
			for i := range a {
				a[i], b[i] = q12*int16(1-2*trial), int8(1-2*trial)
			}
		}
		var got, want [p]int32
		mulSmall(&got, &a, &b)
		refMulSmall(&want, &a, &b)
		if got != want {
			t.Fatalf("trial %d: mulSmall differs from schoolbook", trial)
		}
	}
}

func TestR3MulMatchesReference(t *testing.T) {
	for trial := 0; trial < 20; trial++ {
		a, b := randomSmall(t), randomSmall(t)
		if trial < 2 {
			for i := range a {
				a[i], b[i] = int8(1-2*trial), int8(1-2*trial)
			}
		}
		var got, want [p]int8
		r3Mul(&got, &a, &b)
		refR3Mul(&want, &a, &b)
		if got != want {
			t.Fatalf("trial %d: r3Mul differs from the reference", trial)
		}
	}
}

// TestR3MulMalformed: coefficients 2 (from a malformed private key) act as
// -1, as in the reference's integer arithmetic.
func TestR3MulMalformed(t *testing.T) {
	a, b := randomSmall(t), randomSmall(t)
	b2 := b
	for i := range b2 {
		if b2[i] == -1 && i%2 == 0 {
			b2[i] = 2
		}
	}
	var got, want [p]int8
	r3Mul(&got, &a, &b2)
	refR3Mul(&want, &a, &b2)
	if got != want {
		t.Fatal("r3Mul differs from the reference on coefficients 2")
	}
}

// TestDivisor checks decode's reciprocal division against / and % for
// every divisor decode can meet (below 2^14) at exact multiples, their
// neighbours and the largest numerators.
func TestDivisor(t *testing.T) {
	var v divisor
	for d := uint32(1); d < 1<<14; d++ {
		v.set(d)
		for _, r := range []uint32{0, 1, d - 1, d, d + 1, 1<<32 - 1, 1<<32 - 1 - (1<<32-1)%d, 1<<31 + 7, (1 << 31 / d) * d, (1<<31/d)*d - 1} {
			quot, rem := v.divmod(r)
			if quot != r/d || rem != r%d {
				t.Fatalf("%d / %d: got %d rem %d, want %d rem %d", r, d, quot, rem, r/d, r%d)
			}
		}
	}
}

// TestDecodeMatchesDivisions compares decode with refDecode (the
// specification's Decode with DIV instructions, on the list of moduli) on
// random strings (every string of the right length is a valid input) and
// on all 0x00 and all 0xff, for the scheme's two moduli and lengths and
// for other moduli and lengths that reach every way a pair splits and
// both parities at every level.
func TestDecodeMatchesDivisions(t *testing.T) {
	type tc struct {
		mod uint16
		n   int
	}
	cases := []tc{{q, p}, {roundedModulus, p}}
	for _, mod := range []uint16{2, 3, 127, 128, 255, 256, 257, 4095, 16383} {
		for _, n := range []int{1, 2, 3, 5, 8, 13, 64, 100, 255} {
			cases = append(cases, tc{mod, n})
		}
	}
	for _, c := range cases {
		m := make([]uint16, c.n)
		for i := range m {
			m[i] = c.mod
		}
		// The encoded length: encode zeros.
		size := len(refEncode(nil, make([]uint16, c.n), slices.Clone(m)))
		for trial := 0; trial < 8; trial++ {
			s := make([]byte, size)
			switch trial {
			case 0:
			case 1:
				for i := range s {
					s[i] = 0xff
				}
			default:
				if _, err := rand.Read(s); err != nil {
					t.Fatal(err)
				}
			}
			got, want := make([]uint16, c.n), make([]uint16, c.n)
			decode(got, s, uint32(c.mod), uint32(c.mod))
			refDecode(want, s, slices.Clone(m))
			if !slices.Equal(got, want) {
				t.Fatalf("modulus %d, n %d, trial %d: decode differs from the division reference", c.mod, c.n, trial)
			}
		}
	}
}

// TestEncodeMatchesReference compares encode with refEncode (on the list
// of moduli) on random values, all zeros and all maxima, for the scheme's
// moduli and others that reach every way a pair splits, and checks that
// decode inverts it.
func TestEncodeMatchesReference(t *testing.T) {
	for _, mod := range []uint16{q, roundedModulus, 2, 3, 127, 128, 255, 256, 257, 4095, 16383} {
		for _, n := range []int{1, 2, 3, 5, 8, 13, 64, 100, 255, p} {
			m := make([]uint16, n)
			for i := range m {
				m[i] = mod
			}
			for trial := 0; trial < 6; trial++ {
				buf := make([]byte, 2*n)
				if _, err := rand.Read(buf); err != nil {
					t.Fatal(err)
				}
				r := make([]uint16, n)
				for i := range r {
					switch trial {
					case 0:
					case 1:
						r[i] = mod - 1
					default:
						r[i] = uint16(binary.LittleEndian.Uint16(buf[2*i:]) % mod)
					}
				}
				want := refEncode(nil, slices.Clone(r), slices.Clone(m))
				got := encode(nil, slices.Clone(r), uint32(mod), uint32(mod))
				if !slices.Equal(got, want) {
					t.Fatalf("modulus %d, n %d, trial %d: encode differs from the reference", mod, n, trial)
				}
				back := make([]uint16, n)
				decode(back, got, uint32(mod), uint32(mod))
				if !slices.Equal(back, r) {
					t.Fatalf("modulus %d, n %d, trial %d: decode(encode(r)) != r", mod, n, trial)
				}
			}
		}
	}
}
