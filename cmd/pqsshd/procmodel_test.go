package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/faultinject"
	"github.com/pqssh/pqssh/server"
)

// panicUser is the user name that makes a test binary's pre-authentication
// code crash.
const panicUser = "pqsshd-inject-panic"

func init() {
	// An unrecovered fault, as a SIGSEGV in assembly would be: a panic on
	// a goroutine of its own takes the whole process down.
	faultinject.PreauthUser = func(user string) {
		if user == panicUser {
			done := make(chan struct{})
			go func() {
				defer close(done)
				panic("injected pre-authentication fault")
			}()
			<-done
		}
	}
}

// catSession is a session running cat on c.
type catSession struct {
	s   *gossh.Session
	in  io.WriteCloser
	out *bufio.Reader
}

func startCat(t *testing.T, c *gossh.Client) *catSession {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	if err := s.Start("cat"); err != nil {
		t.Fatal(err)
	}
	return &catSession{s: s, in: in, out: bufio.NewReader(out)}
}

// echo checks that the session still answers.
func (cs *catSession) echo(t *testing.T, what string) {
	t.Helper()
	io.WriteString(cs.in, what+"\n")
	line, err := cs.out.ReadString('\n')
	if err != nil || line != what+"\n" {
		t.Fatalf("session %s: %q %v", what, line, err)
	}
}

// isProgram reports whether process pid runs as name: its argv[0], or the
// "name: " of a process title (package proctitle).
func isProgram(pid int, name string) bool {
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	argv0, _, _ := strings.Cut(string(cmdline), "\x00")
	return argv0 == name || strings.HasPrefix(argv0, name+": ")
}

// sessionChildren returns the session processes whose parent is pid.
func sessionChildren(t *testing.T, pid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ")".
		i := strings.LastIndexByte(string(stat), ')')
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(pid) {
			continue
		}
		if isProgram(p, server.SessionArg0) {
			out = append(out, p)
		}
	}
	return out
}

// TestSessionsSurviveReloadAndRestart: a connection is served by a
// session process of its own; SIGHUP re-executes the listener (same pid,
// new configuration) and SIGTERM stops it, while the session started
// before both keeps working; a listener started again serves new logins
// beside it.
func TestSessionsSurviveReloadAndRestart(t *testing.T) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	base := fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties no\n", kdir)
	cmd, addr, logs, cfgFile := daemon(t, base)
	listener := cmd.Process.Pid
	c, err := dial(addr, me(t), key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cs := startCat(t, c)
	kids := sessionChildren(t, listener)
	if len(kids) != 1 {
		t.Fatalf("session processes of the listener: %v, want one", kids)
	}
	session := kids[0]
	cs.echo(t, "before")

	// SIGHUP: the listener re-executes itself with a configuration that
	// refuses everyone; the session is untouched.
	os.WriteFile(cfgFile, []byte(base+"DenyUsers *\n"), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, logs, "restarting the listener")
	waitFor(t, logs, "server listening")
	if c2, err := dial(addr, me(t), key); err == nil {
		c2.Close()
		t.Fatal("login accepted after reloading DenyUsers *")
	}
	cs.echo(t, "after the reload")
	// The refused login's process may still be ending.
	if kids := sessionChildren(t, listener); !slices.Contains(kids, session) {
		t.Fatalf("session processes after the reload: %v, want %d among them", kids, session)
	}

	// A second reload back to the old configuration: logins work again.
	os.WriteFile(cfgFile, []byte(base), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, logs, "restarting the listener")
	c2, err := dial(addr, me(t), key)
	if err != nil {
		t.Fatalf("login after the second reload: %v", err)
	}
	defer c2.Close()
	cs2 := startCat(t, c2)
	cs2.echo(t, "second")

	// SIGTERM: the listener exits at once, the sessions go on.
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("listener exit: %v", err)
	}
	if nc, err := net.Dial("tcp", addr); err == nil {
		nc.Close()
		t.Fatal("still listening after SIGTERM")
	}
	cs.echo(t, "after SIGTERM")
	cs2.echo(t, "second after SIGTERM")

	// Start again (as systemctl restart does): new logins and the old
	// sessions side by side.
	_, port, _ := net.SplitHostPort(addr)
	restarted := pqsshd(t, "-D", "-e", "-f", cfgFile, "-h", filepath.Join(filepath.Dir(cfgFile), "hk_ed25519"), "-o", "ListenAddress=127.0.0.1", "-p", port)
	stderr, _ := restarted.StderrPipe()
	if err := restarted.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		restarted.Process.Kill()
		restarted.Wait()
	})
	waitFor(t, bufio.NewReader(stderr), "server listening")
	c3, err := dial(addr, me(t), key)
	if err != nil {
		t.Fatalf("login after the restart: %v", err)
	}
	defer c3.Close()
	startCat(t, c3).echo(t, "third")
	cs.echo(t, "after the restart")
	cs.in.Close()
	if err := cs.s.Wait(); err != nil {
		t.Fatalf("first session's end: %v", err)
	}
}

// TestPreauthCrashEndsOnlyItsConnection: a fault in one connection's
// pre-authentication code (injected by the test binary) ends that
// connection's process only; the listener logs it, an established session
// goes on and new logins work.
func TestPreauthCrashEndsOnlyItsConnection(t *testing.T) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	cmd, addr, logs, _ := daemon(t, fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties no\n", kdir))
	c, err := dial(addr, me(t), key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cs := startCat(t, c)
	cs.echo(t, "before")

	if bad, err := dial(addr, panicUser, key); err == nil {
		bad.Close()
		t.Fatal("the crashing login succeeded")
	}
	waitFor(t, logs, "injected pre-authentication fault")
	waitFor(t, logs, "network process ended abnormally")
	cs.echo(t, "after the crash")
	c2, err := dial(addr, me(t), key)
	if err != nil {
		t.Fatalf("login after another connection crashed: %v", err)
	}
	defer c2.Close()
	startCat(t, c2).echo(t, "new")
	if cmd.ProcessState != nil || syscall.Kill(cmd.Process.Pid, 0) != nil {
		t.Fatal("the listener is gone")
	}
}

// TestPreauthCrashPenalizesSource: a pre-authentication fault — in the
// network process (pqsshd-auth) with privilege separation, in the session
// process without (PQSSHD_NO_PRIVSEP=1) — gives the source
// PerSourcePenalties' crash (OpenSSH's answer to a client retrying a
// fault to defeat ASLR), not noauth's second: with crash:1h and min:30m
// the source's next login is refused.
func TestPreauthCrashPenalizesSource(t *testing.T) {
	t.Run("privsep", func(t *testing.T) { testCrashPenalty(t, false, "network process ended abnormally") })
	t.Run("no privsep", func(t *testing.T) { testCrashPenalty(t, true, "session process ended abnormally") })
}

func testCrashPenalty(t *testing.T, noPrivsep bool, crashLine string) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	_, addr, logs, _ := daemonWith(t, fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties crash:1h noauth:1s authfail:1s min:30m\n", kdir), func(c *exec.Cmd) {
		if noPrivsep {
			c.Env = append(c.Env, "PQSSHD_NO_PRIVSEP=1")
		}
	})
	if bad, err := dial(addr, panicUser, key); err == nil {
		bad.Close()
		t.Fatal("the crashing login succeeded")
	}
	waitFor(t, logs, crashLine)
	// The listener records the penalty once the process is reaped.
	var err error
	for range 50 {
		var c *gossh.Client
		if c, err = dial(addr, me(t), key); err != nil {
			break
		}
		c.Close()
		time.Sleep(100 * time.Millisecond)
	}
	if err == nil {
		t.Fatal("the source of a pre-authentication crash may still log in: no crash penalty")
	}
	waitFor(t, logs, "refusing connection: source penalized")
}

// TestPreauthCrashInSingleProcessMode is the control for the test above:
// with -r the same fault takes down the whole server.
func TestPreauthCrashInSingleProcessMode(t *testing.T) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	cmd, addr, _, _ := daemon(t, fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties no\n", kdir), "-r")
	c, err := dial(addr, me(t), key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if bad, err := dial(addr, panicUser, key); err == nil {
		bad.Close()
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("pqsshd -r exited 0 after the fault")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("pqsshd -r survived a fault that should take down its process")
	}
	if _, err := c.NewSession(); err == nil {
		t.Fatal("a session of the crashed single-process server still works")
	}
}

// TestMaxStartupsAcrossSessionProcesses: the listener counts connections
// served by session processes against MaxStartups until they
// authenticate (reported over the control socket) or end.
func TestMaxStartupsAcrossSessionProcesses(t *testing.T) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	_, addr, logs, _ := daemon(t, fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties no\nMaxStartups 1:100:1\n", kdir))
	// An unauthenticated connection holds the only slot.
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	idle.SetDeadline(time.Now().Add(30 * time.Second))
	if l, err := bufio.NewReader(idle).ReadString('\n'); err != nil || !strings.HasPrefix(l, "SSH-2.0-") {
		t.Fatalf("banner %q %v", l, err)
	}
	if c, err := dial(addr, me(t), key); err == nil {
		c.Close()
		t.Fatal("login admitted beyond MaxStartups 1")
	}
	waitFor(t, logs, "dropping connection: MaxStartups")
	idle.Close()
	// Its process ends and the listener gets the slot back.
	var c *gossh.Client
	for i := 0; ; i++ {
		if c, err = dial(addr, me(t), key); err == nil {
			break
		}
		if i > 100 {
			t.Fatalf("no login after the idle connection closed: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	defer c.Close()
	// An authenticated connection holds no slot.
	c2, err := dial(addr, me(t), key)
	if err != nil {
		t.Fatalf("second login while the first is authenticated: %v", err)
	}
	c2.Close()
}

// childrenNamed returns the processes with argv[0] name whose parent is
// pid.
func childrenNamed(t *testing.T, pid int, name string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(stat), ')')
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(pid) {
			continue
		}
		if isProgram(p, name) {
			out = append(out, p)
		}
	}
	return out
}

// TestPreauthRunsUnprivileged: while a client has not authenticated, its
// connection's transport and authentication run in a network process
// (pqsshd-auth) of the session process that, with pqsshd as root, runs as
// the privilege-separation user chrooted to /run/sshd with no new
// privileges; the session process (the monitor) stays root, and the
// session itself runs as the user.
func TestPreauthRunsUnprivileged(t *testing.T) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	cmd, addr, _, _ := daemon(t, fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties no\n", kdir))
	// A client that sent its version and nothing else: pre-authentication.
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	fmt.Fprintf(raw, "SSH-2.0-test\r\n")
	if _, err := bufio.NewReader(raw).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	sessions := sessionChildren(t, cmd.Process.Pid)
	if len(sessions) != 1 {
		t.Fatalf("session processes %v, want one", sessions)
	}
	nets := childrenNamed(t, sessions[0], server.NetArg0)
	if len(nets) != 1 {
		t.Fatalf("network processes of the session process %v, want one", nets)
	}
	uid, root, status := procIdentity(t, nets[0])
	if !strings.Contains(status, "NoNewPrivs:\t1") {
		t.Error("the network process may gain privileges")
	}
	if !strings.Contains(status, "Seccomp:\t2") {
		t.Error("the network process runs without the seccomp filter")
	}
	if os.Geteuid() == 0 {
		if uid == 0 || root != "/run/sshd" {
			t.Errorf("network process of a root pqsshd: uid %d root %q, want the privsep user in /run/sshd", uid, root)
		}
		if muid, _, _ := procIdentity(t, sessions[0]); muid != 0 {
			t.Errorf("session process (monitor) uid %d, want root", muid)
		}
	} else if uid != os.Getuid() {
		t.Errorf("network process uid %d", uid)
	}
	// What an administrator sees: ps shows the pre-authentication process
	// by its title, not as root.
	out, err := exec.Command("ps", "-o", "user=,args=", "-p", strconv.Itoa(nets[0])).Output()
	if err != nil {
		t.Fatalf("ps: %v", err)
	}
	t.Logf("ps: %s", out)
	if f := strings.Fields(string(out)); len(f) < 2 || !strings.HasPrefix(f[1], server.NetArg0) || os.Geteuid() == 0 && f[0] == "root" {
		t.Errorf("ps shows %q, want the unprivileged %s", out, server.NetArg0)
	}

	c, err := dial(addr, me(t), key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err = s.Output("id -un")
	if err != nil || strings.TrimSpace(string(out)) != me(t) {
		t.Fatalf("session user %q %v, want %s", out, err, me(t))
	}
}

// procIdentity returns a process's real uid, its root directory and its
// /proc status.
func procIdentity(t *testing.T, pid int) (uid int, root, status string) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	root, _ = os.Readlink(fmt.Sprintf("/proc/%d/root", pid))
	uid = -1
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Uid:"); ok {
			uid, _ = strconv.Atoi(strings.Fields(v)[0])
		}
	}
	return uid, root, string(b)
}

// TestPrivsepRekeyWhileRelaying: key re-exchanges after the login (the
// client's, forced here every 64 KiB, and so the network process's host-key
// signatures through the monitor's key socket) go on while the network
// process relays a session's data; data comes back intact.
func TestPrivsepRekeyWhileRelaying(t *testing.T) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	_, addr, logs, _ := daemon(t, fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties no\nRekeyLimit 64K\n", kdir))
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: me(t), Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
		Config: gossh.Config{RekeyThreshold: 64 << 10},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	downloadZeros(t, c, bulkSize)
	cs := startCat(t, c)
	cs.echo(t, "after many re-keyings")
	// The monitor's last line counts the bytes the network process saw.
	c.Close()
	wantBytesOut(t, logs, bulkSize)
}

// bulkSize is what downloadZeros moves in the re-keying tests.
const bulkSize = 4 << 20

// downloadZeros runs head -c size /dev/zero in a session of c and checks
// all of it came back.
func downloadZeros(t *testing.T, c *gossh.Client, size int) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Output(fmt.Sprintf("head -c %d /dev/zero", size))
	if err != nil || len(out) != size {
		t.Fatalf("%d bytes back (%v), want %d", len(out), err, size)
	}
}

// wantBytesOut waits for the "connection closed" line and checks it
// counts at least size bytes sent to the client.
func wantBytesOut(t *testing.T, logs *bufio.Reader, size int64) {
	t.Helper()
	line := waitFor(t, logs, `msg="connection closed"`)
	var out64 int64
	if i := strings.Index(line, "bytes_out="); i >= 0 {
		fmt.Sscanf(line[i:], "bytes_out=%d", &out64)
	}
	if out64 < size {
		t.Errorf("connection closed line %q: bytes_out below the %d bytes sent", line, size)
	}
}

// TestPrivsepUnusedConnectionTimeout: UnusedConnectionTimeout closes a
// connection without channels also when the monitor serves it after the
// network process handed the transport over.
func TestPrivsepUnusedConnectionTimeout(t *testing.T) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	_, addr, _, _ := daemon(t, fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties no\nUnusedConnectionTimeout 1s\n", kdir))
	c, err := dial(addr, me(t), key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("an unused connection is still open 20s after UnusedConnectionTimeout 1s")
	}
}

// TestSessionProcessOnOneProcessor: the per-connection process runs on one
// processor (connprocs.Limit) unless GOMAXPROCS is in pqsshd's
// environment, which it then keeps.
func TestSessionProcessOnOneProcessor(t *testing.T) {
	for _, tc := range []struct{ env, want string }{{"", "gomaxprocs=1"}, {"GOMAXPROCS=3", "gomaxprocs=3"}} {
		kdir := t.TempDir()
		key := clientKey(t, kdir)
		_, addr, logs, _ := daemonWith(t, fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties no\nLogLevel DEBUG\n", kdir), func(cmd *exec.Cmd) {
			env := slices.DeleteFunc(cmd.Env, func(kv string) bool { return strings.HasPrefix(kv, "GOMAXPROCS=") })
			if tc.env != "" {
				env = append(env, tc.env)
			}
			cmd.Env = env
		})
		c, err := dial(addr, me(t), key)
		if err != nil {
			t.Fatal(err)
		}
		if l := waitFor(t, logs, `msg="session process" gomaxprocs=`); !strings.Contains(l, tc.want) {
			t.Errorf("environment %q: %s; want %s", tc.env, strings.TrimSpace(l), tc.want)
		}
		c.Close()
	}
}
