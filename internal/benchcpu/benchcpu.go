// Package benchcpu adds a process-CPU-time metric to benchmarks: on the
// shared machines we measure on, wall-clock ns/op is inflated by other
// load, CPU time per operation much less so. interop/bench reads the
// cpu-ns/op metric into its same-run tables.
package benchcpu

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

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

// OpTimer records the wall time and the thread CPU time of single
// operations inside a benchmark loop, for the median-ns/op and
// median-cpu-ns/op metrics: unlike the batch's ns/op and the process's
// cpu-ns/op, medians of single operations leave out the ones a loaded
// machine preempted or slowed, which is how the C benchmarks that
// interop/bench compares with measure (CLOCK_MONOTONIC and
// CLOCK_THREAD_CPUTIME_ID around each operation, medians).
type OpTimer struct {
	wall, cpu []int64
	t0        time.Time
	c0        int64
}

// Start marks the beginning of one operation; it locks the goroutine to
// its thread until Stop, so that the thread's CPU clock covers exactly the
// operation.
func (o *OpTimer) Start() {
	runtime.LockOSThread()
	o.c0 = threadCPU()
	o.t0 = time.Now()
}

// Stop records the operation begun by the last Start.
func (o *OpTimer) Stop() {
	d := time.Since(o.t0)
	c := threadCPU()
	runtime.UnlockOSThread()
	o.wall = append(o.wall, d.Nanoseconds())
	if c >= 0 && o.c0 >= 0 {
		o.cpu = append(o.cpu, c-o.c0)
	}
}

// ReportMedian adds median-ns/op and, where the thread CPU clock is
// known, median-cpu-ns/op (nothing when no operation was recorded).
func (o *OpTimer) ReportMedian(b *testing.B) {
	if m, ok := medianOf(o.wall); ok {
		b.ReportMetric(m, "median-ns/op")
	}
	if m, ok := medianOf(o.cpu); ok {
		b.ReportMetric(m, "median-cpu-ns/op")
	}
}

// medianOf is the median of s (the mean of the middle two for an even
// length); false for an empty s.
func medianOf(s []int64) (float64, bool) {
	if len(s) == 0 {
		return 0, false
	}
	s = slices.Clone(s)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2]), true
	}
	return float64(s[n/2-1]+s[n/2]) / 2, true
}
