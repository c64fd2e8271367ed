//go:build amd64 && !purego

package mceliece

//go:noescape
func countEqualAVX2(ind *[T]uint16, counts *[16]uint16)

//go:noescape
func setBitsAVX2(ew *[fwWords]uint64, ind *[T]uint16, widx *[fwWords]uint64)

// wordIndex[w] = w: the word numbers setBitsAVX2 compares the indices'
// words with (read-only after init).
var wordIndex = func() (t [fwWords]uint64) {
	for w := range t {
		t[w] = uint64(w)
	}
	return t
}()

// distinct reports whether the T indices are pairwise distinct (see
// distinctGeneric), with AVX2 when available: all T² pairs are compared and
// the equal ones counted, T when only i == j match.
func distinct(ind *[T]uint16) bool {
	if !useAVX2 {
		return distinctGeneric(ind)
	}
	var counts [16]uint16
	countEqualAVX2(ind, &counts)
	n := 0
	for _, c := range counts {
		n += int(c)
	}
	return n == T
}

// setBits sets ew to the vector with bits ind[0..T-1] (see setBitsGeneric),
// with AVX2 when available.
func setBits(ew *[fwWords]uint64, ind *[T]uint16) {
	if !useAVX2 {
		setBitsGeneric(ew, ind)
		return
	}
	setBitsAVX2(ew, ind, &wordIndex)
}
