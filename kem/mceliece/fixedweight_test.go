package mceliece

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// indexCases are index sets for the FixedWeight kernels: random ones
// (distinct or not), and extreme ones — all equal, the field's ends, word
// boundaries, a single duplicate at the first and last positions.
func indexCases() map[string]*[T]uint16 {
	cases := make(map[string]*[T]uint16)
	r := drbg(91)
	for it := 0; it < 40; it++ {
		var ind [T]uint16
		var b [2 * T]byte
		r.Read(b[:])
		for i := range ind {
			ind[i] = binary.LittleEndian.Uint16(b[2*i:]) % N
		}
		cases["random"+string(rune('A'+it))] = &ind
	}
	var zeros, top, spread, bounds [T]uint16
	for i := range top {
		top[i] = N - 1
		spread[i] = uint16(i * (N / T))
		bounds[i] = uint16((i/2)*64 + 63*(i%2)) // 0, 63, 64, 127, ...
	}
	cases["zeros"] = &zeros
	cases["top"] = &top
	cases["spread"] = &spread
	cases["bounds"] = &bounds
	ends := spread
	ends[T-1] = ends[0]
	cases["dup-ends"] = &ends
	last := spread
	last[T-1] = N - 1
	last[T-2] = N - 1
	cases["dup-last"] = &last
	return cases
}

// TestFixedWeightKernels compares distinct and setBits (AVX2 where the CPU
// has it) with the generic code and with a direct computation.
func TestFixedWeightKernels(t *testing.T) {
	sawDistinct, sawDup := false, false
	for name, ind := range indexCases() {
		seen := make(map[uint16]bool)
		want := true
		var ref [fwWords]uint64
		for _, v := range ind {
			want = want && !seen[v]
			seen[v] = true
			ref[v/64] |= 1 << (v % 64)
		}
		if got := distinct(ind); got != want || distinctGeneric(ind) != want {
			t.Errorf("%s: distinct = %v, generic %v, want %v", name, got, distinctGeneric(ind), want)
		}
		sawDistinct = sawDistinct || want
		sawDup = sawDup || !want
		var ew, eg [fwWords]uint64
		for i := range ew {
			ew[i] = ^uint64(0) // setBits must overwrite
		}
		setBits(&ew, ind)
		setBitsGeneric(&eg, ind)
		if ew != ref || eg != ref {
			t.Errorf("%s: setBits differs from the direct vector (generic equal: %v)", name, eg == ref)
		}
	}
	if !sawDistinct || !sawDup {
		t.Fatal("cases lack distinct or duplicate index sets")
	}
}

// TestFixedWeightVector checks FixedWeight's output: weight T, no bit at
// or past N, and the same vector from the same randomness.
func TestFixedWeightVector(t *testing.T) {
	for it := byte(0); it < 20; it++ {
		e, err := FixedWeight(drbg(100 + it))
		if err != nil {
			t.Fatal(err)
		}
		w := 0
		for _, b := range e {
			for ; b != 0; b &= b - 1 {
				w++
			}
		}
		if w != T || len(e) != eBytes {
			t.Fatalf("weight %d, length %d", w, len(e))
		}
		e2, _ := FixedWeight(drbg(100 + it))
		if !bytes.Equal(e, e2) {
			t.Fatal("FixedWeight is not deterministic in its randomness")
		}
	}
}

// TestEncodeExtremes compares the vectorised Encode with the generic one
// on all-zero and all-one keys and error vectors, and on single bits at
// the ends of the rows (the overlapping tail load).
func TestEncodeExtremes(t *testing.T) {
	ones := bytes.Repeat([]byte{0xFF}, PublicKeySize)
	zeros := make([]byte, PublicKeySize)
	eOnes := bytes.Repeat([]byte{0xFF}, eBytes)
	eZeros := make([]byte, eBytes)
	eEnds := make([]byte, eBytes)
	eEnds[Rows/8] = 1        // first column of T
	eEnds[Rows/8+607] = 0x80 // last bit of the whole blocks
	eEnds[Rows/8+608] = 1    // first bit of the tail
	eEnds[eBytes-1] = 0x80   // last column of T
	pkEnds := make([]byte, PublicKeySize)
	for i := 0; i < Rows; i++ {
		row := pkEnds[i*RowBytes : (i+1)*RowBytes]
		switch i % 4 {
		case 0:
			row[0] = 1
		case 1:
			row[607] = 0x80
		case 2:
			row[608] = 1
		case 3:
			row[RowBytes-1] = 0x80
		}
	}
	for pi, pk := range [][]byte{ones, zeros, pkEnds} {
		for ei, e := range [][]byte{eOnes, eZeros, eEnds} {
			c1 := make([]byte, CiphertextSize)
			c2 := make([]byte, CiphertextSize)
			encode(c1, pk, e)
			encodeGeneric(c2, pk, e)
			if !bytes.Equal(c1, c2) {
				t.Errorf("key %d, error vector %d: encode kernels differ", pi, ei)
			}
		}
	}
}
