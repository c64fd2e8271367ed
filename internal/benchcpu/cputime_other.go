//go:build !linux

package benchcpu

// processCPU is unknown off Linux: Report adds nothing.
func processCPU() int64 { return -1 }
