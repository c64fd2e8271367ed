//go:build amd64 && !purego

package mctiny

import "testing"

// BenchmarkServerExchangeKernels is BenchmarkServerExchange with the
// AVX-512 kernels and with the AVX2 ones only (what a CPU without
// AVX-512 runs), as far as this CPU has them. It switches the kernel
// choice for its own duration; run it alone.
func BenchmarkServerExchangeKernels(b *testing.B) {
	s, now, pkts := recordExchange(b)
	salsa, bits512 := salsaKernel, useAVX512
	defer func() { salsaKernel, useAVX512 = salsa, bits512 }()
	if salsa == salsaAVX512 && bits512 {
		b.Run("avx512", func(b *testing.B) { serverExchange(b, s, now, pkts) })
	}
	if useAVX2 {
		salsaKernel, useAVX512 = salsaAVX2, false
		b.Run("avx2", func(b *testing.B) { serverExchange(b, s, now, pkts) })
	}
}
