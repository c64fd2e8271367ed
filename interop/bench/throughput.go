//go:build linux

package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	"github.com/pqssh/pqssh/interop/peers"
)

// Readers of the client's standard output in a download: a fast one, a
// slow one reading 4 KiB at a time (what a program with a stdio-sized
// buffer does), and a regular file.
const (
	readWC   = "wc -c"
	readDD   = "dd bs=4k"
	readFile = "file"
)

// A flow is one way bulk data crosses a session: the cipher, the
// direction (download: the remote command's output to the client's
// standard output; upload: the client's standard input to the remote
// command) and, for a download, what drains the client's standard output.
type flow struct {
	cipher string
	upload bool
	reader string // download only
}

// flows lists the flows measured for each cipher: the three readers of a
// download, then the upload.
func flows(ciphers []string) []flow {
	var fs []flow
	for _, c := range ciphers {
		for _, r := range []string{readWC, readDD, readFile} {
			fs = append(fs, flow{cipher: c, reader: r})
		}
		fs = append(fs, flow{cipher: c, upload: true})
	}
	return fs
}

func (f flow) direction() string {
	if f.upload {
		return "upload"
	}
	return "download"
}

// drain names what consumed the data: the reader of a download, the
// remote `wc -c` of an upload.
func (f flow) drain() string {
	if f.upload {
		return "remote wc -c"
	}
	if f.reader == readFile {
		return "> file"
	}
	return f.reader
}

// remote is the command the server runs.
func (f flow) remote(size int64) string {
	if f.upload {
		return "wc -c"
	}
	return fmt.Sprintf("head -c %d /dev/zero", size)
}

// script is the bash script that moves size bytes once with the client
// command line "$@" and prints "start end user system count": the wall
// clock around the transfer ($EPOCHREALTIME), the client's user and
// system CPU time (bash's time keyword on the client alone, not on the
// pipeline around it) and the byte count the receiving end saw.
func (f flow) script(size int64) string {
	var transfer string
	switch {
	case f.upload:
		transfer = fmt.Sprintf(`n=$(head -c %d /dev/zero | { time "$@" 2>/dev/null; } 2>/tmp/bench-time)`, size)
	case f.reader == readWC:
		transfer = `n=$({ time "$@" </dev/null 2>/dev/null; } 2>/tmp/bench-time | wc -c)`
	case f.reader == readDD:
		transfer = `n=$({ time "$@" </dev/null 2>/dev/null; } 2>/tmp/bench-time | dd bs=4k of=/dev/null 2>&1 | sed -n 's/ bytes.*//p')`
	case f.reader == readFile:
		transfer = `{ time "$@" </dev/null >/tmp/bench-out 2>/dev/null; } 2>/tmp/bench-time; n=$(stat -c %s /tmp/bench-out); rm -f /tmp/bench-out`
	default:
		panic("bench: unknown reader " + f.reader)
	}
	return "TIMEFORMAT='%3U %3S'\ns=$EPOCHREALTIME\n" + transfer + "\ne=$EPOCHREALTIME\necho \"$s $e $(cat /tmp/bench-time) $n\"\n"
}

// A transfer is one measured run of a flow.
type transfer struct {
	rate      float64 // bytes/s
	clientCPU float64 // s per GiB
	serverCPU float64 // s per GiB, the server's reaped session processes included
}

// parseTransfer reads the output of flow.script.
func parseTransfer(out string, size int64, server time.Duration) (transfer, error) {
	f := strings.Fields(out)
	if len(f) != 5 {
		return transfer{}, fmt.Errorf("unexpected output %q", out)
	}
	if f[4] != strconv.FormatInt(size, 10) {
		return transfer{}, fmt.Errorf("%s bytes arrived, want %d", f[4], size)
	}
	var v [4]float64
	for i := range v {
		var err error
		if v[i], err = strconv.ParseFloat(f[i], 64); err != nil {
			return transfer{}, fmt.Errorf("unexpected output %q: %w", out, err)
		}
	}
	wall := v[1] - v[0]
	if wall <= 0 {
		return transfer{}, fmt.Errorf("unexpected times in %q", out)
	}
	perGiB := float64(1<<30) / float64(size)
	return transfer{
		rate:      float64(size) / wall,
		clientCPU: (v[2] + v[3]) * perGiB,
		serverCPU: server.Seconds() * perGiB,
	}, nil
}

// A flowResult is a flow measured for pqssh → pqsshd and for OpenSSH →
// OpenSSH in one baseline's container, the runs alternating.
type flowResult struct {
	base           baseline
	flow           flow
	pqssh, openssh []transfer
}

func rates(ts []transfer) []float64 { return field(ts, func(t transfer) float64 { return t.rate }) }
func clientCPUs(ts []transfer) []float64 {
	return field(ts, func(t transfer) float64 { return t.clientCPU })
}
func serverCPUs(ts []transfer) []float64 {
	return field(ts, func(t transfer) float64 { return t.serverCPU })
}

func field(ts []transfer, f func(transfer) float64) []float64 {
	v := make([]float64, len(ts))
	for i, t := range ts {
		v[i] = f(t)
	}
	return v
}

// rateRatio is the median pqssh rate over the median OpenSSH rate.
func (r flowResult) rateRatio() float64 { return median(rates(r.pqssh)) / median(rates(r.openssh)) }

// clientCPURatio and serverCPURatio compare median CPU time per byte.
func (r flowResult) clientCPURatio() float64 {
	return median(clientCPUs(r.pqssh)) / median(clientCPUs(r.openssh))
}
func (r flowResult) serverCPURatio() float64 {
	return median(serverCPUs(r.pqssh)) / median(serverCPUs(r.openssh))
}

const throughputHeader = "| OpenSSH | cipher | direction | drained by | pqssh | OpenSSH | ratio | client CPU/GiB: pqssh | OpenSSH | ratio | server CPU/GiB: pqsshd | sshd | ratio |\n" +
	"|---|---|---|---|---|---|---|---|---|---|---|---|---|"

// row is the flow's row of the throughput table.
func (r flowResult) row() string {
	rr := ratios(rates(r.pqssh), rates(r.openssh))
	if len(rr) == 0 {
		return fmt.Sprintf("| %s | %s | %s | %s | n/a | n/a | | | | | | | |", r.base.version, r.flow.cipher, r.flow.direction(), r.flow.drain())
	}
	return fmt.Sprintf("| %s | %s | %s | `%s` | %s | %s | %.2f (%.2f–%.2f) | %.2f s | %.2f s | %.2f | %.2f s | %.2f s | %.2f |",
		r.base.version, r.flow.cipher, r.flow.direction(), r.flow.drain(),
		mbSpread(rates(r.pqssh)), mbSpread(rates(r.openssh)),
		r.rateRatio(), slices.Min(rr), slices.Max(rr),
		median(clientCPUs(r.pqssh)), median(clientCPUs(r.openssh)), r.clientCPURatio(),
		median(serverCPUs(r.pqssh)), median(serverCPUs(r.openssh)), r.serverCPURatio())
}

// throughputKex is the key exchange of the throughput sessions: the first
// of -kex the baseline has (the method does not matter for bulk data).
func throughputKex(b baseline, kexes []string) string {
	for _, k := range kexes {
		if slices.Contains(b.peer.Kex, k) {
			return k
		}
	}
	return peers.MLKEM768
}

// throughputs measures every flow in each baseline's container, pqssh →
// pqsshd and the baseline's ssh → sshd alternating run by run, prints the
// table and returns the results.
func throughputs(ctx context.Context, cs *containers, o options) ([]flowResult, error) {
	fmt.Printf("\n### Throughput: pqssh → pqsshd vs OpenSSH → OpenSSH\n\n")
	fmt.Printf("%d bytes through one session per run, %d runs per row, pqssh and OpenSSH alternating run by run in the login table's containers (loopback). "+
		"Download: `head -c` on the server into the client's standard output, drained by `wc -c`, by `dd bs=4k` (a slow reader taking 4 KiB per read) or written to a file (`> file`); "+
		"upload: `head -c` into the client's standard input, counted by `wc -c` on the server. The receiving end's count must be exact. "+
		"Rate: median (lowest–highest) of wall time around the transfer; ratio = pqssh over OpenSSH (in parentheses the lowest and highest run-by-run ratio; above 1 pqssh is faster). "+
		"CPU per GiB: median user+system time of the client process alone, and of the server with its reaped session processes (which include the remote `head` or `wc`, alike for both); ratio below 1: pqssh spends less.\n\n",
		o.size, o.reps)
	fmt.Println(throughputHeader)
	var all []flowResult
	for _, b := range o.baselines {
		c, err := cs.get(ctx, b.recipe)
		if err != nil {
			return nil, err
		}
		kex := throughputKex(b, o.kexes)
		rs, err := measureFlows(ctx, cs.lab, c, b, kex, flows(o.ciphers), o.reps, o.size)
		if err != nil {
			return nil, fmt.Errorf("throughput against %s: %w", b.name, err)
		}
		for _, r := range rs {
			fmt.Println(r.row())
		}
		all = append(all, rs...)
	}
	return all, nil
}

// measureFlows starts pqsshd and the baseline's sshd in c and measures
// every flow reps times, the two implementations alternating.
func measureFlows(ctx context.Context, lab *harness.Lab, c *harness.Container, b baseline, kex string, fs []flow, reps int, size int64) ([]flowResult, error) {
	impls := []entry{{"pqssh → pqsshd", peers.Pqssh, kex}, {b.name, b.peer, kex}}
	var rs []*runner
	for _, e := range impls {
		r, err := prepare(ctx, lab, c, e)
		if r != nil && r.server != nil {
			defer r.server.Stop()
		}
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	var out []flowResult
	for _, f := range fs {
		res := flowResult{base: b, flow: f}
		var argv [2][]string
		for i, r := range rs {
			var err error
			argv[i], err = lab.ClientCommand(ctx, r.peer, c, r.server, harness.Login{
				Kex: kex, Command: f.remote(size), Quiet: true, Options: []string{"Ciphers=" + f.cipher}})
			if err != nil {
				return nil, err
			}
			if err := checkCipher(ctx, lab, c, r, f.cipher); err != nil {
				return nil, err
			}
		}
		for range reps {
			for i, r := range rs {
				t, err := runTransfer(ctx, c, r, f, argv[i], size)
				if err != nil {
					return nil, fmt.Errorf("%s, %s %s %s: %w", r.label, f.cipher, f.direction(), f.drain(), err)
				}
				if i == 0 {
					res.pqssh = append(res.pqssh, t)
				} else {
					res.openssh = append(res.openssh, t)
				}
			}
		}
		out = append(out, res)
	}
	return out, nil
}

// checkCipher logs in once verbosely with Ciphers=cipher and checks that
// the client negotiated it.
func checkCipher(ctx context.Context, lab *harness.Lab, c *harness.Container, r *runner, cipher string) error {
	res, err := lab.Connect(ctx, r.peer, c, r.server, harness.Login{Kex: r.kex, Command: "true", Options: []string{"Ciphers=" + cipher}})
	if err != nil {
		return err
	}
	got := harness.KexLines(res.Stderr, "server->client cipher: ", "")
	if res.ExitCode != 0 || len(got) == 0 || got[0] != cipher {
		return fmt.Errorf("%s negotiated cipher %q, want %s (exit %d)", r.label, got, cipher, res.ExitCode)
	}
	return nil
}

// runTransfer runs one transfer of flow f with the client command line
// argv and reads the server's CPU time around it.
func runTransfer(ctx context.Context, c *harness.Container, r *runner, f flow, argv []string, size int64) (transfer, error) {
	before, err := r.server.Proc.CPUTime()
	if err != nil {
		return transfer{}, err
	}
	out, err := bash(ctx, c, f.script(size), argv)
	if err != nil {
		return transfer{}, err
	}
	// The server reaps the session's processes after the client has
	// gone: give it a moment before reading its children's CPU time.
	time.Sleep(300 * time.Millisecond)
	after, err := r.server.Proc.CPUTime()
	if err != nil {
		return transfer{}, err
	}
	return parseTransfer(out, size, after-before)
}
