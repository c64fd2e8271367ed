package sntrup761

import "github.com/pqssh/pqssh/kem/internal/bitonic"

// sortN is the bitonic network's length: inputs are padded to it with the
// largest uint32, which sorts last.
const sortN = 1024

// sortUint32 sorts x in place: with AVX2 (and len(x) <= sortN) by the
// shared bitonic network on sortN elements, otherwise by Batcher's
// odd-even merge network of sortUint32Generic, which needs no padding.
// Either way the sequence of compare-exchanges and every branch depend
// only on positions, never on the values.
func sortUint32(x []uint32) {
	if !bitonic.HasAVX2() || len(x) > sortN {
		sortUint32Generic(x)
		return
	}
	var buf [sortN]uint32
	defer clear(buf[:])
	copy(buf[:], x)
	for i := len(x); i < sortN; i++ {
		buf[i] = ^uint32(0)
	}
	bitonic.Sort(buf[:])
	copy(x, buf[:len(x)])
}

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
