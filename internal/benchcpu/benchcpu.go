// Package benchcpu adds a process-CPU-time metric to benchmarks: on the
// shared machines we measure on, wall-clock ns/op is inflated by other
// load, CPU time per operation much less so. interop/bench reads the
// cpu-ns/op metric into its same-run tables.
package benchcpu

import (
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

// OpTimer records the wall time of single operations inside a benchmark
// loop, for the median-ns/op metric: unlike the batch's ns/op, the median
// of single operations leaves out the ones a loaded machine preempted,
// which is how the C benchmarks that interop/bench compares with measure.
type OpTimer struct {
	samples []time.Duration
	t0      time.Time
}

// Start marks the beginning of one operation.
func (o *OpTimer) Start() { o.t0 = time.Now() }

// Stop records the operation begun by the last Start.
func (o *OpTimer) Stop() { o.samples = append(o.samples, time.Since(o.t0)) }

// ReportMedian adds median-ns/op, the median of the recorded operations
// (nothing when none was recorded).
func (o *OpTimer) ReportMedian(b *testing.B) {
	if len(o.samples) == 0 {
		return
	}
	s := slices.Clone(o.samples)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	b.ReportMetric(float64(m.Nanoseconds()), "median-ns/op")
}
