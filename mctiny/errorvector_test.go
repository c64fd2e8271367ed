package mctiny

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"testing"

	"golang.org/x/crypto/salsa20/salsa"
)

// naivePositions is a plain reading of the expansion documented in
// errorvector.go, used to check the constant-time implementation.
func naivePositions(E []byte) (pos []int, valid bool) {
	stream := make([]byte, 4*mceT)
	var nonce [16]byte
	salsa.XORKeyStream(stream, stream, &nonce, (*[32]byte)(E))
	seen := map[int]bool{}
	for k := 0; k < 2*mceT && len(pos) < mceT; k++ {
		p := int(binary.LittleEndian.Uint16(stream[2*k:]) & 0x1fff)
		if p < mceN {
			pos = append(pos, p)
			seen[p] = true
		}
	}
	return pos, len(pos) == mceT && len(seen) == mceT
}

func TestErrorVectorMatchesNaive(t *testing.T) {
	var v errorVector
	var w [eWords]uint64
	var eb [ErrorBytes]byte
	valid := 0
	for range 200 {
		E := make([]byte, SeedSize)
		rand.Read(E)
		pos, ok := naivePositions(E)
		v.expand(E)
		weight := v.full(&w)
		if ok != (weight == mceT) {
			t.Fatalf("validity: naive %v, weight %d", ok, weight)
		}
		if !ok {
			continue
		}
		valid++
		want := make([]byte, ErrorBytes)
		for _, p := range pos {
			want[p/8] |= 1 << (p % 8)
		}
		errorBytes(&eb, &w)
		if !bytes.Equal(eb[:], want) {
			t.Fatal("e differs from the naive expansion")
		}
		// Every window bitsOf is asked for agrees with e.
		var ej [blockWords]uint64
		for j := range ColBlocks {
			start, width := Rows+j*X, min(X, Cols-j*X)
			v.bitsOf(ej[:], uint64(start), uint64(width))
			for b := 0; b < 64*blockWords; b++ {
				got := ej[b/64] >> (b % 64) & 1
				var exp uint64
				if b < width {
					exp = uint64(want[(start+b)/8] >> ((start + b) % 8) & 1)
				}
				if got != exp {
					t.Fatalf("block %d bit %d: got %d want %d", j, b, got, exp)
				}
			}
		}
	}
	// About 30 % of seeds are valid; 200 draws give far more than 20.
	if valid < 20 {
		t.Fatalf("only %d of 200 seeds valid", valid)
	}
}

func TestBlockProductAndExtract(t *testing.T) {
	pk := make([]byte, PublicKeySize)
	rand.Read(pk)
	e := make([]byte, ErrorBytes)
	rand.Read(e)
	bit := func(b []byte, i int) int { return int(b[i/8] >> (i % 8) & 1) }
	block := make([]byte, BlockBytes)
	for _, ij := range [][2]int{{0, 0}, {5, 3}, {RowBlocks - 1, ColBlocks - 1}, {RowBlocks - 1, 0}, {0, ColBlocks - 1}} {
		i, j := ij[0], ij[1]
		extractBlock(block, pk, i, j)
		var ej [blockWords]uint64
		for b := 0; b < min(X, Cols-j*X); b++ {
			ej[b/64] |= uint64(bit(e, Rows+j*X+b)) << (b % 64)
		}
		c := blockProduct(block, &ej)
		for rho := range Y {
			row := i*Y + rho
			want := 0
			if row < Rows {
				for b := 0; b < min(X, Cols-j*X); b++ {
					want ^= bit(pk[row*RowBytes:], j*X+b) & bit(e, Rows+j*X+b)
				}
			}
			if int(c>>rho&1) != want {
				t.Fatalf("block (%d,%d) row %d: got %d want %d", i, j, rho, c>>rho&1, want)
			}
		}
	}
}

func TestPieceAdd(t *testing.T) {
	for q := range V {
		var acc [2]uint64
		pieceAdd(&acc, 1<<Y-1, q)
		for b := range 128 {
			got := acc[b/64] >> (b % 64) & 1
			want := uint64(0)
			if b >= q*Y && b < (q+1)*Y {
				want = 1
			}
			if got != want {
				t.Fatalf("q=%d bit %d = %d", q, b, got)
			}
		}
	}
}

func TestConstantTimeHelpers(t *testing.T) {
	vals := []uint64{0, 1, 2, 631, 632, 6687, 6688, 1 << 63, ^uint64(0), ^uint64(0) - 5}
	for _, a := range vals {
		for _, b := range vals {
			var lt, eq uint64
			if a < b {
				lt = 1
			}
			if a == b {
				eq = 1
			}
			if ctLess(a, b) != lt || ctEq(a, b) != eq {
				t.Fatalf("a=%d b=%d: ctLess %d ctEq %d", a, b, ctLess(a, b), ctEq(a, b))
			}
		}
	}
}
