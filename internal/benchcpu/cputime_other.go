//go:build !linux

package benchcpu

// processCPU is unknown off Linux: Report adds nothing.
func processCPU() int64 { return -1 }

// threadCPU is unknown off Linux: Ops reports wall time only.
func threadCPU() int64 { return -1 }
