//go:build linux

// Command bench measures pqssh against OpenSSH 10.0 in the same run, in
// one trixie container over its loopback (see docs/interop.md): the median
// wall time and the CPU time (client and server) of a login running
// `true`, and the throughput of 1 GiB written by `head -c` on the server
// side into the client's standard output (counted by wc -c), for each key
// exchange method asked for. It prints Markdown tables with the ratios
// pqssh/OpenSSH. It needs root: make bench.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	"github.com/pqssh/pqssh/interop/peers"
)

func main() {
	bin := flag.String("bin", "bin", "directory holding pqssh and pqsshd")
	runs := flag.Int("n", 40, "logins per implementation and method (median reported)")
	size := flag.Int64("bytes", 1<<30, "bytes through a session for the throughput test")
	reps := flag.Int("reps", 3, "throughput repetitions (median reported)")
	cipher := flag.String("cipher", "aes128-gcm@openssh.com", "cipher both clients are told to use for the throughput test (\"\" for their defaults)")
	kexList := flag.String("kex", peers.MLKEM768+","+peers.SNTRUP761, "comma-separated key exchange methods")
	verbose := flag.Bool("v", false, "log harness progress")
	flag.Parse()

	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "bench needs root (it builds containers)")
		os.Exit(1)
	}
	log := io.Discard
	if *verbose {
		log = os.Stderr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := run(ctx, *bin, log, strings.Split(*kexList, ","), *cipher, *runs, *reps, *size); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// side is one implementation measured: its client against its server,
// in the order of the table's columns.
type side struct {
	name string
	peer *harness.Peer
}

var sides = []side{{"pqssh→pqsshd", peers.Pqssh}, {"OpenSSH 10.0", peers.OpenSSH10}}

// runner is one side ready to measure with one method.
type runner struct {
	side
	server *harness.Server
	login  []string // client command line running `true`
	stream []string // client command line streaming size bytes
	cipher string   // negotiated for the stream
}

// result is what was measured for one side and method.
type result struct {
	wall       time.Duration // median login wall time
	cpu        time.Duration // mean client + server CPU time per login
	throughput float64       // bytes/s, median
}

func run(ctx context.Context, bin string, log io.Writer, kexes []string, cipher string, runs, reps int, size int64) error {
	lab, err := harness.NewLab(ctx, harness.Options{BinDir: bin, Log: log})
	if err != nil {
		return err
	}
	defer lab.Close()
	c, err := lab.NewContainer(ctx, "bench", peers.Trixie)
	if err != nil {
		return err
	}
	q, err := c.Sh(ctx, "/pqssh/bin/pqssh -Q kex")
	if err != nil {
		return fmt.Errorf("asking pqssh for its methods: %w", err)
	}
	supported := strings.Fields(q)
	load, _ := os.ReadFile("/proc/loadavg")

	fmt.Printf("pqssh vs OpenSSH 10.0p1 (Debian trixie), same run, %s, %d CPUs, load average at start %s: client and server in one container over loopback, the two implementations alternating.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Printf("Login: `client -o KexAlgorithms=X host true` (connect, key exchange, public-key auth, exec, exit), %d runs each after 2 warm-ups; wall = median wall time, CPU = mean user+system time of client and server per login.\n\n", runs)
	fmt.Println("| method | pqssh wall | OpenSSH wall | ratio | pqssh CPU | OpenSSH CPU | ratio |")
	fmt.Println("|---|---|---|---|---|---|---|")
	results := make(map[string][]*result)
	for _, kex := range kexes {
		if !slices.Contains(supported, kex) {
			fmt.Printf("| %s | n/a (not in `pqssh -Q kex`) | | | | | |\n", kex)
			continue
		}
		rs, err := measure(ctx, lab, c, kex, cipher, runs, reps, size)
		if err != nil {
			return fmt.Errorf("%s: %w", kex, err)
		}
		results[kex] = rs
		fmt.Printf("| %s | %.1f ms | %.1f ms | %.2f | %.1f ms | %.1f ms | %.2f |\n", kex,
			ms(rs[0].wall), ms(rs[1].wall), float64(rs[0].wall)/float64(rs[1].wall),
			ms(rs[0].cpu), ms(rs[1].cpu), float64(rs[0].cpu)/float64(rs[1].cpu))
	}
	fmt.Printf("\nThroughput: `head -c %d /dev/zero` on the server into the client's stdout, counted by wc -c (must be exact), median of %d runs each; cipher %s.\n\n", size, reps, cipherName(cipher))
	fmt.Println("| method | pqssh | OpenSSH | ratio |")
	fmt.Println("|---|---|---|---|")
	for _, kex := range kexes {
		if rs := results[kex]; rs != nil {
			fmt.Printf("| %s | %.0f MB/s | %.0f MB/s | %.2f |\n", kex, rs[0].throughput/1e6, rs[1].throughput/1e6, rs[0].throughput/rs[1].throughput)
		}
	}
	return nil
}

func cipherName(c string) string {
	if c == "" {
		return "each client's default"
	}
	return c
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// prepare starts sd's server restricted to kex, checks with one verbose
// login that kex is what gets negotiated, and returns the command lines.
func prepare(ctx context.Context, lab *harness.Lab, c *harness.Container, sd side, kex string, opts []string, size int64) (*runner, error) {
	p := sd.peer
	s, err := lab.StartServer(ctx, p, c, kex)
	if err != nil {
		return nil, err
	}
	r := &runner{side: sd, server: s, cipher: "?"}
	res, err := lab.Connect(ctx, p, c, s, harness.Login{Kex: kex, Command: "true", Options: opts})
	if err != nil {
		return r, err
	}
	if got := harness.ClientKex(p, res.Stderr); len(got) != 1 || got[0] != kex || res.ExitCode != 0 {
		return r, fmt.Errorf("%s: negotiated %q, want %s (exit %d): %s", p.Name, got, kex, res.ExitCode, lastLines(res.Stderr))
	}
	if f := harness.KexLines(res.Stderr, "server->client cipher: ", ""); len(f) > 0 {
		r.cipher = f[0]
	}
	if r.login, err = lab.ClientCommand(ctx, p, c, s, harness.Login{Kex: kex, Command: "true", Quiet: true}); err != nil {
		return r, err
	}
	r.stream, err = lab.ClientCommand(ctx, p, c, s, harness.Login{Kex: kex, Command: fmt.Sprintf("head -c %d /dev/zero", size), Quiet: true, Options: opts})
	return r, err
}

// measure measures every side with kex, alternating between them so that
// a change in the machine's load hits both alike.
func measure(ctx context.Context, lab *harness.Lab, c *harness.Container, kex, cipher string, runs, reps int, size int64) ([]*result, error) {
	var opts []string
	if cipher != "" {
		opts = []string{"Ciphers=" + cipher}
	}
	rs := make([]*runner, len(sides))
	for i, sd := range sides {
		r, err := prepare(ctx, lab, c, sd, kex, opts, size)
		if r != nil && r.server != nil {
			defer r.server.Stop()
		}
		if err != nil {
			return nil, err
		}
		if cipher != "" && r.cipher != cipher {
			return nil, fmt.Errorf("%s negotiated cipher %s, want %s", sd.name, r.cipher, cipher)
		}
		rs[i] = r
	}

	// Timed inside the container by bash's time keyword (wall, and the
	// client's user and system time): no process is started for the
	// clock, and the harness's own overhead (nsenter) stays out.
	var script strings.Builder
	script.WriteString("TIMEFORMAT='%3R %3U %3S'\nfor ((i = 0; i < " + strconv.Itoa(runs+2) + "; i++)); do\n")
	for i, r := range rs {
		fmt.Fprintf(&script, "\t{ time %s </dev/null >/dev/null 2>&1; } 2>>/tmp/bench-%d || exit 1\n", shellQuote(r.login), i)
	}
	script.WriteString("done\n")
	for i := range rs {
		fmt.Fprintf(&script, "echo; cat /tmp/bench-%d; rm /tmp/bench-%d\n", i, i)
	}
	var before []time.Duration
	for _, r := range rs {
		t, err := r.server.Proc.CPUTime()
		if err != nil {
			return nil, err
		}
		before = append(before, t)
	}
	out, err := bash(ctx, c, script.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("logins: %w", err)
	}
	blocks := strings.Split(strings.TrimSpace(out), "\n\n")
	if len(blocks) != len(rs) {
		return nil, fmt.Errorf("logins: unexpected output %q", out)
	}
	results := make([]*result, len(rs))
	for i, r := range rs {
		after, err := r.server.Proc.CPUTime()
		if err != nil {
			return nil, err
		}
		var wall []float64
		var cpu float64
		lines := strings.Split(strings.TrimSpace(blocks[i]), "\n")
		if len(lines) != runs+2 {
			return nil, fmt.Errorf("logins of %s: %d timings, want %d", r.name, len(lines), runs+2)
		}
		for _, line := range lines[2:] { // after 2 warm-ups
			f := strings.Fields(line)
			if len(f) != 3 {
				return nil, fmt.Errorf("logins of %s: bad timing %q", r.name, line)
			}
			w, _ := strconv.ParseFloat(f[0], 64)
			u, _ := strconv.ParseFloat(f[1], 64)
			s, _ := strconv.ParseFloat(f[2], 64)
			wall = append(wall, w)
			cpu += u + s
		}
		// The server's CPU time covers the warm-ups too.
		server := (after - before[i]).Seconds() * float64(runs) / float64(runs+2)
		results[i] = &result{
			wall: seconds(median(wall)),
			cpu:  seconds((cpu + server) / float64(runs)),
		}
	}

	thru := `s=$EPOCHREALTIME
n=$("$@" </dev/null | wc -c)
e=$EPOCHREALTIME
echo "$s $e $n"`
	rates := make([][]float64, len(rs))
	for range reps {
		for i, r := range rs {
			out, err := bash(ctx, c, thru, r.stream)
			if err != nil {
				return nil, fmt.Errorf("%s throughput: %w", r.name, err)
			}
			f := strings.Fields(out)
			if len(f) != 3 || f[2] != strconv.FormatInt(size, 10) {
				return nil, fmt.Errorf("%s throughput: got %q, want %d bytes counted", r.name, out, size)
			}
			rates[i] = append(rates[i], float64(size)/elapsed(f[0]+" "+f[1]))
		}
	}
	for i := range rs {
		results[i].throughput = median(rates[i])
	}
	return results, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// shellQuote joins argv into one sh command line.
func shellQuote(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// bash runs script with argv as its positional parameters.
func bash(ctx context.Context, c *harness.Container, script string, argv []string) (string, error) {
	res, err := c.Run(ctx, harness.Exec{Args: append([]string{"/bin/bash", "-c", script, "bench"}, argv...)})
	if err != nil {
		return "", err
	}
	if res.ExitCode != 0 {
		return "", fmt.Errorf("exit status %d: %s", res.ExitCode, lastLines(res.Stderr))
	}
	return string(res.Stdout), nil
}

// elapsed parses "start end" ($EPOCHREALTIME values) into seconds.
func elapsed(line string) float64 {
	f := strings.Fields(line)
	if len(f) < 2 {
		return 0
	}
	s, _ := strconv.ParseFloat(f[0], 64)
	e, _ := strconv.ParseFloat(f[1], 64)
	return e - s
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func lastLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-5):], "\n")
}
