//go:build linux

package benchcpu

import (
	"runtime"
	"testing"
)

// TestProcessCPUAdvances: burning CPU advances the process CPU time
// (read on Linux only, hence the build tag).
func TestProcessCPUAdvances(t *testing.T) {
	start := Start()
	x := uint64(1)
	for i := 0; i < 50_000_000; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	if x == 0 {
		t.Log(x)
	}
	if d := processCPU() - start; start < 0 || d <= 0 {
		t.Fatalf("CPU time from %d advanced by %d ns", start, d)
	}
}

// TestReport: Report adds the cpu-ns/op metric.
func TestReport(t *testing.T) {
	r := testing.Benchmark(func(b *testing.B) {
		start := Start()
		for b.Loop() {
			runtime.Gosched()
		}
		Report(b, start)
	})
	if _, ok := r.Extra["cpu-ns/op"]; !ok {
		t.Fatalf("no cpu-ns/op in %v", r.Extra)
	}
}

// TestOpsReport: Ops adds the median wall and thread-CPU metrics, the
// CPU one at least the work done in the operation.
func TestOpsReport(t *testing.T) {
	r := testing.Benchmark(func(b *testing.B) {
		ops := NewOps()
		for b.Loop() {
			ops.Begin()
			x := uint64(1)
			for i := 0; i < 100_000; i++ {
				x = x*6364136223846793005 + 1442695040888963407
			}
			if x == 0 {
				b.Log(x)
			}
			ops.End()
		}
		ops.Report(b)
	})
	w, okW := r.Extra["med-ns/op"]
	c, okC := r.Extra["med-cpu-ns/op"]
	mc, okM := r.Extra["mean-cpu-ns/op"]
	if !okW || !okC || !okM || w <= 0 || c <= 0 || mc <= 0 {
		t.Fatalf("metrics %v", r.Extra)
	}
}

// TestMedian: odd and even counts.
func TestMedian(t *testing.T) {
	if m := median([]int64{5, 1, 3}); m != 3 {
		t.Fatalf("median(5, 1, 3) = %d", m)
	}
	if m := median([]int64{4, 1, 3, 2}); m != 2 {
		t.Fatalf("median(4, 1, 3, 2) = %d", m)
	}
}
