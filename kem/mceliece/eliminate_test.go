package mceliece

import (
	"encoding/binary"
	"testing"

	"github.com/pqssh/pqssh/kem/internal/bitonic"
)

func randomMatrix(seed byte) *matrix {
	h := new(matrix)
	r := drbg(seed)
	var b [8]byte
	for i := range h {
		for w := 0; w < rowWords; w++ {
			r.Read(b[:])
			h[i][w] = binary.LittleEndian.Uint64(b[:])
		}
		h[i][rowWords-1] &= 1<<(N%64) - 1
	}
	return h
}

// TestEliminatePanels compares the blocked elimination (with the AVX2 row
// kernel where available) with the reference-style one, on random matrices,
// on a singular one, and on the split used by the f key generation.
func TestEliminatePanels(t *testing.T) {
	for seed := byte(1); seed <= 3; seed++ {
		a := randomMatrix(seed)
		if seed == 2 {
			a[1500] = a[17] // singular: the reference fails
			for w := 0; w < rowWords; w++ {
				a[1500][w] ^= a[900][w]
			}
		}
		b := *a
		okA := eliminateRange(a, 0, Rows)
		okB := eliminatePanels(&b, 0, Rows)
		if okA != okB {
			t.Fatalf("seed %d: reference ok=%v, blocked ok=%v", seed, okA, okB)
		}
		if okA && *a != b {
			t.Fatalf("seed %d: reduced matrices differ", seed)
		}
		if seed == 2 && okA {
			t.Fatal("singular matrix reduced")
		}
		if seed != 1 {
			continue
		}
		// f-variant split at Rows-32.
		c := randomMatrix(seed)
		d := *c
		ok1 := eliminateRange(c, 0, Rows-mu) && eliminateRange(c, Rows-mu, Rows)
		ok2 := eliminatePanels(&d, 0, Rows-mu) && eliminatePanels(&d, Rows-mu, Rows)
		if ok1 != ok2 || (ok1 && *c != d) {
			t.Fatalf("seed %d: split elimination differs", seed)
		}
	}
}

// TestAddMaskedRows compares the row kernel with the generic code.
func TestAddMaskedRows(t *testing.T) {
	h := randomMatrix(9)
	for _, lo := range []int{0, 4, 24, 100, 108} {
		for _, nm := range []int{1, 5, 64} {
			masks := make([]uint64, nm)
			for j := range masks {
				if (j*7+lo)%3 != 0 {
					masks[j] = ^uint64(0)
				}
			}
			d1 := make([]uint64, rowStride-lo)
			copy(d1, h[1600][lo:])
			d2 := append([]uint64(nil), d1...)
			addMaskedRows(d1, h[3:3+nm], lo, masks)
			addMaskedRowsGeneric(d2, h[3:3+nm], lo, masks)
			for x := range d1 {
				if d1[x] != d2[x] {
					t.Fatalf("lo %d nm %d: word %d differs", lo, nm, x)
				}
			}
		}
	}
}

// TestSortUint32 checks the (vectorised) sorting network against the
// generic one and against sortedness, for every power-of-two size used.
func TestSortUint32(t *testing.T) {
	r := drbg(5)
	for w := 1; w <= M; w++ {
		n := 1 << w
		x := make([]uint32, n)
		var b [4]byte
		for i := range x {
			r.Read(b[:])
			x[i] = binary.LittleEndian.Uint32(b[:]) % uint32(3*n) // with repeats
		}
		y := append([]uint32(nil), x...)
		sortUint32(x)
		bitonic.SortGeneric(y)
		for i := range x {
			if x[i] != y[i] || (i > 0 && x[i-1] > x[i]) {
				t.Fatalf("n=%d: sorts differ or unsorted at %d", n, i)
			}
		}
	}
}

// TestAddRowsByBits compares the bit-driven row kernel with the generic code.
func TestAddRowsByBits(t *testing.T) {
	h := randomMatrix(10)
	for _, lo := range []int{0, 4, 24, 80, 100, 108} {
		for _, nm := range []int{1, 7, 32, 64} {
			bits := uint64(0x9E3779B97F4A7C15) >> (lo % 5)
			for _, n := range []int{4, 32, rowStride - lo} {
				if lo+n > rowStride {
					continue
				}
				d1 := append([]uint64(nil), h[1600][lo:lo+n]...)
				d2 := append([]uint64(nil), d1...)
				addRowsByBits(d1, h[3:3+nm], lo, bits, nm)
				addRowsByBitsGeneric(d2, h[3:3+nm], lo, bits, nm)
				for x := range d1 {
					if d1[x] != d2[x] {
						t.Fatalf("lo %d nm %d n %d: word %d differs", lo, nm, n, x)
					}
				}
			}
		}
	}
}

// TestGenPoly checks that g is monic of degree T with g(β) = 0 in
// GF(2^13)[y]/F(y), for a few random β.
func TestGenPoly(t *testing.T) {
	r := drbg(61)
	for it := 0; it < 3; it++ {
		var beta [T]gf
		copy(beta[:], randomGF(r, T))
		g, ok := genPoly(&beta)
		if !ok {
			t.Fatal("random β rejected")
		}
		// Σ g_i β^i + β^T == 0
		var acc, pow [T]gf
		pow[0] = 1
		for i := 0; i <= T; i++ {
			c := gf(1)
			if i < T {
				c = g[i]
			}
			for k := range acc {
				acc[k] ^= gfMul(c, pow[k])
			}
			fqtMul(&pow, &pow, &beta)
		}
		if acc != ([T]gf{}) {
			t.Fatalf("g(β) != 0")
		}
	}
	// β in GF(2^13) (a constant) has degree-1 minimal polynomial: rejected.
	var beta [T]gf
	beta[0] = 5
	if _, ok := genPoly(&beta); ok {
		t.Fatal("constant β accepted")
	}
}

// TestEliminateFarPivot forces the fallback of the blocked elimination: the
// only row with a 1 in column 70 is far below the fixing window.
func TestEliminateFarPivot(t *testing.T) {
	a := randomMatrix(12)
	for i := range a {
		if i != 1500 {
			a[i][1] &^= 1 << 6 // column 70
		}
	}
	a[1500][1] |= 1 << 6
	b := *a
	okA := eliminateRange(a, 0, Rows)
	okB := eliminatePanels(&b, 0, Rows)
	t.Logf("reference ok=%v", okA)
	if okA != okB || (okA && *a != b) {
		t.Fatalf("far pivot: reference ok=%v, blocked ok=%v, equal %v", okA, okB, *a == b)
	}
}
