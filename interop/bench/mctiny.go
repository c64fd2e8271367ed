//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// mctinyGoalMs is the McTiny server CPU per exchange that issue 18 set as
// the goal, in milliseconds (mctiny's BenchmarkServerExchange reports its
// ratio to it as goal-ratio).
const mctinyGoalMs = 4

// mctinyBench builds package mctiny's benchmarks and runs the server's
// CPU per complete exchange (BenchmarkServerExchange and, per kernel set,
// BenchmarkServerExchangeKernels) on this host: the server is in-process
// and stateless, so no container is needed. It prints the medians over
// o.mctinyRounds runs.
func mctinyBench(ctx context.Context, o options) error {
	tmp, err := os.MkdirTemp("", "pqssh-bench-mctiny-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "mctiny.test")
	cmd := exec.CommandContext(ctx, o.goCmd, "test", "-c", "-o", bin, "github.com/pqssh/pqssh/mctiny")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building mctiny benchmarks: %v: %s", err, out)
	}
	out, err := exec.CommandContext(ctx, bin, "-test.run", "^$",
		"-test.bench", "^BenchmarkServerExchange(Kernels)?$", "-test.benchtime", "20x",
		"-test.count", strconv.Itoa(o.mctinyRounds)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("running mctiny benchmarks: %v: %s", err, lastLines(string(out)))
	}
	m, err := parseBenchMetrics(string(out))
	if err != nil {
		return err
	}
	fmt.Printf("\n### McTiny server CPU per exchange (median of %d runs, goal %d ms)\n\n", o.mctinyRounds, mctinyGoalMs)
	fmt.Println("| benchmark | CPU per exchange | phase 0 | phases 1–3 | wall | ratio to the goal |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, name := range []string{"ServerExchange", "ServerExchangeKernels/avx512", "ServerExchangeKernels/avx2"} {
		v, ok := m[name]
		if !ok {
			continue
		}
		fmt.Printf("| %s | %.2f ms | %.2f ms | %.2f ms | %.1f ms | %.2f |\n", name,
			median(v["cpu-ms/op"]), median(v["cpu-ms-phase0/op"]), median(v["cpu-ms-phase1-3/op"]),
			median(v["ns/op"])/1e6, median(v["goal-ratio"]))
	}
	return nil
}

// parseBenchMetrics reads `go test -bench` output: for each benchmark
// (name without "Benchmark" and the -GOMAXPROCS suffix) every value of
// every metric, one per -test.count line.
func parseBenchMetrics(out string) (map[string]map[string][]float64, error) {
	res := make(map[string]map[string][]float64)
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		if res[name] == nil {
			res[name] = make(map[string][]float64)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("bad benchmark line %q: %w", line, err)
			}
			res[name][f[i+1]] = append(res[name][f[i+1]], v)
		}
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("no benchmark results in %q", lastLines(out))
	}
	return res, nil
}
