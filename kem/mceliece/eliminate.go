package mceliece

// Blocked Gauss–Jordan elimination of the key-generation matrix, 64 pivot
// columns (one word column) at a time. Pivoting is mask-based: every
// decision is computed as a mask on single words and applied to all rows,
// so the sequence of memory accesses does not depend on the matrix.
//
// For a panel of w pivot rows r0..r0+w-1 (pivot columns in word p):
//
//  1. On the word column p alone, run the reference's elimination (fix
//     pivot j by adding later rows whose bit j is set, then clear bit j in
//     all rows), recording which rows were added to which pivot row.
//  2. Replace pivot row j by Q_j = B_j + Σ (recorded rows B_k, k > j). The
//     Q_j span the same space as the reference's pivot rows, so their
//     restriction to the panel columns is an invertible w×w matrix Z.
//  3. P = Z^-1 Q has the identity in the panel columns.
//  4. Every other row i becomes B_i + Σ_j (bit j of B_i) P_j.
//
// The reduced systematic form is unique, so the result is the reference's;
// failure (a panel of rank below w) is reported exactly when the reference
// fails. Step 1 first looks for fixing rows among the panel rows and the
// fixWindow rows after them only (enough except with probability at most
// 2^-64 per pivot for a random matrix) and repeats with all rows if that
// does not succeed.

const fixWindow = 64

// colChunk is the number of words per column chunk in the elimination.
const colChunk = 32

// eliminatePanels reduces pivot rows r0..r1-1; r0 and r1 are multiples of
// 32 and a panel never crosses a word boundary.
func eliminatePanels(h *matrix, r0, r1 int) bool {
	for r := r0; r < r1; {
		w := min(64-(r&63), r1-r)
		if !panel(h, r, w) {
			return false
		}
		r += w
	}
	return true
}

func panel(h *matrix, r0, w int) bool {
	p, o := r0>>6, uint(r0&63)
	wmask := uint64(1)<<w - 1
	if w == 64 {
		wmask = ^uint64(0)
	}
	nb := Rows - r0
	cur := make([]uint64, nb)
	var fix [64][]uint64 // fix[j]: bitset over k of rows added to pivot j
	ok := false
	for _, kmax := range []int{min(nb, w+fixWindow), nb} {
		for i := range cur {
			cur[i] = (h[r0+i][p] >> o) & wmask
		}
		ok = true
		for j := 0; j < w; j++ {
			fix[j] = make([]uint64, (kmax+63)/64)
			cj := cur[j]
			for k := j + 1; k < kmax; k++ {
				m := ^(cj >> j) & (cur[k] >> j) & 1
				cj ^= cur[k] & -m
				fix[j][k>>6] |= m << (k & 63)
			}
			cur[j] = cj
			if (cj>>j)&1 == 0 {
				ok = false
				break
			}
			for i := range cur {
				m := -((cur[i] >> j) & 1) &^ sameMask(i, j)
				cur[i] ^= cj & m
			}
		}
		if ok || kmax == nb {
			break
		}
	}
	clear(cur)
	if !ok {
		return false
	}

	lo := p &^ 3 // words below p are zero in rows r0.. (already reduced)
	// Step 2: Q_j = B_j + Σ fix[j]_k B_k, ascending j (rows k > j are
	// still original).
	var masks [fixWindow + 64]uint64
	for j := 0; j < w; j++ {
		f := fix[j]
		kmax := len(f) * 64
		kmax = min(kmax, nb)
		cnt := kmax - (j + 1)
		if cnt <= 0 {
			continue
		}
		ms := masks[:0]
		if cnt > len(masks) {
			ms = make([]uint64, 0, cnt)
		}
		for k := j + 1; k < kmax; k++ {
			ms = append(ms, -((f[k>>6] >> (k & 63)) & 1))
		}
		addMaskedRows(h[r0+j][lo:], h[r0+j+1:r0+kmax], lo, ms)
	}

	// Step 3: Z = Q restricted to the panel, P = Z^-1 Q.
	var z, zi [64]uint64
	for j := 0; j < w; j++ {
		z[j] = (h[r0+j][p] >> o) & wmask
		zi[j] = 1 << j
	}
	invertSmall(&z, &zi, w)
	pbuf := make([]uint64, w*rowStride)
	for j := 0; j < w; j++ {
		var ms [64]uint64
		for l := 0; l < w; l++ {
			ms[l] = -((zi[j] >> l) & 1)
		}
		addMaskedRows(pbuf[j*rowStride+lo:(j+1)*rowStride], h[r0:r0+w], lo, ms[:w])
	}
	for j := 0; j < w; j++ {
		copy(h[r0+j][lo:], pbuf[j*rowStride+lo:(j+1)*rowStride])
	}
	clear(pbuf)

	// Step 4: clear the panel columns in every other row. Columns are
	// processed in chunks of colChunk words across all rows, so that the
	// chunk of the w pivot rows stays in the L1 cache.
	var coef [Rows]uint64
	for i := 0; i < Rows; i++ {
		coef[i] = (h[i][p] >> o) & wmask
	}
	pr := h[r0 : r0+w]
	for c0 := lo; c0 < rowStride; c0 += colChunk {
		c1 := min(c0+colChunk, rowStride)
		for i := 0; i < Rows; i++ {
			if i == r0 {
				i += w - 1
				continue
			}
			addRowsByBits(h[i][c0:c1], pr, c0, coef[i], w)
		}
	}
	return true
}

// invertSmall inverts the w×w matrix z (row j = z[j], bit l = column l),
// applying the same row operations to zi, with mask-based pivoting. z must
// be invertible.
func invertSmall(z, zi *[64]uint64, w int) {
	for j := 0; j < w; j++ {
		for k := j + 1; k < w; k++ {
			m := -(^(z[j] >> j) & (z[k] >> j) & 1)
			z[j] ^= z[k] & m
			zi[j] ^= zi[k] & m
		}
		for i := 0; i < w; i++ {
			m := -((z[i] >> j) & 1) &^ sameMask(i, j)
			z[i] ^= z[j] & m
			zi[i] ^= zi[j] & m
		}
	}
}

// addMaskedRowsGeneric sets dst[x] ^= Σ_j src[j][lo+x] & masks[j].
func addMaskedRowsGeneric(dst []uint64, src [][rowStride]uint64, lo int, masks []uint64) {
	for j, m := range masks {
		s := src[j][lo : lo+len(dst)]
		for x := range dst {
			dst[x] ^= s[x] & m
		}
	}
}

// addRowsByBitsGeneric sets dst[x] ^= Σ_{j<nm} src[j][lo+x] & -(bits>>j & 1).
func addRowsByBitsGeneric(dst []uint64, src [][rowStride]uint64, lo int, bits uint64, nm int) {
	for j := 0; j < nm; j++ {
		m := -((bits >> j) & 1)
		s := src[j][lo : lo+len(dst)]
		for x := range dst {
			dst[x] ^= s[x] & m
		}
	}
}
