package server

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/pqssh/pqssh/mctiny"
	"github.com/pqssh/pqssh/mctiny/sshkex"
)

// These tests run the real pqsshd and pqssh binaries (built once with
// go build) on loopback: the process-level claims of McTiny in pqsshd.

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binaries builds cmd/pqsshd and cmd/pqssh (once per test binary) into a
// directory under the temporary directory.
func binaries(t *testing.T) (pqsshd, pqssh string) {
	t.Helper()
	buildOnce.Do(func() {
		// One directory per checkout, overwritten by every run (go build
		// replaces the files by renaming), so that runs leave nothing
		// behind and checkouts tested at once do not run each other's
		// binaries.
		wd, _ := os.Getwd()
		binDir = filepath.Join(os.TempDir(), fmt.Sprintf("pqssh-mctiny-test-bin-%d-%x", os.Getuid(), sha256.Sum256([]byte(wd)))[:len("pqssh-mctiny-test-bin-")+24])
		if buildErr = os.MkdirAll(binDir, 0o700); buildErr != nil {
			return
		}
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		cmd := exec.Command(goTool, "build", "-o", binDir+"/", "../cmd/pqsshd", "../cmd/pqssh")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "pqsshd"), filepath.Join(binDir, "pqssh")
}

// daemon is a pqsshd process with McTiny on a fixed port and state
// directory, restartable.
type daemon struct {
	t      *testing.T
	bin    string
	dir    string
	port   int
	config string
	user   string
	cmd    *exec.Cmd
	logs   *syncBuffer
	done   chan struct{}
}

func freePort(t *testing.T) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p})
		l.Close()
		if err == nil {
			u.Close()
			return p
		}
	}
	t.Fatal("no free TCP+UDP port")
	return 0
}

func newDaemon(t *testing.T) *daemon {
	t.Helper()
	bin, _ := binaries(t)
	d := &daemon{t: t, bin: bin, dir: t.TempDir(), port: freePort(t), user: currentUser(t)}
	d.config = filepath.Join(d.dir, "sshd_config")
	text := fmt.Sprintf("HostKey %s/hostkey_ed25519\nAuthorizedKeysFile %s/%%u.keys\nListenAddress 127.0.0.1\nPidFile none\n"+
		"PerSourcePenalties no\nSetEnv SHLVL=1\nLogLevel DEBUG1\nMcTiny yes\nMcTinyStateDirectory %s/mctiny\n", d.dir, d.dir, d.dir)
	if err := os.WriteFile(d.config, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	d.start()
	t.Cleanup(d.stop)
	return d
}

// start runs pqsshd and waits until McTiny listens.
func (d *daemon) start() {
	t := d.t
	t.Helper()
	d.logs = &syncBuffer{}
	d.cmd = exec.Command(d.bin, "-D", "-e", "-f", d.config, "-p", strconv.Itoa(d.port))
	d.cmd.Stderr = d.logs
	d.cmd.Stdout = d.logs
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.done = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) {
		c.Wait()
		close(done)
	}(d.cmd, d.done)
	d.logs.waitLog(t, "mctiny: listening")
	d.logs.waitLog(t, "server listening")
}

// kill ends pqsshd with SIGKILL and waits for it.
func (d *daemon) kill() {
	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.done
}

func (d *daemon) stop() {
	if d.cmd != nil && d.cmd.ProcessState == nil {
		d.cmd.Process.Signal(syscall.SIGKILL)
		<-d.done
	}
	if d.t.Failed() {
		d.t.Logf("pqsshd log:\n%s", d.logs.String())
	}
}

func (d *daemon) addr() string { return "127.0.0.1:" + strconv.Itoa(d.port) }

// rss returns pqsshd's resident set size in bytes (/proc/pid/status).
func (d *daemon) rss() int64 {
	d.t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid))
	if err != nil {
		d.t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				d.t.Fatal(err)
			}
			return kb << 10
		}
	}
	d.t.Fatal("no VmRSS")
	return 0
}

// user makes a client identity authorized by the daemon.
func (d *daemon) newUser() (*mctinyUser, string) {
	t := d.t
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := gossh.NewSignerFromKey(priv)
	line := gossh.MarshalAuthorizedKey(s.PublicKey())
	f, err := os.OpenFile(filepath.Join(d.dir, d.user+".keys"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(line)
	f.Close()
	kr := agent.NewKeyring()
	kr.Add(agent.AddedKey{PrivateKey: priv})
	u := &mctinyUser{home: t.TempDir(), ag: kr.(agent.ExtendedAgent)}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(u.home, "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return u, keyFile
}

// pin pins the daemon's McTiny key for u, read from its state directory.
func (d *daemon) pin(u *mctinyUser) {
	pk, err := os.ReadFile(filepath.Join(d.dir, "mctiny", mctiny.PublicKeyFile))
	if err != nil {
		d.t.Fatal(err)
	}
	if err := pinMcTinyKeyForTest(u.pinFile(), "[127.0.0.1]:"+strconv.Itoa(d.port), pk); err != nil {
		d.t.Fatal(err)
	}
}

// TestMcTinyCLI: the pqssh command with -o McTiny=yes against the pqsshd
// daemon: first contact pins, the second run uses the pin, and -v shows
// the negotiated method.
func TestMcTinyCLI(t *testing.T) {
	_, pqssh := binaries(t)
	d := newDaemon(t)
	u, keyFile := d.newUser()
	run := func(word string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, pqssh, "-v", "-F", "none", "-i", keyFile, "-p", strconv.Itoa(d.port),
			"-o", "McTiny=yes", "-o", "StrictHostKeyChecking=accept-new", "-o", "IdentitiesOnly=yes",
			"-o", "UserKnownHostsFile="+filepath.Join(u.home, "known_hosts"), "-o", "GlobalKnownHostsFile=none",
			d.user+"@127.0.0.1", "echo", word)
		cmd.Env = append(os.Environ(), "HOME="+u.home, "SSH_AUTH_SOCK=")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || string(out) != word+"\n" {
			t.Fatalf("pqssh: %q %v\n%s", out, err, stderr.String())
		}
		return stderr.String()
	}
	first := run("one")
	for _, want := range []string{"Permanently added the McTiny key", "debug1: kex: algorithm: " + sshkex.Name} {
		if !strings.Contains(first, want) {
			t.Errorf("first run lacks %q:\n%s", want, first)
		}
	}
	second := run("two")
	if !strings.Contains(second, "is pinned") || strings.Contains(second, "asking the server") ||
		!strings.Contains(second, "debug1: kex: algorithm: "+sshkex.Name) {
		t.Errorf("second run:\n%s", second)
	}
	d.logs.waitLog(t, "kex="+sshkex.Name+" pq=true")
}

// killConn counts a client's McTiny datagrams and calls trigger once,
// when the client sends its n-th query.
type killConn struct {
	net.PacketConn
	n       int64
	sent    atomic.Int64
	recv    atomic.Int64
	once    sync.Once
	trigger func()
}

func (c *killConn) WriteTo(p []byte, a net.Addr) (int, error) {
	if c.sent.Add(1) == c.n {
		c.once.Do(c.trigger)
	}
	return c.PacketConn.WriteTo(p, a)
}

func (c *killConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, a, err := c.PacketConn.ReadFrom(p)
	if err == nil {
		c.recv.Add(1)
	}
	return n, a, err
}

// TestMcTinyServerKilledInPhase1: pqsshd is SIGKILLed while a client is
// in phase 1 and restarted on the same state directory; the client's
// retransmissions reach the new process, which opens the cookies the old
// one issued, and the client completes the exchange and logs in.
func TestMcTinyServerKilledInPhase1(t *testing.T) {
	d := newDaemon(t)
	u, _ := d.newUser()
	d.pin(u)
	uc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	killed := make(chan struct{})
	kc := &killConn{PacketConn: uc, n: 300, trigger: func() { close(killed) }}
	var recvAtKill, sentAtKill int64
	restarted := make(chan struct{})
	go func() {
		<-killed
		d.kill()
		recvAtKill, sentAtKill = kc.recv.Load(), kc.sent.Load()
		time.Sleep(300 * time.Millisecond) // a second's worth of lost retransmissions
		d.start()
		close(restarted)
	}()
	var log syncBuffer
	dl := u.dialer(t, d.addr(), d.user, &log)
	dl.McTinyConn = kc
	c, err := dl.Dial(dialCtx(t))
	<-restarted
	if err != nil {
		t.Fatalf("login across the restart: %v\n%s", err, log.String())
	}
	defer c.Close()
	mustEcho(t, c, "restarted")
	if c.Algorithms.KeyExchange != sshkex.Name {
		t.Errorf("negotiated %q", c.Algorithms.KeyExchange)
	}
	// Phase 1 is queries 1..952: the kill came in its middle, and the new
	// process answered the rest.
	const phase1End = 1 + mctiny.RowBlocks*mctiny.ColBlocks
	if recvAtKill < 2 || recvAtKill >= phase1End {
		t.Errorf("killed after %d replies, not in phase 1", recvAtKill)
	}
	if c.McTiny.Retransmissions == 0 {
		t.Error("no retransmissions across the restart")
	}
	if got := kc.recv.Load(); got < 971 {
		t.Errorf("%d replies in all", got)
	}
	d.logs.waitLog(t, "kex="+sshkex.Name)
	t.Logf("killed after %d queries sent, %d replies; client %+v", sentAtKill, recvAtKill, *c.McTiny)
}

// TestMcTinyDaemonFloodRSS: a flood of forged and replayed datagrams at
// pqsshd's McTiny port while a client logs in: the client completes, and
// the daemon's resident memory stays flat.
func TestMcTinyDaemonFloodRSS(t *testing.T) {
	d := newDaemon(t)
	u, _ := d.newUser()
	d.pin(u)
	// A first login records queries to replay and warms the daemon up.
	rec, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	rc := &recordingConn{PacketConn: rec}
	var log syncBuffer
	dl := u.dialer(t, d.addr(), d.user, &log)
	dl.McTinyConn = rc
	c, err := dl.Dial(dialCtx(t))
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	mustEcho(t, c, "warm")
	c.Close()
	before := d.rss()

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var sent int
	wg.Go(func() { sent = flood(ctx, t, d.addr(), rc.recorded(), 40000) })
	c, err = u.dialer(t, d.addr(), d.user, &log).Dial(dialCtx(t))
	if err != nil {
		cancel()
		wg.Wait()
		t.Fatalf("login under flood: %v\n%s", err, log.String())
	}
	mustEcho(t, c, "flooded")
	c.Close()
	wg.Wait() // the flood runs to its bound
	cancel()
	after := d.rss()
	t.Logf("pqsshd RSS %.1f MiB before, %.1f MiB after %d flood packets and a login", float64(before)/(1<<20), float64(after)/(1<<20), sent)
	if after-before > 8<<20 {
		t.Errorf("RSS grew by %d bytes under the flood", after-before)
	}
	if sent != 40000 {
		t.Errorf("flood sent %d packets", sent)
	}
}
