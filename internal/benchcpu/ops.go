package benchcpu

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

// Ops times single operations of a benchmark, for the statistic
// interop/libmceliece-bench's C programs report: the median over
// operations of the wall time and of the CPU time of the running thread.
// A median of single operations leaves out the ones another process
// preempted, which a batch mean (ns/op) includes; comparing it with the
// C programs' medians compares like with like on a loaded machine. The
// goroutine is locked to its thread from NewOps to Report.
type Ops struct {
	wall, cpu []int64
	t0        time.Time
	c0        int64
}

// NewOps starts timing single operations.
func NewOps() *Ops {
	runtime.LockOSThread()
	return &Ops{}
}

// Begin marks the start of one operation.
func (o *Ops) Begin() {
	o.c0 = threadCPU()
	o.t0 = time.Now()
}

// End marks the end of the operation Begin started.
func (o *Ops) End() {
	w := time.Since(o.t0)
	c := threadCPU()
	o.wall = append(o.wall, int64(w))
	if c >= 0 && o.c0 >= 0 {
		o.cpu = append(o.cpu, c-o.c0)
	}
}

// Report adds med-ns/op and, where the thread's CPU time is known,
// med-cpu-ns/op and mean-cpu-ns/op (the mean of the same samples), and
// unlocks the goroutine from its thread.
func (o *Ops) Report(b *testing.B) {
	defer runtime.UnlockOSThread()
	if len(o.wall) > 0 {
		b.ReportMetric(float64(median(o.wall)), "med-ns/op")
	}
	if len(o.cpu) > 0 {
		var sum int64
		for _, c := range o.cpu {
			sum += c
		}
		b.ReportMetric(float64(sum)/float64(len(o.cpu)), "mean-cpu-ns/op")
		b.ReportMetric(float64(median(o.cpu)), "med-cpu-ns/op")
	}
}

// median returns the median of x (the mean of the middle two for an even
// count); x is sorted in place.
func median(x []int64) int64 {
	slices.Sort(x)
	n := len(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}
