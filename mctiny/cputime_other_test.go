//go:build !linux

package mctiny

import "time"

var cpuStart = time.Now()

// threadCPU falls back to wall time where the thread CPU clock is not
// available to the benchmarks.
func threadCPU() int64 { return int64(time.Since(cpuStart)) }

const cpuClock = "wall time"
