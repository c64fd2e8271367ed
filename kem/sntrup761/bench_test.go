package sntrup761

import (
	"testing"

	"github.com/pqssh/pqssh/internal/benchcpu"
)

func BenchmarkKeypair(b *testing.B) {
	s := Scheme()
	start := benchcpu.Start()
	ops := benchcpu.NewOps()
	for b.Loop() {
		ops.Begin()
		if _, _, err := s.GenerateKeyPair(); err != nil {
			b.Fatal(err)
		}
		ops.End()
	}
	ops.Report(b)
	benchcpu.Report(b, start)
}

func BenchmarkEncapsulate(b *testing.B) {
	s := Scheme()
	pk, _, _ := s.GenerateKeyPair()
	start := benchcpu.Start()
	ops := benchcpu.NewOps()
	for b.Loop() {
		ops.Begin()
		if _, _, err := s.Encapsulate(pk); err != nil {
			b.Fatal(err)
		}
		ops.End()
	}
	ops.Report(b)
	benchcpu.Report(b, start)
}

func BenchmarkDecapsulate(b *testing.B) {
	s := Scheme()
	pk, sk, _ := s.GenerateKeyPair()
	ct, _, _ := s.Encapsulate(pk)
	start := benchcpu.Start()
	ops := benchcpu.NewOps()
	for b.Loop() {
		ops.Begin()
		if _, err := s.Decapsulate(sk, ct); err != nil {
			b.Fatal(err)
		}
		ops.End()
	}
	ops.Report(b)
	benchcpu.Report(b, start)
}

func BenchmarkR3Recip(b *testing.B) {
	var g, ginv [p]int8
	for i := range g {
		g[i] = int8(i%3) - 1
	}
	start := benchcpu.Start()
	for b.Loop() {
		r3Recip(&ginv, &g)
	}
	benchcpu.Report(b, start)
}

func BenchmarkRqRecip3(b *testing.B) {
	var f [p]int8
	var finv [p]int16
	for i := 0; i < w; i++ {
		f[i*2] = 1
	}
	start := benchcpu.Start()
	for b.Loop() {
		rqRecip3(&finv, &f)
	}
	benchcpu.Report(b, start)
}

func BenchmarkRqMulSmall(b *testing.B) {
	var a, out [p]int16
	var s [p]int8
	for i := range a {
		a[i] = int16(i*37%q) - q12
		s[i] = int8(i%3) - 1
	}
	start := benchcpu.Start()
	for b.Loop() {
		rqMulSmall(&out, &a, &s)
	}
	benchcpu.Report(b, start)
}

func BenchmarkSort(b *testing.B) {
	var L [p]uint32
	start := benchcpu.Start()
	for b.Loop() {
		for i := range L {
			L[i] = uint32(i * 2654435761)
		}
		sortUint32(L[:])
	}
	benchcpu.Report(b, start)
}

func BenchmarkR3Mul(b *testing.B) {
	var x, y, out [p]int8
	for i := range x {
		x[i] = int8(i%3) - 1
		y[i] = int8(i*7%3) - 1
	}
	start := benchcpu.Start()
	for b.Loop() {
		r3Mul(&out, &x, &y)
	}
	benchcpu.Report(b, start)
}

func BenchmarkRoundedDecode(b *testing.B) {
	var c [p]int16
	var s [CiphertextSize]byte
	for i := range s {
		s[i] = byte(i * 7)
	}
	start := benchcpu.Start()
	for b.Loop() {
		roundedDecode(&c, s[:])
	}
	benchcpu.Report(b, start)
}

func BenchmarkRoundedEncode(b *testing.B) {
	var c [p]int16
	var s [CiphertextSize]byte
	start := benchcpu.Start()
	for b.Loop() {
		roundedEncode(s[:], &c)
	}
	benchcpu.Report(b, start)
}
