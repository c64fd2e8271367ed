package mceliece

import "github.com/pqssh/pqssh/kem/internal/bitonic"

// Constant-time sorting networks (bitonic sort) for power-of-two lengths.
// The sequence of compare-exchange operations depends only on len(x); each
// compare-exchange uses min/max, which compile to conditional moves.

// sortUint32 sorts x (len a power of two) in ascending order with the
// shared bitonic network (AVX2 where available).
func sortUint32(x []uint32) { bitonic.Sort(x) }

// sortUint64 sorts x (len a power of two) in ascending order.
func sortUint64(x []uint64) {
	n := len(x)
	for k := 2; k <= n; k <<= 1 {
		for j := k >> 1; j > 0; j >>= 1 {
			for base := 0; base < n; base += 2 * j {
				asc := base&k == 0
				lo := x[base : base+j]
				hi := x[base+j : base+2*j]
				if asc {
					for i := range lo {
						a, b := lo[i], hi[i]
						lo[i], hi[i] = min(a, b), max(a, b)
					}
				} else {
					for i := range lo {
						a, b := lo[i], hi[i]
						lo[i], hi[i] = max(a, b), min(a, b)
					}
				}
			}
		}
	}
}
