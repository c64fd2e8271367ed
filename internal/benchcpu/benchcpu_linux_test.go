//go:build linux

package benchcpu

import (
	"runtime"
	"slices"
	"testing"
	"time"
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

// TestOpTimer: ReportMedian reports the median of the recorded
// operations (the mean of the middle two for an even count), and Start/Stop
// record one sample per operation.
func TestOpTimer(t *testing.T) {
	for _, c := range []struct {
		samples []time.Duration
		want    float64
	}{{[]time.Duration{50, 10, 30}, 30}, {[]time.Duration{40, 10, 30, 20}, 25}} {
		r := testing.Benchmark(func(b *testing.B) {
			for b.Loop() {
			}
			o := OpTimer{samples: c.samples}
			o.ReportMedian(b)
		})
		if got := r.Extra["median-ns/op"]; got != c.want {
			t.Fatalf("median of %v = %v, want %v", c.samples, got, c.want)
		}
	}
	var o OpTimer
	for range 3 {
		o.Start()
		time.Sleep(time.Millisecond)
		o.Stop()
	}
	if len(o.samples) != 3 || slices.Min(o.samples) < time.Millisecond {
		t.Fatalf("samples %v, want three of at least 1ms", o.samples)
	}
}
