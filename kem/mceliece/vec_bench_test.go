package mceliece

import "testing"

func BenchmarkVecMul(b *testing.B) {
	var f, g, h vec
	for i := range f {
		f[i] = uint64(i) * 0x9E3779B97F4A7C15
		g[i] = uint64(i+3) * 0xC2B2AE3D27D4EB4F
	}
	for b.Loop() {
		vecMul(&h, &f, &g)
		f[0] ^= h[1]
	}
}

func BenchmarkFFTEval(b *testing.B) {
	var f [fftCoeffs]gf
	copy(f[:], randomGF(drbg(21), fftCoeffs))
	var out [q / 64]vec
	for b.Loop() {
		fftEval(&out, &f)
	}
}

func BenchmarkFFTTr(b *testing.B) {
	var in [q / 64]vec
	var out [fftCoeffs]gf
	for b.Loop() {
		fftTr(&out, &in)
	}
}

func BenchmarkBM(b *testing.B) {
	var s [2 * T]gf
	copy(s[:], randomGF(drbg(23), 2*T))
	for b.Loop() {
		berlekampMassey(&s)
	}
}

func TestVecMulUnrolled(t *testing.T) {
	r := drbg(41)
	for it := 0; it < 50; it++ {
		var f, g, h1, h2 vec
		a := randomGF(r, 128)
		vecFromGF(&f, a[:64])
		vecFromGF(&g, a[64:])
		vecMul(&h1, &f, &g)
		vecMulLoop(&h2, &f, &g)
		if h1 != h2 {
			t.Fatal("unrolled vecMul differs")
		}
		for l := 0; l < 64; l++ {
			var x gf
			for k := 0; k < M; k++ {
				x |= gf(h1[k]>>l&1) << k
			}
			if x != gfMul(a[l], a[64+l]) {
				t.Fatal("vecMul lane differs from gfMul")
			}
		}
	}
}
