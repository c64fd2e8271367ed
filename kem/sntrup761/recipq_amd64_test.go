//go:build amd64 && !purego

package sntrup761

import (
	"crypto/rand"
	"testing"
)

// TestRqRecip3AVX2MatchesGeneric checks the AVX2 inversion against the
// portable one on many random short inputs and on edge patterns, and
// checks that 3*f times the result is 1.
func TestRqRecip3AVX2MatchesGeneric(t *testing.T) {
	if !useAVX2 {
		t.Skip("CPU lacks AVX2: the AVX2 inversion is not used on this machine")
	}
	trials := 200
	if testing.Short() {
		trials = 40
	}
	src := source{r: rand.Reader}
	for trial := 0; trial < trials; trial++ {
		var f [p]int8
		switch trial {
		case 0:
			f[0] = 1 // 1/3
		case 1:
			f[0] = -1
			f[p-1] = 1
		case 2:
			for i := range f {
				f[i] = 1
			}
		case 3:
			for i := range f {
				f[i] = int8(i%3) - 1
			}
		default:
			if trial%2 == 0 {
				if err := src.shortRandom(&f); err != nil {
					t.Fatal(err)
				}
			} else {
				var b [p]byte
				if _, err := rand.Read(b[:]); err != nil {
					t.Fatal(err)
				}
				for i := range f {
					f[i] = int8(b[i]%3) - 1
				}
			}
		}
		var got, want [p]int16
		rqRecip3AVX2(&got, &f)
		rqRecip3Generic(&want, &f)
		if got != want {
			t.Fatalf("trial %d: AVX2 and generic R/q inversions differ", trial)
		}
	}
}

// TestR3RecipAVX2MatchesGeneric checks the AVX2 R/3 inversion against the
// portable one (result and invertibility flag) on random and edge inputs,
// including non-invertible ones.
func TestR3RecipAVX2MatchesGeneric(t *testing.T) {
	if !useAVX2 {
		t.Skip("CPU lacks AVX2: the AVX2 inversion is not used on this machine")
	}
	trials := 200
	if testing.Short() {
		trials = 40
	}
	invertible := 0
	for trial := 0; trial < trials; trial++ {
		var g [p]int8
		switch trial {
		case 0: // zero: not invertible
		case 1:
			for i := range g {
				g[i] = 1
			}
		case 2:
			g[0] = -1
		case 3:
			g[p-1] = 1
		default:
			var b [p]byte
			if _, err := rand.Read(b[:]); err != nil {
				t.Fatal(err)
			}
			for i := range g {
				g[i] = int8(b[i]%3) - 1
			}
		}
		var got, want [p]int8
		okGot, okWant := r3RecipAVX2(&got, &g), r3RecipGeneric(&want, &g)
		if okGot != okWant {
			t.Fatalf("trial %d: AVX2 reports %d, generic %d", trial, okGot, okWant)
		}
		if okWant == 0 {
			invertible++
			if got != want {
				t.Fatalf("trial %d: AVX2 and generic R/3 inversions differ", trial)
			}
		}
		if trial == 0 && okGot == 0 {
			t.Fatal("zero reported invertible")
		}
	}
	if invertible < trials/2 {
		t.Fatalf("only %d of %d inputs invertible: the comparison covered too little", invertible, trials)
	}
}

// TestSortAVX2MatchesGeneric checks the padded bitonic sort against
// Batcher's network on random data (with repeats and the largest value)
// for several lengths, p among them.
func TestSortAVX2MatchesGeneric(t *testing.T) {
	if !useAVX2 {
		t.Skip("CPU lacks AVX2: the AVX2 sort is not used on this machine")
	}
	for _, n := range []int{1, 2, 7, 8, 100, p, sortN - 1, sortN} {
		for trial := 0; trial < 10; trial++ {
			var buf [4 * sortN]byte
			if _, err := rand.Read(buf[:]); err != nil {
				t.Fatal(err)
			}
			got := make([]uint32, n)
			for i := range got {
				got[i] = uint32(buf[4*i]) | uint32(buf[4*i+1])<<8 | uint32(buf[4*i+2])<<16 | uint32(buf[4*i+3])<<24
				switch trial {
				case 1:
					got[i] &= 7 // many repeats
				case 2:
					got[i] |= 0xFFFFFFF0 // near and at the padding value
				}
			}
			want := append([]uint32(nil), got...)
			sortUint32(got)
			sortUint32Generic(want)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("n=%d trial %d: position %d is %d, want %d", n, trial, i, got[i], want[i])
				}
				if i > 0 && want[i-1] > want[i] {
					t.Fatalf("n=%d trial %d: generic sort out of order at %d", n, trial, i)
				}
			}
		}
	}
}
