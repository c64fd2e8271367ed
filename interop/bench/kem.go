//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/pqssh/pqssh/interop/harness"
	"github.com/pqssh/pqssh/interop/peers"
)

// srcDir is interop/libmceliece-bench in the source tree this command was
// compiled from: the C benchmark programs.
var srcDir = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "libmceliece-bench")
}()

// A figure is one operation's time: wall clock and, when known, CPU (ns),
// the medians of single operations where known, and the means (meanWall,
// meanCPU: every operation counted, preemptions included; for Go the
// batches' ns/op and cpu-ns/op), 0 where unknown.
type figure struct{ wall, cpu, meanWall, meanCPU float64 }

// An impl is one implementation's benchmark: a command line run in the
// container each round, and how to read its output.
type impl struct {
	name  string
	cmds  [][]string
	parse func(out string) (map[string]figure, error)
}

// A kemTable is one KEM's comparison: Go against C, operation by
// operation, with targets for the Go/C ratio.
type kemTable struct {
	pkg    string // kem/<pkg>, the name -kems selects it by
	title  string
	goImpl impl
	cImpl  impl
	ops    []kemOp
}

type kemOp struct {
	label  string
	goOp   string  // key in the Go implementation's results
	cOp    string  // key in the C implementation's results
	target float64 // largest acceptable Go/C ratio; 0 for none
	cycles float64 // best published C, cycles (0: none)
	note   string  // about the published figure
}

// kems builds the Go benchmark binaries and the C programs, runs them in
// one container alternating round by round, and prints the tables.
func kems(ctx context.Context, lab *harness.Lab, o options) error {
	sel, err := selectKEMs(o.kemNames)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "pqssh-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	c, err := lab.NewContainer(ctx, "kem", peers.LibKEM)
	if err != nil {
		return err
	}
	for _, pkg := range kemPackages {
		if !sel[pkg] {
			continue
		}
		bin := filepath.Join(tmp, pkg+".test")
		cmd := exec.CommandContext(ctx, o.goCmd, "test", "-c", "-o", bin, "github.com/pqssh/pqssh/kem/"+pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("building kem/%s benchmarks: %v: %s", pkg, err, out)
		}
		b, err := os.ReadFile(bin)
		if err != nil {
			return err
		}
		if err := c.WriteFile("/usr/local/bin/"+pkg+".test", b, 0o755); err != nil {
			return err
		}
	}
	for _, f := range []string{"bench.c", "ntrubench.c"} {
		b, err := os.ReadFile(filepath.Join(srcDir, f))
		if err != nil {
			return err
		}
		if err := c.WriteFile("/usr/local/src/"+f, b, 0o644); err != nil {
			return err
		}
	}
	if _, err := c.Sh(ctx, "cc -O2 -Wall -o /usr/local/bin/mceliece-bench /usr/local/src/bench.c -lmceliece && "+
		"cc -O2 -Wall -o /usr/local/bin/ntrubench /usr/local/src/ntrubench.c -lntruprime"); err != nil {
		return fmt.Errorf("compiling the C benchmarks: %w", err)
	}
	versions, err := c.Sh(ctx, "dpkg-query -W -f '${Version} ' libmceliece-dev libntruprime-dev")
	if err != nil {
		return err
	}
	v := strings.Fields(versions)
	if len(v) != 2 {
		return fmt.Errorf("library versions: %q", versions)
	}

	goBench := func(pkg, pattern, benchtime string, count int) []string {
		return []string{"/usr/local/bin/" + pkg + ".test", "-test.run", "^$", "-test.bench", pattern,
			"-test.benchtime", benchtime, "-test.count", strconv.Itoa(count)}
	}
	tables := []kemTable{{
		pkg:   "mceliece",
		title: "Classic McEliece mceliece6688128: kem/mceliece (Go, AVX2 assembly) vs libmceliece " + v[0] + " (C)",
		goImpl: impl{name: "Go", parse: parseGoBench, cmds: [][]string{
			goBench("mceliece", "^BenchmarkKeypairF$", "1x", 5),
			goBench("mceliece", "^BenchmarkKeypairPlain$", "1x", 3),
			goBench("mceliece", "^Benchmark(Encapsulate|Decapsulate)$", "100x", 5),
		}},
		cImpl: impl{name: "libmceliece", parse: parseCBench, cmds: [][]string{{"/usr/local/bin/mceliece-bench", "5", "500"}}},
		ops: []kemOp{
			{label: "keypair, f", goOp: "KeypairF", cOp: "keypair_f", target: 2},
			{label: "keypair, plain", goOp: "KeypairPlain", cOp: "keypair"},
			{label: "encapsulate", goOp: "Encapsulate", cOp: "enc", target: 1.5, cycles: 171e3, note: "Haswell"},
			{label: "decapsulate", goOp: "Decapsulate", cOp: "dec", target: 1.5, cycles: 306e3, note: "Haswell"},
		},
	}, {
		pkg:   "sntrup761",
		title: "sntrup761: kem/sntrup761 (Go, AVX2 assembly) vs libntruprime " + v[1] + " (C)",
		goImpl: impl{name: "Go", parse: parseGoBench, cmds: [][]string{
			goBench("sntrup761", "^BenchmarkKeypair$", "20x", 10),
			goBench("sntrup761", "^Benchmark(Encapsulate|Decapsulate)$", "200x", 10),
		}},
		cImpl: impl{name: "libntruprime", parse: parseCBench, cmds: [][]string{{"/usr/local/bin/ntrubench", "200", "2000"}}},
		ops: []kemOp{
			{label: "keypair", goOp: "Keypair", cOp: "keypair", target: 1.5, cycles: 166e3, note: "Haswell, batched keygen"},
			{label: "encapsulate", goOp: "Encapsulate", cOp: "enc", target: 1.5, cycles: 49e3, note: "Haswell"},
			{label: "decapsulate", goOp: "Decapsulate", cOp: "dec", target: 1.5, cycles: 59e3, note: "Haswell"},
		},
	}}

	var selected []kemTable
	for _, t := range tables {
		if sel[t.pkg] {
			selected = append(selected, t)
		}
	}
	tables = selected

	// Each round runs every implementation once, in turn.
	type key struct{ table, impl int }
	rounds := make(map[key][]map[string]figure)
	var impls []string // C implementation names reported by the programs
	for range o.kemRounds {
		for ti, t := range tables {
			for ii, im := range []impl{t.cImpl, t.goImpl} {
				merged := make(map[string]figure)
				for _, argv := range im.cmds {
					res, err := c.Run(ctx, harness.Exec{Args: argv})
					if err != nil {
						return err
					}
					if res.ExitCode != 0 {
						return fmt.Errorf("%s: exit status %d: %s", strings.Join(argv, " "), res.ExitCode, lastLines(res.Stderr))
					}
					figs, err := im.parse(string(res.Stdout))
					if err != nil {
						return fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
					}
					for k, f := range figs {
						merged[k] = f
					}
					if ii == 0 && len(impls) <= ti {
						impls = append(impls, cImplName(string(res.Stdout)))
					}
				}
				rounds[key{ti, ii}] = append(rounds[key{ti, ii}], merged)
			}
		}
	}

	mhz := clockMHz()
	for ti, t := range tables {
		fmt.Printf("\n### %s, same run\n\n", t.title)
		fmt.Printf("%d rounds, C then Go in each, in one container; each figure is the median over rounds of the round's median per operation (C: of single operations; Go: of single operations where the benchmark reports their medians, `med-ns/op` and `med-cpu-ns/op`, else of `-test.benchtime` batches). CPU: the thread's CPU time per operation (C, and Go's `med-cpu-ns/op`), else Go's process CPU time per batch (`cpu-ns/op`). libmceliece/libntruprime implementation selected: %s. Best published C: docs/benchmarks.md, \"Published figures\", cycles converted at this machine's %.0f MHz.\n\n",
			o.kemRounds, impls[ti], mhz)
		fmt.Printf("| operation | Go wall | Go CPU | %s wall | %s CPU | Go/C wall | Go/C CPU | target | best published C | Go/best |\n", t.cImpl.name, t.cImpl.name)
		fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
		for _, op := range t.ops {
			g := medianFigure(rounds[key{ti, 1}], op.goOp)
			cf := medianFigure(rounds[key{ti, 0}], op.cOp)
			row := fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s |", op.label,
				dur(g.wall), dur(g.cpu), dur(cf.wall), dur(cf.cpu), div(g.wall, cf.wall), div(g.cpu, cf.cpu))
			if op.target > 0 {
				verdict := "met"
				if g.wall/cf.wall > op.target || (g.cpu > 0 && cf.cpu > 0 && g.cpu/cf.cpu > op.target) {
					verdict = "missed"
				}
				row += fmt.Sprintf(" ≤ %g× (%s) |", op.target, verdict)
			} else {
				row += " — |"
			}
			if op.cycles > 0 && mhz > 0 {
				best := op.cycles / mhz * 1e3 // ns
				row += fmt.Sprintf(" %.0f k cycles (%s) ≈ %s | %s |", op.cycles/1e3, op.note, dur(best), div(g.wall, best))
			} else {
				row += " — | — |"
			}
			fmt.Println(row)
		}
		printMeans(t, rounds[key{ti, 1}], rounds[key{ti, 0}])
	}
	return nil
}

// printMeans prints the ratios of the means (every operation counted,
// preemptions by other processes included) of the operations whose
// single-operation medians both sides report, the statistic the table
// above replaces for them: on a loaded machine the two differ most.
func printMeans(t kemTable, goRounds, cRounds []map[string]figure) {
	header := false
	for _, op := range t.ops {
		g := medianFigure(goRounds, op.goOp)
		cf := medianFigure(cRounds, op.cOp)
		if g.meanWall <= 0 || cf.meanWall <= 0 || g.meanWall == g.wall {
			continue
		}
		if !header {
			fmt.Printf("\nMeans instead of medians (wall: Go's `-test.benchtime` batches, C's single operations; CPU: the thread's per operation on both sides where Go reports `mean-cpu-ns/op`, else Go's process CPU per batch):\n\n")
			fmt.Printf("| operation | Go wall | Go CPU | %s wall | %s CPU | Go/C wall | Go/C CPU |\n", t.cImpl.name, t.cImpl.name)
			fmt.Println("|---|---|---|---|---|---|---|")
			header = true
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s |\n", op.label,
			dur(g.meanWall), dur(g.meanCPU), dur(cf.meanWall), dur(cf.meanCPU), div(g.meanWall, cf.meanWall), div(g.meanCPU, cf.meanCPU))
	}
}

// kemPackages are the KEMs -kems can select (kem/<name>).
var kemPackages = []string{"mceliece", "sntrup761"}

// selectKEMs is the set of KEMs named in names, all of them known.
func selectKEMs(names []string) (map[string]bool, error) {
	sel := make(map[string]bool)
	for _, n := range names {
		n = strings.TrimSpace(n)
		if !slices.Contains(kemPackages, n) {
			return nil, fmt.Errorf("-kems: unknown KEM %q (known: %s)", n, strings.Join(kemPackages, ", "))
		}
		sel[n] = true
	}
	return sel, nil
}

// medianFigure is the median over rounds of op's figures.
func medianFigure(rounds []map[string]figure, op string) figure {
	var v [4][]float64
	for _, r := range rounds {
		f, ok := r[op]
		if !ok {
			continue
		}
		for i, x := range [4]float64{f.wall, f.cpu, f.meanWall, f.meanCPU} {
			if x > 0 {
				v[i] = append(v[i], x)
			}
		}
	}
	return figure{median(v[0]), median(v[1]), median(v[2]), median(v[3])}
}

// dur formats ns for a table: "—" when unknown.
func dur(ns float64) string {
	switch {
	case ns <= 0:
		return "—"
	case ns >= 1e6:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	default:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
}

func div(a, b float64) string {
	if a <= 0 || b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// clockMHz is the processor clock /proc/cpuinfo reports (0 if unknown).
func clockMHz() float64 {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "cpu MHz" {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}

// parseGoBench reads `go test -bench` output: for each benchmark (name
// without "Benchmark" and the -GOMAXPROCS suffix), the median over its
// -test.count lines of ns/op and of cpu-ns/op — or, where the benchmark
// reports them (benchcpu.Ops), of med-ns/op and med-cpu-ns/op, the medians
// of single operations, which are what the C programs report. The means
// are ns/op and, where reported, mean-cpu-ns/op (thread CPU per
// operation), else cpu-ns/op.
func parseGoBench(out string) (map[string]figure, error) {
	m, err := parseBenchMetrics(out)
	if err != nil {
		return nil, err
	}
	figs := make(map[string]figure)
	for name, v := range m {
		if len(v["ns/op"]) == 0 {
			return nil, fmt.Errorf("benchmark %s reported no ns/op", name)
		}
		wall, cpu := median(v["ns/op"]), median(v["cpu-ns/op"])
		fig := figure{wall, cpu, wall, cpu}
		if len(v["med-ns/op"]) > 0 {
			fig.wall = median(v["med-ns/op"])
		}
		if len(v["med-cpu-ns/op"]) > 0 {
			fig.cpu = median(v["med-cpu-ns/op"])
		}
		if len(v["mean-cpu-ns/op"]) > 0 {
			fig.meanCPU = median(v["mean-cpu-ns/op"]) // thread CPU, like the C programs' mean
		}
		figs[name] = fig
	}
	return figs, nil
}

// parseCBench reads the lines of interop/libmceliece-bench's programs
// ("op=NAME n=… ns=MEDIAN … cpu_ns=MEDIAN …"): the median wall and CPU
// time of each operation.
func parseCBench(out string) (map[string]figure, error) {
	figs := make(map[string]figure)
	for _, line := range strings.Split(out, "\n") {
		kv := fields(line)
		op, ok := kv["op"]
		if !ok {
			continue
		}
		wall, err1 := strconv.ParseFloat(kv["ns"], 64)
		cpu, err2 := strconv.ParseFloat(kv["cpu_ns"], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad line %q", line)
		}
		// The means are optional (older programs print none).
		meanWall, _ := strconv.ParseFloat(kv["mean_ns"], 64)
		meanCPU, _ := strconv.ParseFloat(kv["mean_cpu_ns"], 64)
		figs[op] = figure{wall, cpu, meanWall, meanCPU}
	}
	if len(figs) == 0 {
		return nil, fmt.Errorf("no results in %q", lastLines(out))
	}
	return figs, nil
}

// cImplName is the impl= value of a C benchmark's first line.
func cImplName(out string) string {
	line, _, _ := strings.Cut(out, "\n")
	if v, ok := fields(line)["impl"]; ok {
		return v
	}
	return "?"
}

// fields splits "k=v k=v" into a map.
func fields(line string) map[string]string {
	kv := make(map[string]string)
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok {
			kv[k] = v
		}
	}
	return kv
}
