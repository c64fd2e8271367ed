package mctiny

import "encoding/binary"

// blockWords is the number of 64-bit words of one block row (x bits).
const blockWords = (X + 63) / 64

// blockProduct returns c = K·e_j for one block: bit ρ of c is the parity of
// row ρ of block AND e_j (block rows are BlockRowBytes bytes, little-endian
// bit order as in the Classic McEliece public key).
func blockProduct(block []byte, ej *[blockWords]uint64) uint64 {
	_ = block[BlockBytes-1]
	// A row's last word has x-64·(blockWords-1) = 56 bits. Reading it as a
	// whole word takes the first byte of the next row too, which the mask
	// removes; only the last row needs a short read.
	last := ej[blockWords-1] & (1<<(X-64*(blockWords-1)) - 1)
	var c uint64
	for rho := range Y {
		row := block[rho*BlockRowBytes:]
		var acc uint64
		for w := range blockWords - 1 {
			acc ^= binary.LittleEndian.Uint64(row[8*w:]) & ej[w]
		}
		tail := row[8*(blockWords-1):]
		if rho < Y-1 {
			acc ^= binary.LittleEndian.Uint64(tail) & last
		} else {
			acc ^= le64(tail[:BlockRowBytes-8*(blockWords-1)]) & last
		}
		c |= uint64(popcount(acc)&1) << rho
	}
	return c
}

// extractBlock copies block K_ij (0-based i, j) of the public key T (row
// major, RowBytes per row) into dst (BlockBytes), zero-padding rows beyond
// Rows and columns beyond Cols.
func extractBlock(dst, pk []byte, i, j int) {
	clear(dst[:BlockBytes])
	col := j * BlockRowBytes
	width := min(BlockRowBytes, RowBytes-col)
	for rho := range Y {
		row := i*Y + rho
		if row >= Rows {
			break
		}
		copy(dst[rho*BlockRowBytes:rho*BlockRowBytes+width], pk[row*RowBytes+col:])
	}
}

// pieceAdd XORs the Y-bit value c into the piece accumulator at row block
// q of the piece (bits q*Y .. q*Y+Y-1).
func pieceAdd(acc *[2]uint64, c uint64, q int) {
	shift := uint(q * Y)
	if shift < 64 {
		acc[0] ^= c << shift
		if shift+Y > 64 {
			acc[1] ^= c >> (64 - shift)
		}
	} else {
		acc[1] ^= c << (shift - 64)
	}
}
