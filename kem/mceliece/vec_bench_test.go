package mceliece

import (
	"testing"

	"github.com/pqssh/pqssh/internal/benchcpu"
)

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
	var out fftVals
	start := benchcpu.Start()
	for b.Loop() {
		fftEval(&out, &f)
	}
	benchcpu.Report(b, start)
}

func BenchmarkFFTTr(b *testing.B) {
	var in fftVals
	var out [fftCoeffs]gf
	start := benchcpu.Start()
	for b.Loop() {
		fftTr(&out, &in)
	}
	benchcpu.Report(b, start)
}

func BenchmarkBM(b *testing.B) {
	var s [2 * T]gf
	copy(s[:], randomGF(drbg(23), 2*T))
	start := benchcpu.Start()
	for b.Loop() {
		berlekampMassey(&s)
	}
	benchcpu.Report(b, start)
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

func TestVecMul4(t *testing.T) {
	r := drbg(43)
	for it := 0; it < 20; it++ {
		var f, g, h1, h2 vec4
		for k := 0; k < M; k++ {
			for l := 0; l < 4; l++ {
				var b [16]byte
				r.Read(b[:])
				f[k][l] = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 | uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
				g[k][l] = uint64(b[8]) | uint64(b[9])<<8 | uint64(b[10])<<16 | uint64(b[11])<<24 | uint64(b[12])<<32 | uint64(b[13])<<40 | uint64(b[14])<<48 | uint64(b[15])<<56
			}
		}
		vecMul4(&h1, &f, &g)
		vecMul4Generic(&h2, &f, &g)
		if h1 != h2 {
			t.Fatal("vecMul4 differs from four vecMul")
		}
	}
}

func BenchmarkVecMul4(b *testing.B) {
	var f, g, h vec4
	for k := range f {
		f[k] = [4]uint64{uint64(k), 3, 5, 7}
		g[k] = [4]uint64{11, uint64(k), 13, 17}
	}
	for b.Loop() {
		vecMul4(&h, &f, &g)
		f[0][0] ^= h[1][1]
	}
}

func BenchmarkSort8192(b *testing.B) {
	x := make([]uint32, q)
	y := make([]uint32, q)
	for i := range x {
		x[i] = uint32(i*2654435761) >> 3
	}
	start := benchcpu.Start()
	for b.Loop() {
		copy(y, x)
		sortUint32(y)
	}
	benchcpu.Report(b, start)
}
