package mceliece

import (
	"crypto/rand"
	"testing"

	"github.com/pqssh/pqssh/internal/benchcpu"
)

func BenchmarkKeypairF(b *testing.B) {
	start := benchcpu.Start()
	for b.Loop() {
		if _, _, err := fScheme.GenerateKeyPairFrom(rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
	benchcpu.Report(b, start)
}

func BenchmarkKeypairPlain(b *testing.B) {
	start := benchcpu.Start()
	for b.Loop() {
		if _, _, err := plainScheme.GenerateKeyPairFrom(rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
	benchcpu.Report(b, start)
}

// BenchmarkEncapsulate and BenchmarkDecapsulate also report the medians of
// single operations (med-ns/op, med-cpu-ns/op), the statistic the
// libmceliece benchmark of interop/bench reports for C.
func BenchmarkEncapsulate(b *testing.B) {
	pk, _ := testKey(b)
	ops := benchcpu.NewOps()
	start := benchcpu.Start()
	for b.Loop() {
		ops.Begin()
		if _, _, err := Scheme().Encapsulate(pk); err != nil {
			b.Fatal(err)
		}
		ops.End()
	}
	benchcpu.Report(b, start)
	ops.Report(b)
}

func BenchmarkDecapsulate(b *testing.B) {
	pk, sk := testKey(b)
	ct, _, _ := Scheme().Encapsulate(pk)
	ops := benchcpu.NewOps()
	start := benchcpu.Start()
	for b.Loop() {
		ops.Begin()
		if _, err := Scheme().Decapsulate(sk, ct); err != nil {
			b.Fatal(err)
		}
		ops.End()
	}
	benchcpu.Report(b, start)
	ops.Report(b)
}

// BenchmarkUnmarshalPrivateKey measures parsing a private key, which derives
// the support (Beneš network) and 1/g(α)² once per key.
func BenchmarkUnmarshalPrivateKey(b *testing.B) {
	_, sk := testKey(b)
	skb, _ := sk.MarshalBinary()
	start := benchcpu.Start()
	for b.Loop() {
		if _, err := Scheme().UnmarshalBinaryPrivateKey(skb); err != nil {
			b.Fatal(err)
		}
	}
	benchcpu.Report(b, start)
}
