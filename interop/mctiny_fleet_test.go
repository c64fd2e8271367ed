//go:build interop && linux

package interop_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	"github.com/pqssh/pqssh/interop/peers"
	"github.com/pqssh/pqssh/mctiny"
)

// fleetVIP is the service address the replicas share (TEST-NET-2).
const fleetVIP = "198.51.100.10"

// TestMcTinyFleet runs three pqsshd replicas, each in its own container,
// behind a load balancer built from the kernel's nftables: in the
// balancer's netdev ingress hook, UDP datagrams to the service address are
// sprayed over the replicas one by one (numgen inc mod 3, then fwd), so
// consecutive packets of one McTiny exchange reach different replicas,
// while TCP is spread per connection (jhash of the 4-tuple). The replicas
// hold the service address on lo and answer the client directly. They
// share only files: the host key, the McTiny long-term key pair and the
// cookie secret (McTinyCookieSecretFile); puzzles are on at a low rate so
// that puzzles posed by one replica are solved at another.
//
// 100 pqssh logins with McTiny (4 at a time) must all succeed; one replica
// is killed after the 50th starts (a login that fails is retried, up to
// fleetLoginTries times), and restarted at the end, after which it must
// serve again.
// fleetLoginTries bounds the attempts of one login. The balancer has no
// health checks: while a replica is down, each new TCP connection reaches
// it with probability 1/3 (its 4-tuple hashes there) and is refused, and
// the client retries with a new source port. With 5 tries a login still
// failed with probability (1/3)^5 ≈ 0.4 %, about one run in five over
// the ≈ 50 logins after the kill; with 12 it is ≈ 2e-6 per login.
const fleetLoginTries = 12

func TestMcTinyFleet(t *testing.T) {
	if _, err := exec.LookPath("nft"); err != nil {
		t.Fatal("nft(8) not installed: make interop installs nftables (apt-get install nftables)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	lab, err := harness.NewLab(ctx, harness.Options{BinDir: binDir, Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	newC := func(name string) *harness.Container {
		c, err := lab.NewContainer(ctx, name, peers.Trixie)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	lb, cl := newC("lb"), newC("fleetcli")
	reps := []*harness.Container{newC("rep1"), newC("rep2"), newC("rep3")}
	port := lab.Port()

	sh := func(args ...string) {
		t.Helper()
		if out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	// Network: the client routes the service address via the balancer;
	// the replicas own it on lo and do not answer ARP for it.
	sh("ip", "-n", cl.NetNS(), "route", "add", fleetVIP+"/32", "via", lb.IP)
	sh("ip", "netns", "exec", lb.NetNS(), "sysctl", "-qw", "net.ipv4.ip_forward=1")
	for _, r := range reps {
		sh("ip", "-n", r.NetNS(), "addr", "add", fleetVIP+"/32", "dev", "lo")
		sh("ip", "netns", "exec", r.NetNS(), "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2")
	}
	rules := fmt.Sprintf(`table netdev fleet {
	chain rep1 { counter fwd ip to %[2]s device eth0; }
	chain rep2 { counter fwd ip to %[3]s device eth0; }
	chain rep3 { counter fwd ip to %[4]s device eth0; }
	chain tcp1 { counter fwd ip to %[2]s device eth0; }
	chain tcp2 { counter fwd ip to %[3]s device eth0; }
	chain tcp3 { counter fwd ip to %[4]s device eth0; }
	chain in {
		type filter hook ingress device eth0 priority 0;
		ip daddr %[1]s udp dport %[5]d numgen inc mod 3 vmap { 0 : jump rep1, 1 : jump rep2, 2 : jump rep3 }
		ip daddr %[1]s tcp dport %[5]d jhash ip saddr . tcp sport mod 3 vmap { 0 : jump tcp1, 1 : jump tcp2, 2 : jump tcp3 }
	}
}
`, fleetVIP, reps[0].IP, reps[1].IP, reps[2].IP, port)
	rf := t.TempDir() + "/fleet.nft"
	if err := os.WriteFile(rf, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	sh("ip", "netns", "exec", lb.NetNS(), "nft", "-f", rf)
	counters := func() (udp, tcp [3]int64) {
		out, err := exec.CommandContext(ctx, "ip", "netns", "exec", lb.NetNS(), "nft", "list", "table", "netdev", "fleet").CombinedOutput()
		if err != nil {
			t.Fatalf("nft list: %v\n%s", err, out)
		}
		for _, m := range nftCounter.FindAllStringSubmatch(string(out), -1) {
			i, _ := strconv.Atoi(m[2])
			n, _ := strconv.ParseInt(m[3], 10, 64)
			if m[1] == "rep" {
				udp[i-1] = n
			} else {
				tcp[i-1] = n
			}
		}
		return udp, tcp
	}

	// Shared secrets, as an operator would deploy them: the first replica
	// generates the host key and the McTiny key pair; all get copies and
	// one cookie secret.
	key, err := lab.UserKey()
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	const (
		hostKey  = "/etc/pqsshd/ssh_host_ed25519_key"
		stateDir = "/etc/pqsshd/pqsshd_mctiny"
		secretF  = "/etc/pqsshd/mctiny-cookie-secret"
		confF    = "/etc/pqsshd/fleet_config"
	)
	conf := fmt.Sprintf("HostKey %s\nAuthorizedKeysFile .ssh/authorized_keys\nListenAddress %s\nMcTiny yes\n"+
		"McTinyCookieSecretFile %s\nMcTinyPuzzleRate 1\nMcTinyPuzzleBits 8:10\n", hostKey, fleetVIP, secretF)
	if _, err := reps[0].Sh(ctx, "mkdir -p /etc/pqsshd && ssh-keygen -q -t ed25519 -N '' -f "+hostKey); err != nil {
		t.Fatal(err)
	}
	for _, r := range reps {
		must(t, r.WriteFile("/root/.ssh/authorized_keys", key.Authorized, 0o600))
		must(t, r.WriteFile(secretF, []byte("# fleet cookie secret\n"+hex.EncodeToString(secret)+"\n"), 0o600))
		must(t, r.WriteFile(confF, []byte(conf), 0o644))
	}
	start := func(r *harness.Container) *harness.Server {
		t.Helper()
		proc, err := r.Start("pqsshd", "/pqssh/bin/pqsshd", "-D", "-e", "-f", confF, "-p", strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := r.WaitListening(wctx, proc, port); err != nil {
			proc.Stop()
			t.Fatal(err)
		}
		s := &harness.Server{Peer: peers.Pqssh, C: r, Port: port, Proc: proc}
		waitLog(t, s, "mctiny: listening")
		return s
	}
	srv := make([]*harness.Server, 3)
	srv[0] = start(reps[0])
	defer func() {
		for _, s := range srv {
			if s != nil {
				s.Stop()
			}
		}
	}()
	for _, f := range []string{hostKey, hostKey + ".pub", stateDir + "/" + mctiny.PublicKeyFile, stateDir + "/" + mctiny.PrivateKeyFile} {
		b, err := reps[0].ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps[1:] {
			if _, err := r.Sh(ctx, "mkdir -p -m 0700 "+stateDir); err != nil {
				t.Fatal(err)
			}
			must(t, r.WriteFile(f, b, 0o600))
		}
	}
	srv[1], srv[2] = start(reps[1]), start(reps[2])

	// The client addresses the service address, not a replica.
	vc := *reps[0]
	vc.IP = fleetVIP
	vip := &harness.Server{Peer: peers.Pqssh, C: &vc, Port: port}
	type outcome struct {
		host     string
		tries    int
		puzzles  int
		mctiny   bool
		duration time.Duration
	}
	login := func() (outcome, error) {
		var o outcome
		var last error
		for o.tries < fleetLoginTries {
			o.tries++
			t0 := time.Now()
			res, err := lab.Connect(ctx, peers.Pqssh, cl, vip, harness.Login{Command: "uname -n", Options: []string{"McTiny=yes"}})
			o.duration = time.Since(t0)
			if err == nil && res.ExitCode == 0 {
				o.host = strings.TrimSpace(string(res.Stdout))
				o.mctiny = strings.Contains(res.Stderr, "McTiny: done in")
				if m := solvedPuzzles.FindStringSubmatch(res.Stderr); m != nil {
					o.puzzles, _ = strconv.Atoi(m[1])
				}
				return o, nil
			}
			if err != nil {
				last = err
			} else {
				last = fmt.Errorf("exit %d: %s", res.ExitCode, tail(res.Stderr))
			}
		}
		return o, last
	}
	// First contact pins the McTiny key (an ordinary SSH login first).
	if o, err := login(); err != nil {
		t.Fatalf("first contact: %v", err)
	} else {
		t.Logf("first contact served by %s (%d tries)", o.host, o.tries)
	}

	const clients, parallel, killAt = 100, 4, 50
	var (
		mu       sync.Mutex
		results  []outcome
		failures []error
		started  atomic.Int64
		killOnce sync.Once
		udp0, _  = counters()
	)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for range jobs {
				if started.Add(1) == killAt {
					killOnce.Do(func() {
						srv[1].Stop()
						t.Logf("killed the replica %s's pqsshd after %d logins started", reps[1].Name, killAt)
					})
				}
				o, err := login()
				mu.Lock()
				if err != nil {
					failures = append(failures, err)
				} else {
					results = append(results, o)
				}
				mu.Unlock()
			}
		})
	}
	for i := range clients {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	udp1, tcp1 := counters()

	hosts := map[string]int{}
	retried, puzzles, nonMcTiny := 0, 0, 0
	var total time.Duration
	for _, o := range results {
		hosts[o.host]++
		if o.tries > 1 {
			retried++
		}
		puzzles += o.puzzles
		if !o.mctiny {
			nonMcTiny++
		}
		total += o.duration
	}
	t.Logf("%d logins completed, %d failed after %d tries, %d needed retries; SSH served by %v; puzzles solved %d; mean login %v",
		len(results), len(failures), fleetLoginTries, retried, hosts, puzzles, total/time.Duration(max(len(results), 1)))
	t.Logf("balancer: UDP datagrams per replica %v, TCP segments per replica %v", diff3(udp1, udp0), tcp1)
	if len(failures) > 0 {
		t.Errorf("%d logins failed; first: %v", len(failures), failures[0])
	}
	if nonMcTiny > 0 {
		t.Errorf("%d logins did not use McTiny", nonMcTiny)
	}
	// Spraying: each replica got a share of the datagrams (the killed one
	// still receives its share; its datagrams are lost and retransmitted).
	d := diff3(udp1, udp0)
	sum := d[0] + d[1] + d[2]
	for i, n := range d {
		if n < sum/5 {
			t.Errorf("replica %d got %d of %d datagrams", i+1, n, sum)
		}
	}
	for _, r := range []*harness.Container{reps[0], reps[2]} {
		if hosts[r.Name] == 0 {
			t.Errorf("no SSH connection served by %s", r.Name)
		}
	}

	// Restart the killed replica: it serves again (its SSH connections and
	// its share of McTiny datagrams), with nothing but the shared files.
	srv[1] = start(reps[1])
	udp2, _ := counters()
	from := len(srv[1].Log())
	served := 0
	for range 12 {
		o, err := login()
		if err != nil {
			t.Errorf("after restart: %v", err)
			continue
		}
		if o.host == reps[1].Name {
			served++
		}
	}
	udp3, _ := counters()
	if d := diff3(udp3, udp2); d[1] == 0 {
		t.Errorf("restarted replica got no datagrams: %v", d)
	}
	if served == 0 && !strings.Contains(srv[1].Log()[from:], "Accepted") {
		t.Logf("restarted replica's log:\n%s", tail(srv[1].Log()[from:]))
		t.Errorf("restarted replica served no SSH connection in 12 logins")
	}
	t.Logf("after restart: %d of 12 SSH connections served by %s; its datagrams %d", served, reps[1].Name, diff3(udp3, udp2)[1])
}

var (
	nftCounter    = regexp.MustCompile(`chain (rep|tcp)(\d) \{\s*counter packets (\d+)`)
	solvedPuzzles = regexp.MustCompile(`McTiny: solved (\d+) puzzle`)
)

func diff3(a, b [3]int64) [3]int64 { return [3]int64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
