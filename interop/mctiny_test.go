//go:build interop && linux

package interop_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	"github.com/pqssh/pqssh/interop/peers"
)

// mctinyKex is the key exchange of McTiny for SSH
// (draft-pqssh-mctiny-ssh-00).
const mctinyKex = "mctiny6688128x25519-sha512"

// TestMcTiny runs pqssh -o McTiny=yes against pqsshd with McTiny yes in
// two containers of a lab whose links have an MTU of 1280 (the IPv6
// minimum): first contact pins the McTiny key over SSH, later logins run
// McTiny over UDP and then SSH with mctiny6688128x25519-sha512 only. It
// asserts the login and command, the method in both logs, that the
// largest datagram the client saw fits 1232 bytes of UDP payload, and
// that neither kernel fragmented or reassembled a datagram
// (/proc/net/snmp). It logs the login latency of McTiny and of plain
// mceliece6688128x25519-sha512 measured in the same run (docs/benchmarks.md).
func TestMcTiny(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	mlab, err := harness.NewLab(ctx, harness.Options{BinDir: binDir, MTU: 1280, Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer mlab.Close()
	if mlab.MTU() != 1280 {
		t.Fatalf("lab MTU %d", mlab.MTU())
	}
	s, err := mlab.NewContainer(ctx, "mctsrv", peers.Trixie)
	if err != nil {
		t.Fatal(err)
	}
	c, err := mlab.NewContainer(ctx, "mctcli", peers.Trixie)
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range []*harness.Container{s, c} {
		out, err := ct.Sh(ctx, "cat /sys/class/net/eth0/mtu 2>/dev/null || true")
		if err == nil && strings.TrimSpace(out) != "" && strings.TrimSpace(out) != "1280" {
			t.Fatalf("%s: eth0 MTU %q", ct.Name, out)
		}
	}

	srvr := startMcTinyServer(t, ctx, mlab, s)
	defer srvr.Stop()
	waitLog(t, srvr, "mctiny: listening")

	login := func(kex string, opts ...string) (*harness.Result, time.Duration) {
		t.Helper()
		t0 := time.Now()
		res, err := mlab.Connect(ctx, peers.Pqssh, c, srvr, harness.Login{Kex: kex, Command: "uname -n", Options: opts})
		d := time.Since(t0)
		if err != nil {
			t.Fatal(err)
		}
		if res.ExitCode != 0 || strings.TrimSpace(string(res.Stdout)) != s.Name {
			t.Fatalf("login: exit %d, stdout %q, stderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
		}
		return res, d
	}
	mctiny := []string{"McTiny=yes"}

	snmpS0, snmpC0 := ipStats(t, ctx, s), ipStats(t, ctx, c)
	from := len(srvr.Log())
	first, _ := login("", mctiny...)
	if !strings.Contains(first.Stderr, "Permanently added the McTiny key") {
		t.Errorf("first contact did not pin:\n%s", first.Stderr)
	}
	// First contact: an ordinary login (the key request), then McTiny.
	if got := harness.ClientKex(peers.Pqssh, first.Stderr); len(got) != 2 || got[1] != mctinyKex {
		t.Errorf("first contact: client negotiated %v", got)
	}
	if got := srvr.Kex(from, 2); len(got) != 2 || got[1] != mctinyKex {
		t.Errorf("first contact: server negotiated %v", got)
	}
	checkDatagrams(t, first.Stderr)

	// Pinned: McTiny only, timed against plain McEliece in the same run.
	const rounds = 7
	var mct, mce []time.Duration
	var exch []string
	for range rounds {
		from := len(srvr.Log())
		res, d := login("", mctiny...)
		if got := harness.ClientKex(peers.Pqssh, res.Stderr); !slices.Equal(got, []string{mctinyKex}) {
			t.Errorf("pinned login: client negotiated %v\n%s", got, res.Stderr)
		}
		if got := srvr.Kex(from, 1); !slices.Equal(got, []string{mctinyKex}) {
			t.Errorf("pinned login: server negotiated %v", got)
		}
		checkDatagrams(t, res.Stderr)
		if m := mctinyDone.FindStringSubmatch(res.Stderr); m != nil {
			exch = append(exch, m[1])
		}
		mct = append(mct, d)
		_, d = login(peers.MCELIECE)
		mce = append(mce, d)
	}
	snmpS1, snmpC1 := ipStats(t, ctx, s), ipStats(t, ctx, c)
	for _, k := range []string{"FragCreates", "FragFails", "ReasmReqds"} {
		if snmpS1[k] != snmpS0[k] || snmpC1[k] != snmpC0[k] {
			t.Errorf("IP %s changed: server %d → %d, client %d → %d", k, snmpS0[k], snmpS1[k], snmpC0[k], snmpC1[k])
		}
	}
	// Control: a datagram larger than the link is fragmented and counted,
	// so the counters above would have seen an oversized McTiny datagram.
	if _, err := c.Sh(ctx, fmt.Sprintf("bash -c 'head -c 1300 /dev/zero > /dev/udp/%s/9' || true", s.IP)); err != nil {
		t.Fatal(err)
	}
	if got := ipStats(t, ctx, c)["FragCreates"]; got <= snmpC1["FragCreates"] {
		t.Errorf("control: a 1300-byte datagram was not fragmented (FragCreates %d → %d)", snmpC1["FragCreates"], got)
	}
	slices.Sort(mct)
	slices.Sort(mce)
	t.Logf("MTU 1280, %d logins each (uname -n, wall time of the pqssh process): McTiny median %v (min %v, max %v); %s median %v (min %v, max %v)",
		rounds, mct[rounds/2], mct[0], mct[rounds-1], peers.MCELIECE, mce[rounds/2], mce[0], mce[rounds-1])
	t.Logf("McTiny exchanges (client): %s", strings.Join(exch, "; "))
	t.Logf("IP counters server %v, client %v", snmpS1, snmpC1)
}

// mctinyDone matches pqssh's summary of the exchange (-v).
var mctinyDone = regexp.MustCompile(`McTiny: done in ([^\n]*)`)

var largestDatagram = regexp.MustCompile(`largest datagram (\d+) bytes`)

// checkDatagrams asserts from pqssh's -v summary that no datagram carried
// more than 1232 bytes of UDP payload (1280 - 40 - 8).
func checkDatagrams(t *testing.T, stderr string) {
	t.Helper()
	m := largestDatagram.FindStringSubmatch(stderr)
	if m == nil {
		t.Errorf("no McTiny summary in pqssh -v output:\n%s", stderr)
		return
	}
	if n, _ := strconv.Atoi(m[1]); n > 1232 || n < 1000 {
		t.Errorf("largest datagram %d bytes", n)
	}
}

// startMcTinyServer starts pqsshd with McTiny in c, accepting the lab's
// user key for root.
func startMcTinyServer(t *testing.T, ctx context.Context, l *harness.Lab, c *harness.Container) *harness.Server {
	t.Helper()
	key, err := l.UserKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteFile("/root/.ssh/authorized_keys", key.Authorized, 0o600); err != nil {
		t.Fatal(err)
	}
	const hostKey = "/etc/pqsshd/ssh_host_ed25519_key"
	if _, err := c.Sh(ctx, "mkdir -p /etc/pqsshd && ssh-keygen -q -t ed25519 -N '' -f "+hostKey); err != nil {
		t.Fatal(err)
	}
	port := l.Port()
	conf := fmt.Sprintf("HostKey %s\nAuthorizedKeysFile .ssh/authorized_keys\nLogLevel DEBUG1\nMcTiny yes\n", hostKey)
	if err := c.WriteFile("/etc/pqsshd/mctiny_config", []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	proc, err := c.Start("pqsshd", "/pqssh/bin/pqsshd", "-D", "-e", "-f", "/etc/pqsshd/mctiny_config", "-p", strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := c.WaitListening(wctx, proc, port); err != nil {
		proc.Stop()
		t.Fatal(err)
	}
	return &harness.Server{Peer: peers.Pqssh, C: c, Port: port, Proc: proc}
}

func waitLog(t *testing.T, s *harness.Server, want string) {
	t.Helper()
	for range 500 {
		if strings.Contains(s.Log(), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server log lacks %q:\n%s", want, s.Log())
}

// ipStats reads the Ip: counters of the container's /proc/net/snmp.
func ipStats(t *testing.T, ctx context.Context, c *harness.Container) map[string]int64 {
	t.Helper()
	b, err := c.Sh(ctx, "cat /proc/net/snmp")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	out := map[string]int64{}
	for _, line := range strings.Split(b, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "Ip:" {
			continue
		}
		if names == nil {
			names = f[1:]
			continue
		}
		for i, v := range f[1:] {
			if i < len(names) {
				n, _ := strconv.ParseInt(v, 10, 64)
				out[names[i]] = n
			}
		}
	}
	if _, ok := out["FragCreates"]; !ok {
		t.Fatalf("%s: no IP counters in /proc/net/snmp", c.Name)
	}
	return out
}
