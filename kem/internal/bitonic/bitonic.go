// Package bitonic is the constant-time sorting kernel shared by the KEMs:
// Batcher's bitonic sorting network on uint32 values, with AVX2 kernels for
// amd64 selected at run time and a pure-Go network elsewhere (and under
// the purego build tag).
//
// The sequence of compare-exchange operations, and every branch, depend
// only on the length of the input, never on its values; each
// compare-exchange is a min/max pair, which compiles to conditional moves
// (or vector min/max instructions). Classic McEliece sorts with it in
// key generation (the control bits of the Beneš network, and the support
// permutation), sntrup761 in its fixed-weight sampling.
package bitonic

// Sort sorts x in ascending order. len(x) must be a power of two.
func Sort(x []uint32) {
	n := len(x)
	if n&(n-1) != 0 {
		panic("bitonic: length is not a power of two")
	}
	sort(x)
}

// SortGeneric is Sort without assembly, for tests and benchmarks that
// compare the two.
func SortGeneric(x []uint32) {
	n := len(x)
	if n&(n-1) != 0 {
		panic("bitonic: length is not a power of two")
	}
	sortGeneric(x)
}

// sortGeneric runs the whole network in Go.
func sortGeneric(x []uint32) {
	n := len(x)
	for k := 2; k <= n; k <<= 1 {
		for j := k >> 1; j > 0; j >>= 1 {
			stage(x, k, j)
		}
	}
}

// stage is the stride-j stage of merge level k: pairs (i, i+j) within each
// block of 2j are put in ascending order when the block's index has bit k
// clear, descending otherwise.
func stage(x []uint32, k, j int) {
	n := len(x)
	for base := 0; base < n; base += 2 * j {
		lo := x[base : base+j]
		hi := x[base+j : base+2*j]
		if base&k == 0 {
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
