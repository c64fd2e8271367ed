//go:build amd64 && !purego

package sntrup761

//go:noescape
func smallStagesAVX2(x *uint32, n int, k int)

//go:noescape
func sortLevels24AVX2(x *uint32, n int)

//go:noescape
func stageAVX2(x *uint32, n int, j int, k int)

// sortN is the bitonic network's length: inputs are padded to it with the
// largest uint32, which sorts last.
const sortN = 1024

// sortUint32 sorts x in place (len(x) <= sortN with AVX2; otherwise, or
// without AVX2, Batcher's network of sortUint32Generic). The AVX2 path runs
// the bitonic network on sortN elements: its sequence of compare-exchanges
// and every branch depend only on positions, never on the values.
func sortUint32(x []uint32) {
	if !useAVX2 || len(x) > sortN {
		sortUint32Generic(x)
		return
	}
	var buf [sortN]uint32
	defer clear(buf[:])
	copy(buf[:], x)
	for i := len(x); i < sortN; i++ {
		buf[i] = ^uint32(0)
	}
	sortBitonicAVX2(&buf)
	copy(x, buf[:len(x)])
}

// sortBitonicAVX2 sorts x ascending with the bitonic network.
func sortBitonicAVX2(x *[sortN]uint32) {
	const n = sortN
	sortLevels24AVX2(&x[0], n)
	for k := 8; k <= n; k <<= 1 {
		for j := k >> 1; j > 0; j >>= 1 {
			if j >= 8 {
				stageAVX2(&x[0], n, j, k)
				continue
			}
			smallStagesAVX2(&x[0], n, k)
			break // stages 4, 2 and 1 done
		}
	}
}
