//go:build amd64 && !purego

package mctiny

import "testing"

// TestSalsaLanesGenericPath runs TestSalsaLanesMatchXCrypto with the lane
// kernel off (what a CPU without AVX-512 runs).
func TestSalsaLanesGenericPath(t *testing.T) {
	saved := salsaKernel
	defer func() { salsaKernel = saved }()
	salsaKernel = salsaAVX2
	TestSalsaLanesMatchXCrypto(t)
}
