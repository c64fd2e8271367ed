//go:build linux

package main

import (
	"testing"
)

// goOut is `mceliece.test -test.bench … -test.count 3` output (one count
// shortened), as the KEM benchmark reads it.
const goOut = `goos: linux
goarch: amd64
pkg: github.com/pqssh/pqssh/kem/mceliece
cpu: AMD EPYC
BenchmarkEncapsulate-2   	     100	     92400 ns/op	    102400 cpu-ns/op
BenchmarkEncapsulate-2   	     100	     90000 ns/op	    101000 cpu-ns/op
BenchmarkEncapsulate-2   	     100	     99000 ns/op	    105000 cpu-ns/op
BenchmarkDecapsulate-2   	     100	    244700 ns/op	    250700 cpu-ns/op
BenchmarkKeypair-2       	      20	   2700000 ns/op
PASS
`

func TestParseGoBench(t *testing.T) {
	figs, err := parseGoBench(goOut)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]figure{
		"Encapsulate": {92400, 102400}, // medians of three
		"Decapsulate": {244700, 250700},
		"Keypair":     {2700000, 0}, // no cpu-ns/op metric
	}
	if len(figs) != len(want) {
		t.Fatalf("got %v, want %v", figs, want)
	}
	for k, w := range want {
		if figs[k] != w {
			t.Errorf("%s: got %v, want %v", k, figs[k], w)
		}
	}
	if _, err := parseGoBench("PASS\n"); err == nil {
		t.Error("output without benchmark lines accepted")
	}
	if _, err := parseGoBench("BenchmarkX-2 1 abc ns/op\n"); err == nil {
		t.Error("malformed ns/op accepted")
	}
}

func TestParseCBench(t *testing.T) {
	out := "op=keypair_f n=5 ns=84800000 min_ns=1 max_ns=2 cpu_ns=84700000 mean_ns=3 mean_cpu_ns=4 impl=avx\n" +
		"op=enc n=500 ns=41300 min_ns=1 max_ns=2 cpu_ns=42500 mean_ns=3 mean_cpu_ns=4 impl=avx\n"
	figs, err := parseCBench(out)
	if err != nil {
		t.Fatal(err)
	}
	if figs["keypair_f"] != (figure{84800000, 84700000}) || figs["enc"] != (figure{41300, 42500}) || len(figs) != 2 {
		t.Errorf("got %v", figs)
	}
	if got := cImplName(out); got != "avx" {
		t.Errorf("impl %q, want avx", got)
	}
	if _, err := parseCBench("op=dec ns=x cpu_ns=1\n"); err == nil {
		t.Error("malformed line accepted")
	}
	if _, err := parseCBench(""); err == nil {
		t.Error("empty output accepted")
	}
}

func TestParseTimes(t *testing.T) {
	block := "0.500 0.1 0.1\n0.400 0.1 0.1\n0.018 0.004 0.002\n0.020 0.005 0.003\n0.016 0.004 0.001\n"
	wall, cpu, err := parseTimes(block, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if median(wall) != 0.018 || len(wall) != 3 {
		t.Errorf("wall %v", wall)
	}
	if d := cpu - 0.019; d > 1e-9 || d < -1e-9 {
		t.Errorf("cpu %v, want 0.019", cpu)
	}
	if _, _, err := parseTimes(block, 4, 2); err == nil {
		t.Error("wrong number of timings accepted")
	}
	if _, _, err := parseTimes("1 2 3\na b c", 1, 1); err == nil {
		t.Error("malformed timing accepted")
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		v    []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(c.v); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.v, got, c.want)
		}
	}
}
