package sntrup761

// sortUint32 sorts x in place with Batcher's odd-even merge sorting network:
// the sequence of compare-exchange positions depends only on len(x), and each
// compare-exchange is branch-free, so the running time and memory access
// pattern are independent of the values.
func sortUint32(x []uint32) {
	n := len(x)
	for pp := 1; pp < n; pp <<= 1 {
		for k := pp; k >= 1; k >>= 1 {
			for j := k % pp; j+k < n; j += 2 * k {
				for i := 0; i < k && i+j+k < n; i++ {
					if (i+j)/(2*pp) == (i+j+k)/(2*pp) {
						minmax(&x[i+j], &x[i+j+k])
					}
				}
			}
		}
	}
}

// minmax puts the smaller of *a, *b in *a and the larger in *b, branch-free.
func minmax(a, b *uint32) {
	x, y := *a, *b
	// mask is all ones when y < x.
	mask := -uint32((uint64(y) - uint64(x)) >> 63)
	t := (x ^ y) & mask
	*a = x ^ t
	*b = y ^ t
}
