//go:build amd64 && !purego

package mceliece

//go:noescape
func smallStagesAVX2(x *uint32, n int, k int)

//go:noescape
func sortLevels24AVX2(x *uint32, n int)

//go:noescape
func stageAVX2(x *uint32, n int, j int, k int)

// sortUint32 sorts x (len a power of two) with the bitonic network, using
// AVX2 for all stages once len(x) >= 16. The direction branches depend only
// on positions, never on the data.
func sortUint32(x []uint32) {
	n := len(x)
	if !useAVX2 || n < 16 {
		sortUint32Generic(x)
		return
	}
	sortLevels24AVX2(&x[0], n)
	for k := 8; k <= n; k <<= 1 {
		for j := k >> 1; j > 0; j >>= 1 {
			switch {
			case j >= 8:
				stageAVX2(&x[0], n, j, k)
			case k >= 8:
				smallStagesAVX2(&x[0], n, k)
				j = 0 // stages 4, 2, 1 done
			default:
				bitonicStage(x, k, j)
			}
		}
	}
}
