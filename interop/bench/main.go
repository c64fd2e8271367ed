//go:build linux

// Command bench measures pqssh against its peers in the same run (see
// docs/interop.md) and prints Markdown tables with the ratios:
//
//   - login latency (median wall time, and CPU time of client and server, of
//     a login running `true`) of pqssh → pqsshd against OpenSSH → OpenSSH,
//     for each method of -kex and each release of -openssh that has it
//     (OpenSSH 10.6 in a Debian forky container, OpenSSH 10.0 in a trixie
//     one; pqssh measured in each, alternating with that container's
//     OpenSSH), and pqsshd -r (one process, no per-connection processes)
//     in the same loop for the cost of the process model;
//   - throughput (1 GiB through a session) of pqssh → pqsshd against
//     OpenSSH → OpenSSH in the same containers, for each cipher of
//     -ciphers, downloads drained by a fast reader, a slow one and a file,
//     and uploads, with client and server CPU time per byte; -chart draws
//     the ratios as an SVG image (chart.go);
//   - login latency of pqssh → pqsshd with mceliece6688128x25519-sha512 and
//     with the multi-hybrid mceliece6688128sntrup761x25519-sha512@pqssh.org
//     against the patched OpenSSH 10.0 (interop/openssh-mceliece) with
//     mceliece6688128x25519-sha512;
//   - ML-DSA: sign and verify per scheme, pqssh-keygen against ssh-keygen
//     of OpenSSH 10.6, and logins with an ML-DSA host key and user key,
//     pqssh → pqsshd against ssh 10.6 → sshd 10.6 and the mixed pairs
//     (Debian forky container);
//   - the KEMs themselves: kem/mceliece against libmceliece and
//     kem/sntrup761 against libntruprime (Debian trixie's), alternating
//     round by round, both inside one container;
//   - the McTiny server's CPU per complete exchange against the 4 ms goal
//     (package mctiny's BenchmarkServerExchange, on the host).
//
// It needs root: make bench.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	"github.com/pqssh/pqssh/interop/peers"
)

// options are the command's flags.
type options struct {
	bin          string
	goCmd        string
	runs         int
	size         int64
	reps         int
	ciphers      []string
	logins       bool
	chart        string
	kexes        []string
	baselines    []baseline
	mceliece     bool
	single       bool
	kem          bool
	kemRounds    int
	kemNames     []string
	mctiny       bool
	mctinyRounds int
	mldsa        bool
	sigRounds    int
	log          io.Writer
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin", "directory holding pqssh and pqsshd")
	flag.StringVar(&o.goCmd, "go", "go", "go command, to build the KEM benchmark binaries")
	flag.IntVar(&o.runs, "n", 40, "logins per implementation and method (median reported)")
	flag.Int64Var(&o.size, "bytes", 1<<30, "bytes through a session for the throughput test (0: no throughput test)")
	flag.IntVar(&o.reps, "reps", 3, "throughput repetitions (median reported)")
	ciphers := flag.String("ciphers", "aes128-gcm@openssh.com,chacha20-poly1305@openssh.com", "comma-separated ciphers of the throughput test, each measured for every flow")
	flag.BoolVar(&o.logins, "logins", true, "measure logins (-logins=false: throughput only)")
	flag.StringVar(&o.chart, "chart", "", "write the throughput ratios as an SVG chart to this file (\"\": none)")
	kexList := flag.String("kex", peers.MLKEM768+","+peers.MLKEM768P256+","+peers.SNTRUP761, "comma-separated methods to compare with OpenSSH, each with the releases of -openssh that have it (\"\" for none)")
	openssh := flag.String("openssh", "10.6,10.0", "comma-separated OpenSSH releases to compare logins and throughput with (10.6: Debian forky's, 10.0: trixie's)")
	flag.BoolVar(&o.single, "single", true, "measure pqsshd -r (one process, no session processes) beside pqsshd in the login table's loop")
	flag.BoolVar(&o.mceliece, "mceliece", true, "compare McEliece logins with the patched OpenSSH")
	flag.BoolVar(&o.kem, "kem", true, "compare the KEMs with libmceliece and libntruprime")
	flag.IntVar(&o.kemRounds, "kem-rounds", 5, "alternating rounds of the KEM benchmarks (median reported)")
	kemList := flag.String("kems", "mceliece,sntrup761", "comma-separated KEMs to compare with their C libraries (mceliece: libmceliece, sntrup761: libntruprime)")
	flag.BoolVar(&o.mctiny, "mctiny", true, "measure the McTiny server's CPU per exchange against the 4 ms goal (on the host)")
	flag.IntVar(&o.mctinyRounds, "mctiny-rounds", 7, "runs of the McTiny server benchmark (median reported)")
	flag.BoolVar(&o.mldsa, "mldsa", true, "compare ML-DSA signatures (pqssh-keygen vs ssh-keygen) and ML-DSA logins with OpenSSH 10.6")
	flag.IntVar(&o.sigRounds, "sig-rounds", 40, "alternating rounds of the signature benchmark (median reported)")
	verbose := flag.Bool("v", false, "log harness progress")
	flag.Parse()
	if *ciphers != "" {
		o.ciphers = strings.Split(*ciphers, ",")
	}
	if *kexList != "" {
		o.kexes = strings.Split(*kexList, ",")
	}
	if *kemList != "" {
		o.kemNames = strings.Split(*kemList, ",")
	}
	if *openssh != "" {
		var err error
		if o.baselines, err = selectBaselines(strings.Split(*openssh, ",")); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(2)
		}
	}

	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "bench needs root (it builds containers)")
		os.Exit(1)
	}
	o.log = io.Discard
	if *verbose {
		o.log = os.Stderr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	lab, err := harness.NewLab(ctx, harness.Options{BinDir: o.bin, Log: o.log})
	if err != nil {
		return err
	}
	defer lab.Close()

	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("Same run, %s, %d CPUs (%s), load average at start %s.\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), cpuModel(),
		strings.Join(strings.Fields(string(load))[:3], " "))

	cs := &containers{lab: lab}
	if o.logins && ((len(o.kexes) > 0 && len(o.baselines) > 0) || o.mceliece) {
		if err := logins(ctx, cs, o); err != nil {
			return err
		}
	}
	if o.size > 0 && o.reps > 0 && len(o.ciphers) > 0 && len(o.baselines) > 0 {
		rs, err := throughputs(ctx, cs, o)
		if err != nil {
			return err
		}
		if o.chart != "" {
			if err := writeChart(o.chart, rs); err != nil {
				return err
			}
			fmt.Printf("\nChart of the ratios: %s\n", o.chart)
		}
	}
	if o.mldsa {
		if err := mldsaBench(ctx, cs, o); err != nil {
			return err
		}
	}
	if o.kem && len(o.kemNames) > 0 {
		if err := kems(ctx, lab, o); err != nil {
			return err
		}
	}
	if o.mctiny {
		if err := mctinyBench(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// cpuModel is the processor's name and clock from /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	var model, mhz string
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name":
			model = strings.TrimSpace(v)
		case "cpu MHz":
			mhz = strings.TrimSpace(v)
		}
		if model != "" && mhz != "" {
			break
		}
	}
	return model + ", " + mhz + " MHz"
}
