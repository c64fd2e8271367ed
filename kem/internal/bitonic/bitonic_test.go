package bitonic

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// inputs returns test vectors of length n: random values, extremes, and
// already sorted and reversed runs.
func inputs(n int, r *rand.Rand) map[string][]uint32 {
	random := make([]uint32, n)
	extremes := make([]uint32, n)
	sorted := make([]uint32, n)
	reversed := make([]uint32, n)
	equal := make([]uint32, n)
	for i := range n {
		random[i] = r.Uint32()
		extremes[i] = []uint32{0, 1, 1 << 31, ^uint32(0), ^uint32(0) - 1}[r.IntN(5)]
		sorted[i] = uint32(i)
		reversed[i] = uint32(n - i)
		equal[i] = 7
	}
	return map[string][]uint32{"random": random, "extremes": extremes, "sorted": sorted, "reversed": reversed, "equal": equal}
}

// TestSortMatchesSlicesSort checks Sort (AVX2 where the CPU has it) and
// SortGeneric against the standard library on every power-of-two length
// the KEMs use and more.
func TestSortMatchesSlicesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 1<<14; n <<= 1 {
		for name, in := range inputs(n, r) {
			want := slices.Clone(in)
			slices.Sort(want)
			got := slices.Clone(in)
			Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("Sort, n=%d, %s input: wrong order (AVX2 %v)", n, name, HasAVX2())
			}
			got = slices.Clone(in)
			SortGeneric(got)
			if !slices.Equal(got, want) {
				t.Fatalf("SortGeneric, n=%d, %s input: wrong order", n, name)
			}
		}
	}
}

func TestSortRejectsOtherLengths(t *testing.T) {
	for _, n := range []int{3, 6, 100, 761} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Sort of length %d did not panic", n)
				}
			}()
			Sort(make([]uint32, n))
		}()
	}
}

func BenchmarkSort8192(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]uint32, 8192)
	for b.Loop() {
		for i := range x {
			x[i] = r.Uint32()
		}
		Sort(x)
	}
}
