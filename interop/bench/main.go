//go:build linux

// Command bench measures pqssh against OpenSSH 10.0 in the same run, in
// one trixie container over its loopback (see docs/interop.md): the median
// latency of a login running `true`, and the throughput of 1 GiB written
// by `head -c` on the server side into the client's standard output
// (counted by wc -c), for each key exchange method asked for. It prints a
// Markdown table with the ratios pqssh/OpenSSH. It needs root: make bench.
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

// result is what was measured for one side and method.
type result struct {
	login      time.Duration // median
	throughput float64       // bytes/s, median
	cipher     string
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

	fmt.Printf("pqssh vs OpenSSH 10.0p1 (Debian trixie), same run, %s, %d CPUs: client and server in one container over loopback.\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU())
	fmt.Printf("Login = median wall time of `client host true` (connect, key exchange, public-key auth, exec, exit) over %d runs after 2 warm-ups.\n", runs)
	fmt.Printf("Throughput = median of %d runs of `head -c %d /dev/zero` on the server into the client's stdout, counted by wc -c; cipher %s.\n\n", reps, size, cipherName(cipher))
	fmt.Println("| method | pqssh login | OpenSSH login | ratio | pqssh throughput | OpenSSH throughput | ratio |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, kex := range kexes {
		if !slices.Contains(supported, kex) {
			fmt.Printf("| %s | n/a (not in `pqssh -Q kex`) | | | | | |\n", kex)
			continue
		}
		var r [2]*result
		for i, sd := range sides {
			if r[i], err = measure(ctx, lab, c, sd.peer, kex, cipher, runs, reps, size); err != nil {
				return fmt.Errorf("%s, %s: %w", sd.name, kex, err)
			}
		}
		fmt.Printf("| %s | %.1f ms | %.1f ms | %.2f | %.0f MB/s (%s) | %.0f MB/s (%s) | %.2f |\n", kex,
			ms(r[0].login), ms(r[1].login), float64(r[0].login)/float64(r[1].login),
			r[0].throughput/1e6, r[0].cipher, r[1].throughput/1e6, r[1].cipher, r[0].throughput/r[1].throughput)
	}
	return nil
}

func cipherName(c string) string {
	if c == "" {
		return "each client's default (shown)"
	}
	return c
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// measure starts p's server restricted to kex and measures its client.
func measure(ctx context.Context, lab *harness.Lab, c *harness.Container, p *harness.Peer, kex, cipher string, runs, reps int, size int64) (*result, error) {
	var opts []string
	if cipher != "" {
		opts = []string{"Ciphers=" + cipher}
	}
	s, err := lab.StartServer(ctx, p, c, kex)
	if err != nil {
		return nil, err
	}
	defer s.Stop()

	// One verbose login: the method really is kex, and which cipher the
	// throughput figure is for.
	res, err := lab.Connect(ctx, p, c, s, harness.Login{Kex: kex, Command: "true", Options: opts})
	if err != nil {
		return nil, err
	}
	if got := harness.ClientKex(p, res.Stderr); len(got) != 1 || got[0] != kex {
		return nil, fmt.Errorf("%s: negotiated %q, want %s (exit %d): %s", p.Name, got, kex, res.ExitCode, lastLines(res.Stderr))
	}
	r := &result{cipher: "?"}
	if f := harness.KexLines(res.Stderr, "server->client cipher: ", ""); len(f) > 0 {
		r.cipher = f[0]
	}

	argv, err := lab.ClientCommand(ctx, p, c, s, harness.Login{Kex: kex, Command: "true", Quiet: true})
	if err != nil {
		return nil, err
	}
	// Timed inside the container with bash's $EPOCHREALTIME: no process
	// is started for the clock, and the harness's own overhead (nsenter)
	// stays out of the figures. Two warm-up logins first.
	loop := `for i in 1 2; do "$@" </dev/null >/dev/null 2>&1 || exit 1; done
for ((i = 0; i < N; i++)); do
	s=$EPOCHREALTIME
	"$@" </dev/null >/dev/null 2>&1 || exit 1
	e=$EPOCHREALTIME
	echo "$s $e"
done`
	out, err := bash(ctx, c, strings.Replace(loop, "N", strconv.Itoa(runs), 1), argv)
	if err != nil {
		return nil, fmt.Errorf("%s logins: %w", p.Name, err)
	}
	var lat []float64
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		lat = append(lat, elapsed(line))
	}
	r.login = time.Duration(median(lat) * float64(time.Second))

	argv, err = lab.ClientCommand(ctx, p, c, s, harness.Login{Kex: kex, Command: fmt.Sprintf("head -c %d /dev/zero", size), Quiet: true, Options: opts})
	if err != nil {
		return nil, err
	}
	thru := `s=$EPOCHREALTIME
n=$("$@" </dev/null | wc -c)
e=$EPOCHREALTIME
echo "$s $e $n"`
	var rates []float64
	for range reps {
		out, err := bash(ctx, c, thru, argv)
		if err != nil {
			return nil, fmt.Errorf("%s throughput: %w", p.Name, err)
		}
		f := strings.Fields(out)
		if len(f) != 3 || f[2] != strconv.FormatInt(size, 10) {
			return nil, fmt.Errorf("%s throughput: got %q, want %d bytes counted", p.Name, out, size)
		}
		rates = append(rates, float64(size)/elapsed(f[0]+" "+f[1]))
	}
	r.throughput = median(rates)
	return r, nil
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
