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

// An entry is one implementation measured with one method: its client
// against its own server, in one container over loopback.
type entry struct {
	label string
	peer  *harness.Peer
	kex   string
}

// runner is an entry ready to measure.
type runner struct {
	entry
	server *harness.Server
	login  []string // client command line running `true`
	stream []string // client command line streaming size bytes
	cipher string   // negotiated for the stream
}

// result is what was measured for one entry.
type result struct {
	wall       time.Duration // median login wall time
	cpu        time.Duration // mean client + server CPU time per login
	throughput float64       // bytes/s, median
}

// logins prints the login (and throughput) tables.
func logins(ctx context.Context, lab *harness.Lab, c *harness.Container, o options) error {
	q, err := c.Sh(ctx, "/pqssh/bin/pqssh -Q kex")
	if err != nil {
		return fmt.Errorf("asking pqssh for its methods: %w", err)
	}
	supported := strings.Fields(q)
	var opts []string
	if o.cipher != "" {
		opts = []string{"Ciphers=" + o.cipher}
	}
	const how = "`client -o KexAlgorithms=X host true` (connect, key exchange, Ed25519 public-key auth, exec, exit), %d runs each after 2 warm-ups, the implementations alternating login by login; wall = median wall time, CPU = mean user+system time of client and server per login."

	throughput := make(map[string][]*result)
	if len(o.kexes) > 0 {
		fmt.Printf("\n### Login: pqssh → pqsshd vs OpenSSH 10.0p1 → OpenSSH 10.0p1 (Debian trixie)\n\n")
		fmt.Printf("Login: "+how+"\n\n", o.runs)
		fmt.Println("| method | pqssh wall | OpenSSH wall | ratio | pqssh CPU | OpenSSH CPU | ratio |")
		fmt.Println("|---|---|---|---|---|---|---|")
		for _, kex := range o.kexes {
			if !slices.Contains(supported, kex) {
				fmt.Printf("| %s | n/a (not in `pqssh -Q kex`) | | | | | |\n", kex)
				continue
			}
			rs, err := measure(ctx, lab, c, []entry{
				{"pqssh→pqsshd", peers.Pqssh, kex},
				{"OpenSSH 10.0", peers.OpenSSH10, kex},
			}, opts, o.cipher, o.runs, o.reps, o.size)
			if err != nil {
				return fmt.Errorf("%s: %w", kex, err)
			}
			throughput[kex] = rs
			fmt.Printf("| %s | %.1f ms | %.1f ms | %.2f | %.1f ms | %.1f ms | %.2f |\n", kex,
				ms(rs[0].wall), ms(rs[1].wall), ratio(rs[0].wall, rs[1].wall),
				ms(rs[0].cpu), ms(rs[1].cpu), ratio(rs[0].cpu, rs[1].cpu))
		}
	}

	if o.mceliece {
		es := []entry{
			{"pqssh → pqsshd", peers.Pqssh, peers.MCELIECE},
			{"pqssh → pqsshd", peers.Pqssh, peers.MCELIECESNTRUP761},
			{"patched OpenSSH 10.0 → patched OpenSSH 10.0", peers.OpenSSHMcEliece, peers.MCELIECE},
		}
		fmt.Printf("\n### Login with Classic McEliece: pqssh → pqsshd vs the patched OpenSSH 10.0p1 (libmceliece)\n\n")
		fmt.Printf("Login: "+how+" Ratios are to the patched OpenSSH.\n\n", o.runs)
		fmt.Println("| client → server | method | wall | ratio | CPU | ratio |")
		fmt.Println("|---|---|---|---|---|---|")
		for _, e := range es {
			if e.peer == peers.Pqssh && !slices.Contains(supported, e.kex) {
				return fmt.Errorf("%s is not in `pqssh -Q kex`", e.kex)
			}
		}
		rs, err := measure(ctx, lab, c, es, nil, "", o.runs, 0, 0)
		if err != nil {
			return fmt.Errorf("McEliece logins: %w", err)
		}
		ref := rs[len(rs)-1]
		for i, e := range es {
			fmt.Printf("| %s | %s | %.1f ms | %.2f | %.1f ms | %.2f |\n", e.label, e.kex,
				ms(rs[i].wall), ratio(rs[i].wall, ref.wall), ms(rs[i].cpu), ratio(rs[i].cpu, ref.cpu))
		}
	}

	if len(throughput) > 0 && o.size > 0 {
		fmt.Printf("\n### Throughput: pqssh vs OpenSSH 10.0p1\n\n")
		fmt.Printf("`head -c %d /dev/zero` on the server into the client's stdout, counted by wc -c (must be exact), median of %d runs each, alternating; cipher %s.\n\n", o.size, o.reps, cipherName(o.cipher))
		fmt.Println("| method | pqssh | OpenSSH | ratio |")
		fmt.Println("|---|---|---|---|")
		for _, kex := range o.kexes {
			if rs := throughput[kex]; rs != nil {
				fmt.Printf("| %s | %.0f MB/s | %.0f MB/s | %.2f |\n", kex, rs[0].throughput/1e6, rs[1].throughput/1e6, rs[0].throughput/rs[1].throughput)
			}
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

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

// prepare starts e's server restricted to e.kex, checks with one verbose
// login that e.kex is what both sides' logs show negotiated, and returns
// the command lines.
func prepare(ctx context.Context, lab *harness.Lab, c *harness.Container, e entry, opts []string, size int64) (*runner, error) {
	p := e.peer
	s, err := lab.StartServer(ctx, p, c, e.kex)
	if err != nil {
		return nil, err
	}
	r := &runner{entry: e, server: s, cipher: "?"}
	from := len(s.Log())
	res, err := lab.Connect(ctx, p, c, s, harness.Login{Kex: e.kex, Command: "true", Options: opts})
	if err != nil {
		return r, err
	}
	if got := harness.ClientKex(p, res.Stderr); len(got) != 1 || got[0] != e.kex || res.ExitCode != 0 {
		return r, fmt.Errorf("%s client: negotiated %q, want %s (exit %d): %s", p.Name, got, e.kex, res.ExitCode, lastLines(res.Stderr))
	}
	if got := s.Kex(from, 1); len(got) != 1 || got[0] != e.kex {
		return r, fmt.Errorf("%s server: negotiated %q, want %s: %s", p.Name, got, e.kex, lastLines(s.Log()[from:]))
	}
	if f := harness.KexLines(res.Stderr, "server->client cipher: ", ""); len(f) > 0 {
		r.cipher = f[0]
	}
	if r.login, err = lab.ClientCommand(ctx, p, c, s, harness.Login{Kex: e.kex, Command: "true", Quiet: true}); err != nil {
		return r, err
	}
	if size > 0 {
		r.stream, err = lab.ClientCommand(ctx, p, c, s, harness.Login{Kex: e.kex, Command: fmt.Sprintf("head -c %d /dev/zero", size), Quiet: true, Options: opts})
	}
	return r, err
}

// measure measures every entry, alternating between them so that a change
// in the machine's load hits all alike: logins, then (when reps > 0 and
// size > 0) throughput with cipher.
func measure(ctx context.Context, lab *harness.Lab, c *harness.Container, es []entry, opts []string, cipher string, runs, reps int, size int64) ([]*result, error) {
	if reps == 0 {
		size = 0
	}
	rs := make([]*runner, len(es))
	for i, e := range es {
		r, err := prepare(ctx, lab, c, e, opts, size)
		if r != nil && r.server != nil {
			defer r.server.Stop()
		}
		if err != nil {
			return nil, err
		}
		if size > 0 && cipher != "" && r.cipher != cipher {
			return nil, fmt.Errorf("%s negotiated cipher %s, want %s", e.label, r.cipher, cipher)
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
		wall, cpu, err := parseTimes(blocks[i], runs, 2)
		if err != nil {
			return nil, fmt.Errorf("logins of %s: %w", r.label, err)
		}
		// The server's CPU time covers the warm-ups too.
		server := (after - before[i]).Seconds() * float64(runs) / float64(runs+2)
		results[i] = &result{
			wall: seconds(median(wall)),
			cpu:  seconds((cpu + server) / float64(runs)),
		}
	}
	if size == 0 {
		return results, nil
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
				return nil, fmt.Errorf("%s throughput: %w", r.label, err)
			}
			f := strings.Fields(out)
			if len(f) != 3 || f[2] != strconv.FormatInt(size, 10) {
				return nil, fmt.Errorf("%s throughput: got %q, want %d bytes counted", r.label, out, size)
			}
			rates[i] = append(rates[i], float64(size)/elapsed(f[0]+" "+f[1]))
		}
	}
	for i := range rs {
		results[i].throughput = median(rates[i])
	}
	return results, nil
}

// parseTimes parses bash `time` lines ("wall user system", seconds) of
// warmups+runs logins, skipping the warm-ups: the wall times, and the sum
// of user and system time.
func parseTimes(block string, runs, warmups int) (wall []float64, cpu float64, err error) {
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if len(lines) != runs+warmups {
		return nil, 0, fmt.Errorf("%d timings, want %d", len(lines), runs+warmups)
	}
	for _, line := range lines[warmups:] {
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, 0, fmt.Errorf("bad timing %q", line)
		}
		var v [3]float64
		for j := range f {
			if v[j], err = strconv.ParseFloat(f[j], 64); err != nil {
				return nil, 0, fmt.Errorf("bad timing %q: %w", line, err)
			}
		}
		wall = append(wall, v[0])
		cpu += v[1] + v[2]
	}
	return wall, cpu, nil
}
