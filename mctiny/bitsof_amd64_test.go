//go:build amd64 && !purego

package mctiny

import (
	"math/rand/v2"
	"testing"
)

// TestBitsOfAVX2MatchesGeneric compares the AVX2 kernel (through bitsOf's
// windowing) with bitsOfGeneric on random candidates and on extreme ones:
// positions 0 and n-1, noPosition, duplicates, candidates just outside
// the window, empty and full windows, and every output length the server
// uses.
func TestBitsOfAVX2MatchesGeneric(t *testing.T) {
	if !useAVX2 {
		t.Skip("this CPU has no AVX2: bitsOf runs bitsOfGeneric only")
	}
	testBitsOfKernel(t, false)
}

// TestBitsOfAVX512MatchesGeneric is the same test for the AVX-512F kernel.
func TestBitsOfAVX512MatchesGeneric(t *testing.T) {
	if !useAVX512 {
		t.Skip("this CPU has no AVX-512F: bitsOf does not use that kernel here")
	}
	testBitsOfKernel(t, true)
}

func testBitsOfKernel(t *testing.T, avx512 bool) {
	rng := rand.New(rand.NewPCG(1, 2))
	type window struct{ words, start, width int }
	windows := []window{
		{blockWords, Rows, X}, {blockWords, Rows + 7*X, Cols - 7*X}, {blockWords, 0, 0},
		{blockWords, 0, 640}, {blockWords, mceN - 640, 640}, {blockWords, 13, 1},
		{2, 0, PieceBits}, {2, 16 * PieceBits, Rows - 16*PieceBits},
		{eWords, 0, mceN}, {eWords, 0, 6000}, {11, 63, 700}, {1, 5, 64},
	}
	fills := []func(k int) uint64{
		func(int) uint64 { return rng.Uint64N(mceN) },
		func(int) uint64 { return rng.Uint64N(1 << mceM) },
		func(int) uint64 { return noPosition },
		func(k int) uint64 { return []uint64{0, mceN - 1, noPosition, 639, 640, Rows - 1, Rows, Rows + X}[k%8] },
		func(k int) uint64 { return uint64(k) * 26 },
		func(int) uint64 { return rng.Uint64() },
	}
	var pos [2 * mceT]uint64
	for round := range 300 {
		fill := fills[round%len(fills)]
		for k := range pos {
			pos[k] = fill(k)
		}
		for _, w := range windows {
			// Also windows starting just before and after each position.
			starts := []int{w.start}
			if p := int(pos[round%len(pos)] & 0x1fff); p < mceN {
				starts = append(starts, p, max(0, p-1), p+1)
			}
			for _, st := range starts {
				width := min(w.width, 64*w.words)
				if st+width > mceN {
					width = max(0, mceN-st)
				}
				got := make([]uint64, w.words)
				want := make([]uint64, w.words)
				for i := range got {
					got[i] = ^uint64(0) // bitsOf must overwrite every word
				}
				bitsOfWith(avx512, !avx512, got, &pos, uint64(st), uint64(width))
				bitsOfGeneric(want, &pos, uint64(st), uint64(width))
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("round %d window %+v start %d: word %d = %#x, want %#x", round, w, st, i, got[i], want[i])
					}
				}
			}
		}
	}
}

func BenchmarkBitsOf(b *testing.B) {
	var pos [2 * mceT]uint64
	for k := range pos {
		pos[k] = uint64(k * 26)
	}
	var ew [blockWords]uint64
	b.Run("avx2", func(b *testing.B) {
		if !useAVX2 {
			b.Skip("no AVX2")
		}
		for b.Loop() {
			bitsOfWith(false, true, ew[:], &pos, Rows+X, X)
		}
	})
	b.Run("avx512", func(b *testing.B) {
		if !useAVX512 {
			b.Skip("no AVX-512F")
		}
		for b.Loop() {
			bitsOfWith(true, false, ew[:], &pos, Rows+X, X)
		}
	})
	b.Run("generic", func(b *testing.B) {
		for b.Loop() {
			bitsOfGeneric(ew[:], &pos, Rows+X, X)
		}
	})
}
