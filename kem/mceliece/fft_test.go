package mceliece

import (
	"encoding/binary"
	"testing"
)

func randomGF(r interface{ Read([]byte) (int, error) }, n int) []gf {
	b := make([]byte, 2*n)
	r.Read(b)
	out := make([]gf, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(b[2*i:]) & gfMask
	}
	return out
}

func lane(v *[q / 64]vec, x int) gf {
	var a gf
	for k := 0; k < M; k++ {
		a |= gf((v[x/64][k]>>(x%64))&1) << k
	}
	return a
}

// TestFFTEval compares the additive FFT with Horner's rule at every point.
func TestFFTEval(t *testing.T) {
	var f [fftCoeffs]gf
	copy(f[:], randomGF(drbg(21), fftCoeffs))
	var out [q / 64]vec
	fftEval(&out, &f)
	for x := 0; x < q; x++ {
		if got, want := lane(&out, x), polyEval(f[:], bitrev13(gf(x))); got != want {
			t.Fatalf("x=%d: fft %#x, Horner %#x", x, got, want)
		}
	}
}

// TestFFTTranspose checks fftTr against the power sums Σ c_x β_x^j.
func TestFFTTranspose(t *testing.T) {
	c := randomGF(drbg(22), q)
	var in [q / 64]vec
	for v := range in {
		vecFromGF(&in[v], c[64*v:64*v+64])
	}
	var out [fftCoeffs]gf
	fftTr(&out, &in)
	var want [fftCoeffs]gf
	for x := 0; x < q; x++ {
		b := bitrev13(gf(x))
		p := c[x]
		for j := range want {
			want[j] ^= p
			p = gfMul(p, b)
		}
	}
	if out != want {
		t.Fatalf("fftTr differs from the power sums: %x… vs %x…", out[:4], want[:4])
	}
}

// TestFFTForms compares the breadth-first FFTs with the recursive ones.
func TestFFTForms(t *testing.T) {
	var f [fftCoeffs]gf
	copy(f[:], randomGF(drbg(24), fftCoeffs))
	var a, b [q / 64]vec
	fftEval(&a, &f)
	fftEvalRecursive(&b, &f)
	if a != b {
		t.Fatal("fftEval forms differ")
	}
	c := randomGF(drbg(25), q)
	for v := range a {
		vecFromGF(&a[v], c[64*v:64*v+64])
	}
	b = a
	var o1, o2 [fftCoeffs]gf
	fftTr(&o1, &a)
	fftTrRecursive(&o2, &b)
	if o1 != o2 {
		t.Fatal("fftTr forms differ")
	}
}

func BenchmarkFFTEvalRecursive(b *testing.B) {
	var f [fftCoeffs]gf
	copy(f[:], randomGF(drbg(21), fftCoeffs))
	var out [q / 64]vec
	start := processCPU()
	for b.Loop() {
		fftEvalRecursive(&out, &f)
	}
	reportCPU(b, start)
}
