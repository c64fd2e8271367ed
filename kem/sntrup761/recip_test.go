package sntrup761

import (
	"crypto/rand"
	"testing"
)

// TestRecipMatchesReference compares the fast inversions with the
// straightforward ones, including on non-invertible inputs.
func TestRecipMatchesReference(t *testing.T) {
	for trial := 0; trial < 12; trial++ {
		g := randomSmall(t)
		if trial == 0 {
			g = [p]int8{} // not invertible
		}
		if trial == 1 {
			for i := range g {
				g[i] = 1
			}
		}
		var got, want [p]int8
		okGot, okWant := r3Recip(&got, &g), refR3Recip(&want, &g)
		if okGot != okWant {
			t.Fatalf("trial %d: r3Recip reports %d, reference %d", trial, okGot, okWant)
		}
		if okWant == 0 && got != want {
			t.Fatalf("trial %d: r3Recip differs from the reference", trial)
		}

		var f [p]int8
		if err := (source{r: rand.Reader}).shortRandom(&f); err != nil {
			t.Fatal(err)
		}
		var gotq, wantq [p]int16
		rqRecip3(&gotq, &f)
		refRqRecip3(&wantq, &f)
		if gotq != wantq {
			t.Fatalf("trial %d: rqRecip3 differs from the reference", trial)
		}
	}
}
