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

// A baseline is an OpenSSH release pqssh's logins and throughput are
// compared with. Its ssh → sshd and pqssh → pqsshd alternate in one
// container of its root filesystem (pqssh's binaries are static and
// mounted in every container), so each ratio is of one container and one
// stretch of time.
type baseline struct {
	name    string         // in headings: "OpenSSH 10.6p1 (Debian forky)"
	version string         // in table cells and -openssh: "10.6"
	peer    *harness.Peer  // its client and server; peer.Kex are the methods it can be compared with
	recipe  harness.Recipe // its container's root filesystem
}

// baselines are the releases compared, newest first. OpenSSH 10.0 runs in
// the patched OpenSSH's root filesystem (trixie's, with the McEliece build
// under /opt), so that one trixie container serves the McEliece table too.
var baselines = []baseline{
	{"OpenSSH 10.6p1 (Debian forky)", "10.6", peers.OpenSSH106, peers.OpenSSH106.Recipe},
	{"OpenSSH 10.0p1 (Debian trixie)", "10.0", peers.OpenSSH10, peers.OpenSSHMcEliece.Recipe},
}

// selectBaselines returns the baselines whose versions are listed, in the
// order of baselines.
func selectBaselines(versions []string) ([]baseline, error) {
	for _, v := range versions {
		if !slices.ContainsFunc(baselines, func(b baseline) bool { return b.version == v }) {
			return nil, fmt.Errorf("no OpenSSH %q to compare with", v)
		}
	}
	var bs []baseline
	for _, b := range baselines {
		if slices.Contains(versions, b.version) {
			bs = append(bs, b)
		}
	}
	return bs, nil
}

// A comparison is one method measured in one baseline's container: pqssh
// → pqsshd (pqssh) against the baseline's ssh → sshd (openssh), and pqssh
// → pqsshd -r (single: every connection in the listener, no session
// process or kex sandbox) when measured.
type comparison struct {
	base                   baseline
	kex                    string
	pqssh, openssh, single *result
}

// pqsshSingle is pqssh with its server started as pqsshd -r: the process
// model before per-connection processes, for the comparison of what they
// cost.
var pqsshSingle = func() *harness.Peer {
	p := *peers.Pqssh
	spec := *p.Server
	command := spec.Command
	spec.Command = func(ctx context.Context, c *harness.Container, cfg harness.ServerConfig) ([]string, error) {
		argv, err := command(ctx, c, cfg)
		if err != nil {
			return nil, err
		}
		return append(argv, "-r"), nil
	}
	p.Server = &spec
	p.Name = "pqssh-single-process"
	return &p
}()

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
}

// result is what was measured for one entry.
type result struct {
	wall []float64     // login wall times (s), in the order of the rounds
	cpu  time.Duration // mean client + server CPU time per login
	// clientCPU and serverCPU are cpu's two parts.
	clientCPU, serverCPU time.Duration
}

// containers starts one container per root filesystem, on first use, and
// hands it out again afterwards.
type containers struct {
	lab *harness.Lab
	up  map[string]*harness.Container // by Recipe.Key
}

func (cs *containers) get(ctx context.Context, r harness.Recipe) (*harness.Container, error) {
	if c := cs.up[r.Key()]; c != nil {
		return c, nil
	}
	c, err := cs.lab.NewContainer(ctx, fmt.Sprintf("bench%d-%s", len(cs.up), r.Suite), r)
	if err != nil {
		return nil, err
	}
	if cs.up == nil {
		cs.up = make(map[string]*harness.Container)
	}
	cs.up[r.Key()] = c
	return c, nil
}

const how = "`client -o KexAlgorithms=X host true` (connect, key exchange, Ed25519 public-key auth, exec, exit), %d runs each after 2 warm-ups, the implementations alternating login by login; wall = median wall time (in parentheses its quartiles); CPU = mean user+system time of client and server per login."

// logins prints the login (and throughput) tables.
func logins(ctx context.Context, cs *containers, o options) error {
	var supported []string
	pqsshHas := func(ctx context.Context, c *harness.Container, kex string) (bool, error) {
		if supported == nil {
			q, err := c.Sh(ctx, "/pqssh/bin/pqssh -Q kex")
			if err != nil {
				return false, fmt.Errorf("asking pqssh for its methods: %w", err)
			}
			supported = strings.Fields(q)
		}
		return slices.Contains(supported, kex), nil
	}
	var done []comparison
	if len(o.kexes) > 0 && len(o.baselines) > 0 {
		var names []string
		for _, b := range o.baselines {
			names = append(names, b.name)
		}
		fmt.Printf("\n### Login: pqssh → pqsshd vs OpenSSH → OpenSSH (%s)\n\n", strings.Join(names, "; "))
		fmt.Printf("Login: "+how+" Each OpenSSH release is measured in a container of its own root filesystem, pqssh → pqsshd with it; ratio = pqssh over OpenSSH of the same container (in parentheses the quartiles of the login-by-login ratios).\n\n", o.runs)
		fmt.Println(loginHeader)
		var missing []string
		for _, kex := range o.kexes {
			for _, b := range o.baselines {
				if !slices.Contains(b.peer.Kex, kex) {
					missing = append(missing, fmt.Sprintf("%s not in OpenSSH %s", kex, b.version))
					continue
				}
				c, err := cs.get(ctx, b.recipe)
				if err != nil {
					return err
				}
				if ok, err := pqsshHas(ctx, c, kex); err != nil {
					return err
				} else if !ok {
					missing = append(missing, kex+" not in `pqssh -Q kex`")
					break
				}
				es := []entry{
					{"pqssh → pqsshd", peers.Pqssh, kex},
					{b.name, b.peer, kex},
				}
				if o.single {
					es = append(es, entry{"pqssh → pqsshd -r", pqsshSingle, kex})
				}
				rs, err := measure(ctx, cs.lab, c, es, o.runs)
				if err != nil {
					return fmt.Errorf("%s, %s: %w", b.name, kex, err)
				}
				cmp := comparison{base: b, kex: kex, pqssh: rs[0], openssh: rs[1]}
				if o.single {
					cmp.single = rs[2]
				}
				done = append(done, cmp)
				fmt.Println(cmp.loginRow())
			}
		}
		if len(missing) > 0 {
			fmt.Printf("\nNot measured: %s.\n", strings.Join(missing, "; "))
		}
	}

	if o.mceliece {
		c, err := cs.get(ctx, peers.OpenSSHMcEliece.Recipe)
		if err != nil {
			return err
		}
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
			if ok, err := pqsshHas(ctx, c, e.kex); err != nil {
				return err
			} else if e.peer == peers.Pqssh && !ok {
				return fmt.Errorf("%s is not in `pqssh -Q kex`", e.kex)
			}
		}
		rs, err := measure(ctx, cs.lab, c, es, o.runs)
		if err != nil {
			return fmt.Errorf("McEliece logins: %w", err)
		}
		ref := rs[len(rs)-1]
		for i, e := range es {
			fmt.Printf("| %s | %s | %s | %.2f | %.1f ms | %.2f |\n", e.label, e.kex,
				msSpread(rs[i].wall), median(rs[i].wall)/median(ref.wall), ms(rs[i].cpu), ratio(rs[i].cpu, ref.cpu))
		}
	}

	if o.single && len(done) > 0 {
		fmt.Printf("\n### Process model: pqsshd (per-connection processes, kex sandbox) vs pqsshd -r (one process) vs OpenSSH\n\n")
		fmt.Printf("The logins of the table above; pqssh → pqsshd -r alternated with them in the same loop. ratio = pqsshd over pqsshd -r, and pqsshd over OpenSSH (in parentheses the quartiles of the login-by-login ratios); server CPU counts the session processes and helpers (reaped children).\n\n")
		fmt.Println(processHeader)
		for _, cmp := range done {
			fmt.Println(cmp.processRow())
		}
	}

	return nil
}

const (
	loginHeader = "| OpenSSH | method | pqssh wall | OpenSSH wall | ratio | pqssh CPU | OpenSSH CPU | ratio |\n" +
		"|---|---|---|---|---|---|---|---|"
	processHeader = "| OpenSSH | method | pqsshd wall | pqsshd -r wall | ratio | OpenSSH wall | ratio | pqsshd CPU | pqsshd -r CPU | ratio |\n" +
		"|---|---|---|---|---|---|---|---|---|---|"
)

// loginRow is the comparison's row of the login table.
func (cmp comparison) loginRow() string {
	p, q := cmp.pqssh, cmp.openssh
	r1, _, r3 := quartiles(ratios(p.wall, q.wall))
	return fmt.Sprintf("| %s | %s | %s | %s | %.2f (%.2f–%.2f) | %.1f ms | %.1f ms | %.2f |",
		cmp.base.version, cmp.kex, msSpread(p.wall), msSpread(q.wall),
		median(p.wall)/median(q.wall), r1, r3,
		ms(p.cpu), ms(q.cpu), ratio(p.cpu, q.cpu))
}

// processRow is the comparison's row of the process-model table.
func (cmp comparison) processRow() string {
	p, r, q := cmp.pqssh, cmp.single, cmp.openssh
	a1, _, a3 := quartiles(ratios(p.wall, r.wall))
	b1, _, b3 := quartiles(ratios(p.wall, q.wall))
	return fmt.Sprintf("| %s | %s | %s | %s | %.2f (%.2f–%.2f) | %s | %.2f (%.2f–%.2f) | %.1f ms | %.1f ms | %.2f |",
		cmp.base.version, cmp.kex, msSpread(p.wall), msSpread(r.wall),
		median(p.wall)/median(r.wall), a1, a3,
		msSpread(q.wall), median(p.wall)/median(q.wall), b1, b3,
		ms(p.cpu), ms(r.cpu), ratio(p.cpu, r.cpu))
}

// msSpread formats login times (s) as their median and quartiles in ms.
func msSpread(v []float64) string {
	q1, q2, q3 := quartiles(v)
	return fmt.Sprintf("%.1f ms (%.1f–%.1f)", q2*1e3, q1*1e3, q3*1e3)
}

// mbSpread formats rates (bytes/s) as their median and range in MB/s.
func mbSpread(v []float64) string {
	if len(v) == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MB/s (%.0f–%.0f)", median(v)/1e6, slices.Min(v)/1e6, slices.Max(v)/1e6)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

// prepare starts e's server restricted to e.kex, checks with one verbose
// login that e.kex is what both sides' logs show negotiated, and returns
// the login command line.
func prepare(ctx context.Context, lab *harness.Lab, c *harness.Container, e entry) (*runner, error) {
	p := e.peer
	s, err := lab.StartServer(ctx, p, c, e.kex)
	if err != nil {
		return nil, err
	}
	r := &runner{entry: e, server: s}
	from := len(s.Log())
	res, err := lab.Connect(ctx, p, c, s, harness.Login{Kex: e.kex, Command: "true"})
	if err != nil {
		return r, err
	}
	if got := harness.ClientKex(p, res.Stderr); len(got) != 1 || got[0] != e.kex || res.ExitCode != 0 {
		return r, fmt.Errorf("%s client: negotiated %q, want %s (exit %d): %s", p.Name, got, e.kex, res.ExitCode, lastLines(res.Stderr))
	}
	if got := s.Kex(from, 1); len(got) != 1 || got[0] != e.kex {
		return r, fmt.Errorf("%s server: negotiated %q, want %s: %s", p.Name, got, e.kex, lastLines(s.Log()[from:]))
	}
	r.login, err = lab.ClientCommand(ctx, p, c, s, harness.Login{Kex: e.kex, Command: "true", Quiet: true})
	return r, err
}

// measure times runs logins of every entry, alternating between them so
// that a change in the machine's load hits all alike.
func measure(ctx context.Context, lab *harness.Lab, c *harness.Container, es []entry, runs int) ([]*result, error) {
	rs := make([]*runner, len(es))
	for i, e := range es {
		r, err := prepare(ctx, lab, c, e)
		if r != nil && r.server != nil {
			defer r.server.Stop()
		}
		if err != nil {
			return nil, err
		}
		rs[i] = r
	}
	return timeLogins(ctx, c, rs, runs)
}

// timeLogins times runs logins (after 2 warm-ups) of each runner's
// r.login, alternating between them, and adds up each login's client and
// server CPU time.
func timeLogins(ctx context.Context, c *harness.Container, rs []*runner, runs int) ([]*result, error) {
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
			wall:      wall,
			cpu:       seconds((cpu + server) / float64(runs)),
			clientCPU: seconds(cpu / float64(runs)),
			serverCPU: seconds(server / float64(runs)),
		}
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
