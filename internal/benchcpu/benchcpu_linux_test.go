//go:build linux

package benchcpu

import (
	"runtime"
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

// TestOpTimer: ReportMedian reports the medians of the recorded
// operations (the mean of the middle two for an even count), and
// Start/Stop record one wall and one CPU sample per operation, the CPU
// one covering a busy loop and not a sleep.
func TestOpTimer(t *testing.T) {
	for _, c := range []struct {
		samples []int64
		want    float64
	}{{[]int64{50, 10, 30}, 30}, {[]int64{40, 10, 30, 20}, 25}} {
		r := testing.Benchmark(func(b *testing.B) {
			for b.Loop() {
			}
			o := OpTimer{wall: c.samples, cpu: c.samples}
			o.ReportMedian(b)
		})
		if r.Extra["median-ns/op"] != c.want || r.Extra["median-cpu-ns/op"] != c.want {
			t.Fatalf("medians of %v = %v, want %v", c.samples, r.Extra, c.want)
		}
	}
	var o OpTimer
	o.Start()
	time.Sleep(20 * time.Millisecond)
	o.Stop()
	o.Start()
	x := uint64(1)
	for i := 0; i < 20_000_000; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	o.Stop()
	if x == 0 {
		t.Log(x)
	}
	if len(o.wall) != 2 || len(o.cpu) != 2 {
		t.Fatalf("samples %v / %v, want two each", o.wall, o.cpu)
	}
	if o.wall[0] < int64(20*time.Millisecond) || o.cpu[0] > int64(10*time.Millisecond) || o.cpu[1] <= 0 {
		t.Fatalf("sleep: wall %d ns, CPU %d ns; busy loop: CPU %d ns", o.wall[0], o.cpu[0], o.cpu[1])
	}
}
