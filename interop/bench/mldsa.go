//go:build linux

package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	"github.com/pqssh/pqssh/interop/peers"
)

// The ML-DSA benchmarks run in one Debian forky container (OpenSSH 10.6p1,
// the release with ssh-mldsa44-ed25519): signatures made and checked by
// pqssh-keygen against ssh-keygen 10.6, then logins with an ML-DSA host
// key and user key, pqssh → pqsshd against ssh 10.6 → sshd 10.6 (and the
// mixed pairs), all alternating.

const (
	mldsaComposite = "ssh-mldsa44-ed25519"
	sigDir         = "/tmp/bench-sig"
	sigBatch       = 64 // files signed by one process for the per-signature cost
)

// A sigScheme is one signature algorithm of the signature table.
type sigScheme struct {
	name    string // SSH name
	keyType string // -t of the key generator
	openssh bool   // ssh-keygen 10.6 has it
}

var sigSchemes = []sigScheme{
	{mldsaComposite, "mldsa44-ed25519", true},
	{"ssh-mldsa-44", "mldsa-44", false},
	{"ssh-mldsa-65", "mldsa-65", false},
	{"ssh-mldsa-87", "mldsa-87", false},
	{"ssh-ed25519", "ed25519", true},
}

// sigOps are the timed operations, per scheme and tool. %[1]s is the
// tool, %[2]s the key file, %[3]s the tool's tag (file names).
var sigOps = []struct {
	name string
	cmd  string
	prep string // untimed, before each run
}{
	{"start-up", "%[1]s -l -f %[2]s.pub", ""},
	{"sign", "%[1]s -Y sign -f %[2]s -n file m%[3]s.0", "rm -f m%[3]s.0.sig"},
	{"sign-batch", "%[1]s -Y sign -f %[2]s -n file " + batchFiles(), "rm -f m%[3]s.[0-9]*.sig"},
	{"verify", "%[1]s -Y check-novalidate -n file -s v%[3]s.sig < msg", ""},
}

func batchFiles() string {
	var f []string
	for i := range sigBatch {
		f = append(f, fmt.Sprintf("m%%[3]s.%d", i))
	}
	return strings.Join(f, " ")
}

// sigTools are the two implementations of the signature table.
var sigTools = []struct{ tag, bin string }{
	{"pq", "/pqssh/bin/pqssh-keygen"},
	{"os", "ssh-keygen"},
}

// mldsaBench prints the signature table and the ML-DSA login table.
func mldsaBench(ctx context.Context, cs *containers, o options) error {
	c, err := cs.get(ctx, peers.OpenSSH106.Recipe)
	if err != nil {
		return err
	}
	if err := signatures(ctx, c, o.sigRounds); err != nil {
		return fmt.Errorf("ML-DSA signatures: %w", err)
	}
	return mldsaLogins(ctx, cs.lab, c, o.runs)
}

// signatures times sign and verify of every scheme with both tools. Each
// run is one process timed by bash ($EPOCHREALTIME, µs) around it; the
// tools and schemes alternate run by run.
func signatures(ctx context.Context, c *harness.Container, rounds int) error {
	// Keys: ssh-keygen 10.6 makes the ones it has (both tools read
	// them), pqssh-keygen the pure ML-DSA ones. Each tool signs the
	// message once for the verify runs (of its own signature).
	var setup strings.Builder
	fmt.Fprintf(&setup, "set -e\nrm -rf %[1]s && mkdir -p %[1]s && cd %[1]s\nhead -c 1024 /dev/urandom > msg\n", sigDir)
	for _, t := range sigTools {
		for i := range sigBatch {
			fmt.Fprintf(&setup, "cp msg m%s.%d\n", t.tag, i)
		}
	}
	for _, s := range sigSchemes {
		gen := "/pqssh/bin/pqssh-keygen -q -t " + s.keyType
		if s.openssh {
			gen = "ssh-keygen -q -N '' -t " + s.keyType
		}
		fmt.Fprintf(&setup, "%s -f k_%s\n", gen, s.keyType)
		for _, t := range sigTools {
			if t.tag == "os" && !s.openssh {
				continue
			}
			fmt.Fprintf(&setup, "cp msg v%[1]s_%[2]s && %[3]s -Y sign -f k_%[2]s -n file v%[1]s_%[2]s >/dev/null 2>&1 && mv v%[1]s_%[2]s.sig v%[1]s_%[2]s.sig.keep\n", t.tag, s.keyType, t.bin)
			// Both tools must accept the signature (and reject a wrong message).
			for _, u := range sigTools {
				if u.tag == "os" && !s.openssh {
					continue
				}
				fmt.Fprintf(&setup, "%[1]s -Y check-novalidate -n file -s v%[2]s_%[3]s.sig.keep < msg >/dev/null 2>&1\n", u.bin, t.tag, s.keyType)
				fmt.Fprintf(&setup, "if echo x | %[1]s -Y check-novalidate -n file -s v%[2]s_%[3]s.sig.keep >/dev/null 2>&1; then echo 'bad signature accepted' >&2; exit 1; fi\n", u.bin, t.tag, s.keyType)
			}
		}
	}
	if _, err := bash(ctx, c, setup.String(), nil); err != nil {
		return fmt.Errorf("keys and signatures: %w", err)
	}

	// One line per run: "scheme tool op start end".
	var script strings.Builder
	fmt.Fprintf(&script, "cd %s\nfor ((i = 0; i < %d; i++)); do\n", sigDir, rounds+1)
	for _, s := range sigSchemes {
		for _, t := range sigTools {
			if t.tag == "os" && !s.openssh {
				continue
			}
			tag := t.tag + "_" + s.keyType
			for _, op := range sigOps {
				cmd := fmt.Sprintf(op.cmd, t.bin, "k_"+s.keyType, tag)
				if op.name == "sign" || op.name == "sign-batch" {
					// The batch files are per tool, not per scheme.
					cmd = fmt.Sprintf(op.cmd, t.bin, "k_"+s.keyType, t.tag)
				}
				if op.name == "verify" {
					fmt.Fprintf(&script, "\tcp v%[1]s.sig.keep v%[1]s.sig\n", tag)
				}
				if op.prep != "" {
					fmt.Fprintf(&script, "\t%s\n", fmt.Sprintf(op.prep, "", "", t.tag))
				}
				fmt.Fprintf(&script, "\ts=$EPOCHREALTIME; %s >/dev/null 2>&1 || { echo '%s failed' >&2; exit 1; }; e=$EPOCHREALTIME\n", cmd, cmd)
				fmt.Fprintf(&script, "\t((i > 0)) && echo %s %s %s $s $e\n", s.name, t.tag, op.name)
			}
		}
	}
	script.WriteString("done\n")
	out, err := bash(ctx, c, script.String(), nil)
	if err != nil {
		return err
	}
	times, err := parseSigTimes(out)
	if err != nil {
		return err
	}

	fmt.Printf("\n### ML-DSA signatures: pqssh-keygen vs ssh-keygen of OpenSSH 10.6p1 (Debian forky)\n\n")
	fmt.Printf("Each figure is the median of %d runs of one process, timed by bash's $EPOCHREALTIME around it in the forky container, the two tools and the schemes alternating run by run. "+
		"start-up: `-l -f KEY.pub` (process start, reading and hashing a public key); sign: `-Y sign -f KEY -n file MSG` (1 KiB message; reading the private key, which for ML-DSA derives the key from its seed, then one signature, written to MSG.sig); "+
		"per signature: (time of one process signing %d files − time of one file) / %d, the start-up and key loading cancelled out; verify: `-Y check-novalidate` of the tool's own signature (one signature per process: its cost is not separable from the start-up at this resolution). "+
		"Keys made by ssh-keygen 10.6 for the schemes it has (both tools read the same files), by pqssh-keygen for the pure ML-DSA ones (OpenSSH has none). Before timing, each tool's signature was checked by both tools and refused over another message. Ratio = pqssh-keygen over ssh-keygen.\n\n",
		rounds, sigBatch, sigBatch-1)
	fmt.Println("| scheme | operation | pqssh-keygen | ssh-keygen 10.6 | ratio |")
	fmt.Println("|---|---|---|---|---|")
	for _, s := range sigSchemes {
		get := func(tool, op string) float64 { return median(times[s.name+" "+tool+" "+op]) }
		derived := func(tool string) map[string]float64 {
			return map[string]float64{
				"start-up":      get(tool, "start-up"),
				"sign":          get(tool, "sign"),
				"per signature": (get(tool, "sign-batch") - get(tool, "sign")) / (sigBatch - 1),
				"verify":        get(tool, "verify"),
			}
		}
		pq, ref := derived("pq"), derived("os")
		for _, op := range []string{"start-up", "sign", "per signature", "verify"} {
			if !s.openssh {
				fmt.Printf("| %s | %s | %s | — | |\n", s.name, op, usFmt(pq[op]))
				continue
			}
			fmt.Printf("| %s | %s | %s | %s | %.2f |\n", s.name, op, usFmt(pq[op]), usFmt(ref[op]), pq[op]/ref[op])
		}
	}
	return nil
}

// parseSigTimes reads "scheme tool op start end" lines into durations
// (µs) by "scheme tool op".
func parseSigTimes(out string) (map[string][]float64, error) {
	times := make(map[string][]float64)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 5 {
			return nil, fmt.Errorf("bad timing line %q", line)
		}
		s, err1 := epochMicros(f[3])
		e, err2 := epochMicros(f[4])
		if err1 != nil || err2 != nil || e < s {
			return nil, fmt.Errorf("bad timing line %q", line)
		}
		k := f[0] + " " + f[1] + " " + f[2]
		times[k] = append(times[k], float64(e-s))
	}
	return times, nil
}

// epochMicros parses an $EPOCHREALTIME value ("1733300000.123456") into
// microseconds, without going through a float.
func epochMicros(v string) (int64, error) {
	sec, frac, ok := strings.Cut(v, ".")
	if !ok {
		frac = ""
	}
	frac = (frac + "000000")[:6]
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, err
	}
	return s*1e6 + f, nil
}

func usFmt(us float64) string {
	if us >= 1000 {
		return fmt.Sprintf("%.2f ms", us/1000)
	}
	return fmt.Sprintf("%.0f µs", us)
}

// mldsaLogins times logins running `true` with an ML-DSA host key and user
// key (both made by ssh-keygen 10.6, the same files for both servers and
// clients): pqssh → pqsshd, ssh → sshd, and the mixed pairs, each client
// with its own server process, alternating login by login.
func mldsaLogins(ctx context.Context, lab *harness.Lab, c *harness.Container, runs int) error {
	const dir = "/tmp/bench-mldsa-login"
	if _, err := c.Sh(ctx, "rm -rf "+dir+" && mkdir -p "+dir+" /run/sshd && cd "+dir+" && "+
		"ssh-keygen -q -N '' -t mldsa44-ed25519 -f host && ssh-keygen -q -N '' -t mldsa44-ed25519 -f user && "+
		"cp user.pub authorized_keys && chmod 600 authorized_keys"); err != nil {
		return err
	}
	common := "HostKey " + dir + "/host\nAuthorizedKeysFile " + dir + "/authorized_keys\nLogLevel DEBUG1\n" +
		"HostKeyAlgorithms " + mldsaComposite + "\nPubkeyAcceptedAlgorithms " + mldsaComposite + "\nKexAlgorithms " + peers.MLKEM768 + "\n"
	servers := map[string]struct {
		argv     func(port int) []string
		conf     string
		accepted *regexp.Regexp // the ML-DSA user key in its log
	}{
		"pqsshd": {
			func(port int) []string {
				return []string{"/pqssh/bin/pqsshd", "-D", "-e", "-f", dir + "/pqsshd_config", "-p", strconv.Itoa(port)}
			},
			common,
			regexp.MustCompile(`accepted publickey.* hostkey=` + mldsaComposite + ` .*sigalg=` + mldsaComposite),
		},
		"sshd": {
			func(port int) []string {
				return []string{"/usr/sbin/sshd", "-D", "-e", "-f", dir + "/sshd_config", "-p", strconv.Itoa(port)}
			},
			common + "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\n",
			regexp.MustCompile(`Accepted publickey for root from \S+ port \d+ ssh2: MLDSA44-ED25519 `),
		},
	}
	for name, s := range servers {
		if err := c.WriteFile(dir+"/"+name+"_config", []byte(s.conf), 0o644); err != nil {
			return err
		}
	}
	clients := map[string]string{"pqssh": "/pqssh/bin/pqssh", "ssh": "ssh"}
	pairs := []struct{ client, server, label string }{
		{"pqssh", "pqsshd", "pqssh → pqsshd"},
		{"ssh", "sshd", "ssh 10.6 → sshd 10.6"},
		{"ssh", "pqsshd", "ssh 10.6 → pqsshd"},
		{"pqssh", "sshd", "pqssh → sshd 10.6"},
	}
	rs := make([]*runner, len(pairs))
	for i, p := range pairs {
		srv := servers[p.server]
		port := lab.Port()
		proc, err := c.Start(p.server, srv.argv(port)...)
		if err != nil {
			return err
		}
		defer proc.Stop()
		wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		err = c.WaitListening(wctx, proc, port)
		cancel()
		if err != nil {
			return err
		}
		argv := []string{clients[p.client], "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
			"-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-i", dir + "/user",
			"-o", "HostKeyAlgorithms=" + mldsaComposite, "-o", "PubkeyAcceptedAlgorithms=" + mldsaComposite,
			"-o", "KexAlgorithms=" + peers.MLKEM768, "-p", strconv.Itoa(port), "-l", "root", "-T", "127.0.0.1", "true"}
		// One verbose login first: the client shows the ML-DSA host key,
		// the server's log the ML-DSA user key.
		verbose := append([]string{argv[0], "-v"}, argv[1:]...)
		res, err := c.Run(ctx, harness.Exec{Args: verbose})
		if err != nil {
			return err
		}
		if res.ExitCode != 0 || !strings.Contains(res.Stderr, "kex: host key algorithm: "+mldsaComposite) {
			return fmt.Errorf("%s: exit %d, no ML-DSA host key: %s", p.label, res.ExitCode, lastLines(res.Stderr))
		}
		for deadline := time.Now().Add(2 * time.Second); !srv.accepted.MatchString(proc.Output()); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: the server's log does not show the ML-DSA user key accepted: %s", p.label, lastLines(proc.Output()))
			}
		}
		rs[i] = &runner{entry: entry{label: p.label}, server: &harness.Server{Proc: proc, Port: port, C: c}, login: argv}
	}
	results, err := timeLogins(ctx, c, rs, runs)
	if err != nil {
		return err
	}

	fmt.Printf("\n### Login with an ML-DSA host key and user key: pqssh/pqsshd vs OpenSSH 10.6p1 (Debian forky)\n\n")
	fmt.Printf("`client -T host true` with host key and user key `%s` (HostKeyAlgorithms and PubkeyAcceptedAlgorithms restricted to it on both sides; both keys made by ssh-keygen 10.6, the same files for every pair), key exchange %s, over loopback in one forky container; each pair has its own server process; %d runs each after 2 warm-ups, the four pairs alternating login by login. "+
		"Before timing, one verbose login per pair showed the ML-DSA host key negotiated (client) and the ML-DSA user key accepted (server log). Wall = median (quartiles); CPU = mean user+system time of client and server per login; ratio = over ssh 10.6 → sshd 10.6 (in parentheses the quartiles of the login-by-login ratios).\n\n",
		mldsaComposite, peers.MLKEM768, runs)
	fmt.Println("| client → server | wall | ratio | CPU (client + server) | ratio |")
	fmt.Println("|---|---|---|---|---|")
	ref := results[1]
	for i, r := range results {
		q1, _, q3 := quartiles(ratios(r.wall, ref.wall))
		fmt.Printf("| %s | %s | %.2f (%.2f–%.2f) | %.1f ms (%.1f + %.1f) | %.2f |\n", rs[i].label, msSpread(r.wall),
			median(r.wall)/median(ref.wall), q1, q3, ms(r.cpu), ms(r.clientCPU), ms(r.serverCPU), ratio(r.cpu, ref.cpu))
	}
	return nil
}
