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
