// Package benchcpu adds a process-CPU-time metric to benchmarks: on the
// shared machines we measure on, wall-clock ns/op is inflated by other
// load, CPU time per operation much less so. interop/bench reads the
// cpu-ns/op metric into its same-run tables.
package benchcpu

import "testing"

// Start returns the process's CPU time so far, to pass to Report.
func Start() int64 { return processCPU() }

// Report adds cpu-ns/op: the process's user+system CPU time since start
// divided by b.N. It includes the garbage collector and any other
// goroutine of the process.
func Report(b *testing.B, start int64) {
	if b.N > 0 && start >= 0 {
		b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
	}
}
