package mceliece

import (
	"encoding/binary"
	"testing"

	"github.com/pqssh/pqssh/internal/benchcpu"
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

func lane(v *fftVals, x int) gf {
	var a gf
	g, l := x/256, (x/64)%4
	for k := 0; k < M; k++ {
		a |= gf((v[g][k][l]>>(x%64))&1) << k
	}
	return a
}

func toVals(a *[q / 64]vec) (out fftVals) {
	for v := range a {
		for k := 0; k < M; k++ {
			out[v/4][k][v%4] = a[v][k]
		}
	}
	return out
}

// TestFFTEval compares the additive FFT with Horner's rule at every point.
func TestFFTEval(t *testing.T) {
	var f [fftCoeffs]gf
	copy(f[:], randomGF(drbg(21), fftCoeffs))
	var out fftVals
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
	var in0 [q / 64]vec
	for v := range in0 {
		vecFromGF(&in0[v], c[64*v:64*v+64])
	}
	in := toVals(&in0)
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
	var a fftVals
	var b [q / 64]vec
	fftEval(&a, &f)
	fftEvalRecursive(&b, &f)
	if a != toVals(&b) {
		t.Fatal("fftEval forms differ")
	}
	c := randomGF(drbg(25), q)
	for v := range b {
		vecFromGF(&b[v], c[64*v:64*v+64])
	}
	a = toVals(&b)
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
	start := benchcpu.Start()
	for b.Loop() {
		fftEvalRecursive(&out, &f)
	}
	benchcpu.Report(b, start)
}
