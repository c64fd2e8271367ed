//go:build amd64 && !purego

package mctiny

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/salsa20/salsa"
	"golang.org/x/sys/cpu"
)

// TestSalsaXORMatchesXCrypto compares salsaXOR (the AVX2 kernel, its tail
// handling and its fallback near a counter wrap) with x/crypto's Salsa20
// on every length up to 2100 bytes, random keys, nonces and counters, in
// place and out of place, and counters at the 32-bit boundary.
func TestSalsaXORMatchesXCrypto(t *testing.T) {
	kernels := map[string]int{}
	if cpu.X86.HasAVX2 {
		kernels["avx2"] = salsaAVX2
	}
	if cpu.X86.HasAVX512F {
		kernels["avx512"] = salsaAVX512
	}
	if len(kernels) == 0 {
		t.Skip("this CPU has neither AVX2 nor AVX-512F: salsaXOR is x/crypto's Salsa20 itself")
	}
	for name, kernel := range kernels {
		t.Run(name, func(t *testing.T) { testSalsaKernel(t, kernel) })
	}
}

func testSalsaKernel(t *testing.T, kernel int) {
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(b []byte) { fillRandom(rng, b) }
	counters := []uint64{0, 1, 17, 1<<32 - 1, 1<<32 - 5, 1<<32 - 20, 1 << 32, 1<<64 - 1}
	var key [32]byte
	var ctr [16]byte
	for n := 0; n <= 2100; n++ {
		fill(key[:])
		fill(ctr[:8])
		c := counters[n%len(counters)]
		if n%3 == 0 {
			c = rng.Uint64()
		}
		binary.LittleEndian.PutUint64(ctr[8:], c)
		src := make([]byte, n)
		fill(src)
		want := make([]byte, n)
		wctr := ctr
		salsa.XORKeyStream(want, src, &wctr, &key)
		got := make([]byte, n)
		gctr := ctr
		salsaXORWith(kernel, got, src, &gctr, &key)
		if !bytes.Equal(got, want) {
			t.Fatalf("n=%d counter=%#x: key stream differs", n, c)
		}
		if gctr != ctr {
			t.Fatalf("n=%d: counter modified", n)
		}
		inPlace := bytes.Clone(src)
		salsaXORWith(kernel, inPlace, inPlace, &gctr, &key)
		if !bytes.Equal(inPlace, want) {
			t.Fatalf("n=%d counter=%#x: in-place key stream differs", n, c)
		}
	}
}

func BenchmarkSalsaXOR(b *testing.B) {
	var key [32]byte
	var ctr [16]byte
	buf := make([]byte, 32+BlockBytes)
	for _, k := range []struct {
		name   string
		kernel int
		have   bool
	}{
		{"avx2", salsaAVX2, cpu.X86.HasAVX2},
		{"avx512", salsaAVX512, cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL},
		{"xcrypto", salsaXCrypto, true},
	} {
		b.Run(k.name, func(b *testing.B) {
			if !k.have {
				b.Skip("this CPU lacks the kernel")
			}
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				salsaXORWith(k.kernel, buf, buf, &ctr, &key)
			}
		})
	}
}
