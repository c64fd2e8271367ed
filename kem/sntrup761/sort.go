package sntrup761

// sortUint32Generic sorts x in place with Batcher's odd-even merge sorting
// network: the sequence of compare-exchange positions depends only on
// len(x), and each compare-exchange is branch-free, so the running time and
// memory access pattern are independent of the values.
func sortUint32Generic(x []uint32) {
	n := len(x)
	for logp := uint(0); 1<<logp < n; logp++ {
		pp := 1 << logp
		for k := pp; k >= 1; k >>= 1 {
			for j := k % pp; j+k < n; j += 2 * k {
				// Compare j+i with j+i+k (0 <= i < k) when both lie in the
				// same block of 2*pp. For k < pp, j is an odd multiple of k,
				// so j..j+k-1 and j+k..j+2k-1 are aligned runs of k and
				// the condition is the same for every i; for k == pp it
				// always holds. It depends on indices only.
				if j>>(logp+1) != (j+k)>>(logp+1) {
					continue
				}
				lo := x[j:min(j+k, n-k)]
				hi := x[j+k : j+k+len(lo)]
				for i := range lo {
					a, b := lo[i], hi[i]
					// mask is all ones when b < a.
					mask := -uint32((uint64(b) - uint64(a)) >> 63)
					t := (a ^ b) & mask
					lo[i] = a ^ t
					hi[i] = b ^ t
				}
			}
		}
	}
}
