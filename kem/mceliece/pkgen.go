package mceliece

import (
	"encoding/binary"
)

// Public-key generation: the parity-check matrix H̃ of the Goppa code, put in
// systematic form (round-4 specification, section 2.4.3 MatGen), or in the
// semi-systematic form of the "f" parameter sets with (μ, ν) = (32, 64).

// matrix is the mt × n binary matrix H, row-major, rowWords 64-bit words per
// row, bit j%64 of word j/64 holding column j.
type matrix [Rows][rowStride]uint64

// buildMatrix fills h with the rows α_j^i/g(α_j) (i < T), bit k of the
// field element giving row i*M + k, computed 64 columns at a time in
// bit-sliced form.
func buildMatrix(h *matrix, g *[T]gf, L []gf) {
	for blk := 0; blk < rowWords; blk++ {
		lo := blk * 64
		hi := min(lo+64, N)
		var a, v, c vec
		vecFromGF(&a, L[lo:hi])
		vecBroadcast(&v, 1) // g is monic
		for i := T - 1; i >= 0; i-- {
			vecMul(&v, &v, &a)
			vecBroadcast(&c, g[i])
			for k := range v {
				v[k] ^= c[k]
			}
		}
		vecInv(&v, &v)
		for i := 0; i < T; i++ {
			for k := 0; k < M; k++ {
				h[i*M+k][blk] = v[k]
			}
			vecMul(&v, &v, &a)
		}
	}
}

// rowBit returns bit c of row r as a mask (all ones or zero).
func colMask(row *[rowStride]uint64, c int) uint64 {
	return -((row[c>>6] >> (c & 63)) & 1)
}

// eliminateRange performs Gauss–Jordan elimination with mask-based pivoting
// on pivot rows r0..r1-1 (pivot column = row index). It returns false if some
// pivot cannot be made 1 (the reference's "not systematic" failure).
func eliminateRange(h *matrix, r0, r1 int) bool {
	for row := r0; row < r1; row++ {
		w0 := row >> 6
		for k := row + 1; k < Rows; k++ {
			mask := ^colMask(&h[row], row) & colMask(&h[k], row)
			for c := w0; c < rowWords; c++ {
				h[row][c] ^= h[k][c] & mask
			}
		}
		if colMask(&h[row], row) == 0 {
			return false
		}
		for k := 0; k < Rows; k++ {
			if k == row {
				continue
			}
			mask := colMask(&h[k], row)
			for c := w0; c < rowWords; c++ {
				h[k][c] ^= h[row][c] & mask
			}
		}
	}
	return true
}

// load64At returns the 64 bits of row starting at column col (col%64 == 32).
func load64At(row *[rowStride]uint64, col int) uint64 {
	w := col >> 6
	return row[w]>>32 | row[w+1]<<32
}

func store64At(row *[rowStride]uint64, col int, v uint64) {
	w := col >> 6
	row[w] = row[w]&0xFFFFFFFF | v<<32
	row[w+1] = row[w+1]&^0xFFFFFFFF | v>>32
}

// sameMask returns all ones if a == b, else 0.
func sameMask(a, b int) uint64 {
	x := uint64(a ^ b)
	return ((x - 1) & ^x) >> 63 * 0xFFFFFFFFFFFFFFFF
}

// movColumns is the column selection of the "f" key generation: with rows
// 0..mt-μ-1 already reduced, it finds the first μ columns among mt-μ ..
// mt-μ+ν-1 whose restriction to the last μ rows is independent, swaps them
// into positions mt-μ.., records them in pivots (bit i = column mt-μ+i) and
// applies the same swaps to pi. It returns false if the μ×ν block has rank
// below μ.
func movColumns(h *matrix, pi []uint16) (pivots uint64, ok bool) {
	const row = Rows - mu
	var buf [mu]uint64
	for i := 0; i < mu; i++ {
		buf[i] = load64At(&h[row+i], row)
	}
	var ctz [mu]int
	for i := 0; i < mu; i++ {
		t := buf[i]
		for j := i + 1; j < mu; j++ {
			t |= buf[j]
		}
		if t == 0 {
			return 0, false
		}
		s := ctzCT(t)
		ctz[i] = s
		pivots |= 1 << s
		for j := i + 1; j < mu; j++ {
			mask := ((buf[i] >> s) & 1) - 1
			buf[i] ^= buf[j] & mask
		}
		for j := i + 1; j < mu; j++ {
			mask := -((buf[j] >> s) & 1)
			buf[j] ^= buf[i] & mask
		}
	}
	// update the permutation
	for j := 0; j < mu; j++ {
		for k := j + 1; k < nu; k++ {
			d := pi[row+j] ^ pi[row+k]
			d &= uint16(sameMask(k, ctz[j]))
			pi[row+j] ^= d
			pi[row+k] ^= d
		}
	}
	// move the columns
	for i := 0; i < Rows; i++ {
		t := load64At(&h[i], row)
		for j := 0; j < mu; j++ {
			d := t >> j
			d ^= t >> ctz[j]
			d &= 1
			t ^= d << ctz[j]
			t ^= d << j
		}
		store64At(&h[i], row, t)
	}
	return pivots, true
}

// ctzCT counts trailing zeros of a nonzero x without branches on x.
func ctzCT(x uint64) int {
	// Scan all 64 bits, accumulating the count while no set bit was seen.
	var cnt, seen uint64
	for i := 0; i < 64; i++ {
		b := (x >> i) & 1
		seen |= b
		cnt += 1 ^ seen
	}
	return int(cnt)
}

// pkGen computes the public key T from g and the permutation values perm
// (the 2^m 32-bit words of the seed expansion). It returns the permutation
// pi of the field elements (updated by the column selection of the f variant),
// the pivot bits c, and ok == false if the key must be rejected.
func pkGen(pk []byte, g *[T]gf, perm []uint32, fvariant bool) (pi []uint16, pivots uint64, ok bool) {
	buf := make([]uint64, q)
	for i := range buf {
		buf[i] = uint64(perm[i])<<31 | uint64(i)
	}
	sortUint64(buf)
	dup := uint64(0)
	for i := 1; i < q; i++ {
		d := (buf[i-1] >> 31) ^ (buf[i] >> 31)
		dup |= ((d - 1) & ^d) >> 63
	}
	if dup != 0 {
		return nil, 0, false
	}
	pi = make([]uint16, q)
	for i := range pi {
		pi[i] = uint16(buf[i] & gfMask)
	}
	L := make([]gf, N)
	for i := range L {
		L[i] = bitrev13(pi[i])
	}
	clear(buf)
	h := new(matrix)
	defer clear(h[:]) // secret-derived unless fully reduced
	buildMatrix(h, g, L)
	clear(L)
	pivots = 0xFFFFFFFF
	if fvariant {
		if !eliminate(h, 0, Rows-mu) {
			return nil, 0, false
		}
		var ok bool
		pivots, ok = movColumns(h, pi)
		if !ok {
			return nil, 0, false
		}
		if !eliminate(h, Rows-mu, Rows) {
			return nil, 0, false
		}
	} else if !eliminate(h, 0, Rows) {
		return nil, 0, false
	}
	exportT(pk, h)
	return pi, pivots, true
}

// exportT writes columns mt..n-1 of the reduced matrix as the public key.
func exportT(pk []byte, h *matrix) {
	var tmp [rowWords * 8]byte
	for i := 0; i < Rows; i++ {
		for w := 0; w < rowWords; w++ {
			binary.LittleEndian.PutUint64(tmp[8*w:], h[i][w])
		}
		copy(pk[i*RowBytes:(i+1)*RowBytes], tmp[Rows/8:N/8])
	}
}

// eliminate is the elimination used by pkGen.
func eliminate(h *matrix, r0, r1 int) bool { return eliminatePanels(h, r0, r1) }
