//go:build linux

package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/peers"
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
		"Encapsulate": {92400, 102400, 92400, 102400}, // medians of three
		"Decapsulate": {244700, 250700, 244700, 250700},
		"Keypair":     {2700000, 0, 2700000, 0}, // no cpu-ns/op metric
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

// TestParseGoBenchMedians: where a benchmark reports the medians of single
// operations, they are its figures.
func TestParseGoBenchMedians(t *testing.T) {
	out := "BenchmarkDecapsulate-2 100 244700 ns/op 250700 cpu-ns/op 70000 med-ns/op 69000 med-cpu-ns/op 80000 mean-cpu-ns/op\n" +
		"BenchmarkDecapsulate-2 100 254700 ns/op 260700 cpu-ns/op 71000 med-ns/op 68000 med-cpu-ns/op 81000 mean-cpu-ns/op\n" +
		"BenchmarkDecapsulate-2 100 264700 ns/op 270700 cpu-ns/op 72000 med-ns/op 67000 med-cpu-ns/op 82000 mean-cpu-ns/op\n"
	figs, err := parseGoBench(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := figs["Decapsulate"], (figure{71000, 68000, 254700, 81000}); got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestParseCBench(t *testing.T) {
	out := "op=keypair_f n=5 ns=84800000 min_ns=1 max_ns=2 cpu_ns=84700000 mean_ns=3 mean_cpu_ns=4 impl=avx\n" +
		"op=enc n=500 ns=41300 min_ns=1 max_ns=2 cpu_ns=42500 mean_ns=3 mean_cpu_ns=4 impl=avx\n"
	figs, err := parseCBench(out)
	if err != nil {
		t.Fatal(err)
	}
	if figs["keypair_f"] != (figure{84800000, 84700000, 3, 4}) || figs["enc"] != (figure{41300, 42500, 3, 4}) || len(figs) != 2 {
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

func TestQuartiles(t *testing.T) {
	for _, c := range []struct {
		v          []float64
		q1, q2, q3 float64
	}{
		{nil, 0, 0, 0},
		{[]float64{7}, 7, 7, 7},
		{[]float64{5, 1, 3, 2, 4}, 2, 3, 4},
		{[]float64{4, 1, 3, 2}, 1.75, 2.5, 3.25},
	} {
		q1, q2, q3 := quartiles(c.v)
		if q1 != c.q1 || q2 != c.q2 || q3 != c.q3 {
			t.Errorf("quartiles(%v) = %v %v %v, want %v %v %v", c.v, q1, q2, q3, c.q1, c.q2, c.q3)
		}
	}
}

func TestRatios(t *testing.T) {
	if got := ratios([]float64{1, 3, 5}, []float64{2, 6}); !slices.Equal(got, []float64{0.5, 0.5}) {
		t.Errorf("ratios = %v", got)
	}
	if got := ratios(nil, []float64{1}); len(got) != 0 {
		t.Errorf("ratios of nothing = %v", got)
	}
}

func TestSelectBaselines(t *testing.T) {
	bs, err := selectBaselines([]string{"10.0", "10.6"})
	if err != nil {
		t.Fatal(err)
	}
	// Newest first, whatever the order asked.
	if len(bs) != 2 || bs[0].peer != peers.OpenSSH106 || bs[1].peer != peers.OpenSSH10 {
		t.Fatalf("got %v", bs)
	}
	// OpenSSH 10.6 runs in its own forky root filesystem; 10.0 shares
	// the McEliece table's trixie one.
	if bs[0].recipe.Suite != "forky" || bs[1].recipe.Key() != peers.OpenSSHMcEliece.Recipe.Key() {
		t.Errorf("recipes %s, %s", bs[0].recipe.Suite, bs[1].recipe.Key())
	}
	// The default methods are compared where the release has them: the
	// NIST-curve ML-KEM only with 10.6.
	for _, kex := range []string{peers.MLKEM768, peers.MLKEM768P256, peers.SNTRUP761} {
		if !slices.Contains(bs[0].peer.Kex, kex) {
			t.Errorf("OpenSSH 10.6 lacks %s", kex)
		}
	}
	if slices.Contains(bs[1].peer.Kex, peers.MLKEM768P256) {
		t.Errorf("OpenSSH 10.0 has %s", peers.MLKEM768P256)
	}
	if _, err := selectBaselines([]string{"10.6", "9.9"}); err == nil {
		t.Error("unknown release accepted")
	}
}

func TestRows(t *testing.T) {
	bs, err := selectBaselines([]string{"10.6"})
	if err != nil {
		t.Fatal(err)
	}
	cmp := comparison{
		base: bs[0],
		kex:  peers.MLKEM768P256,
		pqssh: &result{
			wall: []float64{0.010, 0.012, 0.011, 0.030, 0.013},
			cpu:  15 * time.Millisecond,
		},
		openssh: &result{
			wall: []float64{0.100, 0.100, 0.110, 0.100, 0.130},
			cpu:  50 * time.Millisecond,
		},
	}
	want := "| 10.6 | mlkem768nistp256-sha256 | 12.0 ms (11.0–13.0) | 100.0 ms (100.0–110.0) | 0.12 (0.10–0.12) | 15.0 ms | 50.0 ms | 0.30 |"
	if got := cmp.loginRow(); got != want {
		t.Errorf("login row\n got %s\nwant %s", got, want)
	}
	if h, r := strings.Count(strings.Split(loginHeader, "\n")[0], "|"), strings.Count(cmp.loginRow(), "|"); h != r {
		t.Errorf("%d columns in the login header, %d in the row", h-1, r-1)
	}
	cmp.single = &result{wall: []float64{0.008, 0.010, 0.009, 0.020, 0.011}, cpu: 10 * time.Millisecond}
	want = "| 10.6 | mlkem768nistp256-sha256 | 12.0 ms (11.0–13.0) | 10.0 ms (9.0–11.0) | 1.20 (1.20–1.25) | 100.0 ms (100.0–110.0) | 0.12 (0.10–0.12) | 15.0 ms | 10.0 ms | 1.50 |"
	if got := cmp.processRow(); got != want {
		t.Errorf("process row\n got %s\nwant %s", got, want)
	}
	if h, r := strings.Count(strings.Split(processHeader, "\n")[0], "|"), strings.Count(cmp.processRow(), "|"); h != r {
		t.Errorf("%d columns in the process header, %d in the row", h-1, r-1)
	}
}

func TestParseSigTimes(t *testing.T) {
	out := "ssh-ed25519 pq sign 1733300000.999990 1733300001.000120\n" +
		"ssh-ed25519 pq sign 1733300002.5 1733300002.5002\n" +
		"ssh-ed25519 os verify 1733300003.000000 1733300003.001000\n"
	times, err := parseSigTimes(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := times["ssh-ed25519 pq sign"]; !slices.Equal(got, []float64{130, 200}) {
		t.Errorf("pq sign: %v µs, want [130 200]", got)
	}
	if got := times["ssh-ed25519 os verify"]; !slices.Equal(got, []float64{1000}) {
		t.Errorf("os verify: %v µs, want [1000]", got)
	}
	for _, bad := range []string{"a b c 1 x", "a b c 2.0 1.0", "a b c 1.0"} {
		if _, err := parseSigTimes(bad); err == nil {
			t.Errorf("parseSigTimes(%q) accepted it", bad)
		}
	}
}

func TestParseBenchMetrics(t *testing.T) {
	out := "goos: linux\n" +
		"BenchmarkServerExchange-2   \t      20\t  9000000 ns/op\t 0.30 cpu-ms-phase0/op\t 3.50 cpu-ms-phase1-3/op\t 3.80 cpu-ms/op\t 0.95 goal-ratio\n" +
		"BenchmarkServerExchange-2   \t      20\t  8000000 ns/op\t 0.20 cpu-ms-phase0/op\t 3.30 cpu-ms-phase1-3/op\t 3.50 cpu-ms/op\t 0.875 goal-ratio\n" +
		"BenchmarkServerExchangeKernels/avx2-2 \t 20\t 9500000 ns/op\t 5.00 cpu-ms/op\n" +
		"PASS\n"
	m, err := parseBenchMetrics(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := m["ServerExchange"]["cpu-ms/op"]; !slices.Equal(got, []float64{3.8, 3.5}) {
		t.Errorf("ServerExchange cpu-ms/op = %v", got)
	}
	if got := median(m["ServerExchange"]["goal-ratio"]); got != (0.95+0.875)/2 {
		t.Errorf("median goal-ratio = %v", got)
	}
	if got := m["ServerExchangeKernels/avx2"]["ns/op"]; !slices.Equal(got, []float64{9500000}) {
		t.Errorf("kernel sub-benchmark ns/op = %v", got)
	}
	if _, err := parseBenchMetrics("PASS\n"); err == nil {
		t.Error("output without benchmark lines accepted")
	}
	if _, err := parseBenchMetrics("BenchmarkX-2 1 abc ns/op\n"); err == nil {
		t.Error("malformed value accepted")
	}
}

// TestSelectKEMs: -kems keeps the named KEMs and rejects unknown names.
func TestSelectKEMs(t *testing.T) {
	sel, err := selectKEMs([]string{"mceliece"})
	if err != nil || !sel["mceliece"] || sel["sntrup761"] {
		t.Fatalf("selectKEMs(mceliece) = %v, %v", sel, err)
	}
	sel, err = selectKEMs([]string{"mceliece", " sntrup761"})
	if err != nil || len(sel) != 2 {
		t.Fatalf("selectKEMs(both) = %v, %v", sel, err)
	}
	if _, err := selectKEMs([]string{"kyber"}); err == nil {
		t.Fatal("selectKEMs accepted an unknown KEM")
	}
}

// TestMedianFigureMeans: the median over rounds is taken field by field,
// means included, and missing (zero) values are left out.
func TestMedianFigureMeans(t *testing.T) {
	rounds := []map[string]figure{
		{"dec": {10, 11, 30, 0}},
		{"dec": {12, 13, 32, 40}},
		{"dec": {14, 15, 34, 42}},
	}
	if got, want := medianFigure(rounds, "dec"), (figure{12, 13, 32, 41}); got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}
