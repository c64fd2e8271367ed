//go:build root

package server

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// The tests in this file check that every socket a user's forwarding
// opens belongs to the user: what a peer learns through SO_PEERCRED, the
// owner the kernel records for TCP sockets (/proc/net/tcp, ss -e,
// iptables -m owner), and the files of listening Unix sockets.

// forwardingUser creates a test account that may log in to a new server.
func forwardingUser(t *testing.T, extra string) (*testEnv, *account, *gossh.Client) {
	t.Helper()
	needRoot(t)
	name, _ := testAccount(t)
	a, err := lookupAccount(name)
	if err != nil {
		t.Fatal(err)
	}
	e := startServer(t, "", extra)
	e.authorizeHome(name, "", e.key.PublicKey())
	c, err := e.dial(name, e.key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return e, a, c
}

// sharedDir is a sticky, world-writable directory (as /tmp) outside the
// root-only test temporary directories.
func sharedDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("/run", "pqsshd-fwd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	os.Chmod(d, 0o1777)
	return d
}

// peerCred returns SO_PEERCRED of a Unix connection: for an accepted
// connection the connecting process, for a connecting one the process
// that called listen.
func peerCred(t *testing.T, c net.Conn) *syscall.Ucred {
	t.Helper()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var cred *syscall.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	return cred
}

// acceptOne serves l, echoing, and returns each accepted connection.
func acceptOne(t *testing.T, l net.Listener) <-chan net.Conn {
	t.Helper()
	ch := make(chan net.Conn, 4)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			ch <- c
		}
	}()
	return ch
}

func accepted(t *testing.T, ch <-chan net.Conn) net.Conn {
	t.Helper()
	select {
	case c := <-ch:
		t.Cleanup(func() { c.Close() })
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no connection arrived")
		return nil
	}
}

// tcpOwners returns the uid column of the /proc/net/tcp{,6} rows with
// the given local and (if non-zero) remote ports, and state ("0A" for
// listening, "" for any).
func tcpOwners(t *testing.T, localPort, remotePort int, state string) []int {
	t.Helper()
	var uids []int
	for _, p := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) < 8 {
				continue
			}
			port := func(addr string) int {
				_, hex, _ := strings.Cut(addr, ":")
				n, _ := strconv.ParseInt(hex, 16, 32)
				return int(n)
			}
			if port(fs[1]) != localPort || (remotePort != 0 && port(fs[2]) != remotePort) || (state != "" && fs[3] != state) {
				continue
			}
			uid, _ := strconv.Atoi(fs[7])
			uids = append(uids, uid)
		}
		f.Close()
	}
	if len(uids) == 0 {
		t.Fatalf("no TCP socket with local port %d, remote port %d, state %q", localPort, remotePort, state)
	}
	return uids
}

func checkOwners(t *testing.T, what string, uids []int, want int) {
	t.Helper()
	for _, u := range uids {
		if u != want {
			t.Errorf("%s belongs to uid %d, want the user's %d", what, u, want)
		}
	}
}

func TestLocalUnixForwardingConnectsAsUser(t *testing.T) {
	_, a, c := forwardingUser(t, "")
	sock := filepath.Join(sharedDir(t), "service.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(sock, 0o666)
	conns := acceptOne(t, l)
	d, err := c.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	cred := peerCred(t, accepted(t, conns))
	if int(cred.Uid) != a.UID || int(cred.Gid) != a.GID {
		t.Fatalf("the service sees uid=%d gid=%d, want the user's uid=%d gid=%d", cred.Uid, cred.Gid, a.UID, a.GID)
	}
}

func TestLocalTCPForwardingConnectsAsUser(t *testing.T) {
	_, a, c := forwardingUser(t, "")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := acceptOne(t, l)
	d, err := c.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	in := accepted(t, conns)
	// The forwarded connection's own end: its local port is the remote
	// port the destination sees.
	checkOwners(t, "the forwarded TCP connection", tcpOwners(t, in.RemoteAddr().(*net.TCPAddr).Port, l.Addr().(*net.TCPAddr).Port, ""), a.UID)
}

func TestRemoteTCPForwardingListensAsUser(t *testing.T) {
	_, a, c := forwardingUser(t, "")
	rl, err := c.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	echoServer(t, rl)
	port := rl.Addr().(*net.TCPAddr).Port
	checkOwners(t, "the remote-forwarding listener", tcpOwners(t, port, 0, "0A"), a.UID)
	in, err := net.Dial("tcp", rl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	// The accepted end, seen from pqsshd's side.
	checkOwners(t, "the accepted remote-forwarded connection", tcpOwners(t, port, in.LocalAddr().(*net.TCPAddr).Port, ""), a.UID)
	roundTrip(t, in)
}

func TestRemoteUnixForwardingSocketIsUsers(t *testing.T) {
	_, a, c := forwardingUser(t, "")
	sock := filepath.Join(sharedDir(t), "remote.sock")
	rl, err := c.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	echoServer(t, rl)
	fi, err := os.Lstat(sock)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 || int(st.Uid) != a.UID {
		t.Errorf("remote-forwarded socket: mode %v owned by uid %d, want a socket with mode %v owned by %d", fi.Mode(), st.Uid, os.FileMode(0o600), a.UID)
	}
	// Root may connect in spite of the mode; the listener's credentials
	// are the user's.
	in, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	if cred := peerCred(t, in); int(cred.Uid) != a.UID || int(cred.Gid) != a.GID {
		t.Fatalf("a client of the forwarded socket sees uid=%d gid=%d, want %d/%d", cred.Uid, cred.Gid, a.UID, a.GID)
	}
	roundTrip(t, in)
}

func TestForwardedAgentSocketIsUsers(t *testing.T) {
	_, a, c := forwardingUser(t, "")
	if err := agent.ForwardToAgent(c, agent.NewKeyring()); err != nil {
		t.Fatal(err)
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := agent.RequestAgentForwarding(s); err != nil {
		t.Fatal(err)
	}
	out, _ := s.StdoutPipe()
	if err := s.Start(`echo "$SSH_AUTH_SOCK"; sleep 30`); err != nil {
		t.Fatal(err)
	}
	sock, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	sock = strings.TrimSpace(sock)
	for _, p := range []string{sock, filepath.Dir(sock)} {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		want := os.FileMode(0o600)
		if p != sock {
			want = 0o700
		}
		if int(st.Uid) != a.UID || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v uid %d, want mode %v owned by %d", p, fi.Mode(), st.Uid, want, a.UID)
		}
	}
	in, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if cred := peerCred(t, in); int(cred.Uid) != a.UID {
		t.Fatalf("agent socket listener has uid %d, want the user's %d", cred.Uid, a.UID)
	}
}

// socketHelpers returns the pids of this process's socket helpers for a
// (by home directory: test accounts' uids are reused, and helpers of
// earlier tests' connections may still be exiting), running as a's uid.
func socketHelpers(a *account) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		status, _ := os.ReadFile("/proc/" + e.Name() + "/status")
		if !strings.HasPrefix(string(cmdline), "pqsshd-userproc\x00"+a.Home+"\x00") ||
			!strings.Contains(string(status), "\nPPid:\t"+strconv.Itoa(os.Getpid())+"\n") ||
			!strings.Contains(string(status), "\nUid:\t"+strconv.Itoa(a.UID)+"\t") {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

func TestSocketHelperRunsAsUserAndEndsWithConnection(t *testing.T) {
	_, a, c := forwardingUser(t, "")
	if pids := socketHelpers(a); len(pids) != 0 {
		t.Fatalf("socket helper %v started before any forwarding", pids)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	echoServer(t, l)
	d, err := c.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, d)
	pids := socketHelpers(a)
	if len(pids) != 1 {
		t.Fatalf("want one socket helper running as uid %d, found %v", a.UID, pids)
	}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pids[0]) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string][]string{}
	for _, line := range strings.Split(string(status), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[k] = strings.Fields(v)
		}
	}
	u, g := strconv.Itoa(a.UID), strconv.Itoa(a.GID)
	if strings.Join(fields["Uid"], " ") != strings.Repeat(u+" ", 3)+u || strings.Join(fields["Gid"], " ") != strings.Repeat(g+" ", 3)+g {
		t.Errorf("helper Uid %v Gid %v, want the user's %s/%s (real, effective, saved, fs)", fields["Uid"], fields["Gid"], u, g)
	}
	var want []string
	for _, gid := range a.Groups {
		want = append(want, strconv.Itoa(gid))
	}
	got := fields["Groups"]
	if len(got) != len(want) {
		t.Errorf("helper Groups %v, want %v", got, want)
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("helper Groups %v lack %s", got, w)
		}
	}
	if caps := fields["CapEff"]; len(caps) != 1 || strings.Trim(caps[0], "0") != "" {
		t.Errorf("helper has capabilities %v", caps)
	}
	// The user must not be able to debug their helper (ptrace, or take its
	// socket to the daemon with pidfd_getfd) and so answer the daemon in
	// its place: the helper is not dumpable, so reading its environment,
	// which needs the same access as ptrace, is refused to the user, and
	// the kernel gives its /proc entries to root.
	pid := strconv.Itoa(pids[0])
	peek := exec.Command("cat", "/proc/"+pid+"/environ")
	peek.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(a.UID), Gid: uint32(a.GID)}}
	if out, err := peek.CombinedOutput(); err == nil {
		t.Errorf("the user can read their helper's /proc/%s/environ (%q): the helper is debuggable by the user", pid, out)
	}
	if fi, err := os.Stat("/proc/" + pid + "/fd"); err != nil {
		t.Error(err)
	} else if owner := fi.Sys().(*syscall.Stat_t).Uid; owner != 0 {
		t.Errorf("helper's /proc/%s/fd belongs to uid %d, want root (not dumpable)", pid, owner)
	}
	c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for len(socketHelpers(a)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("socket helper %v still running after the connection closed", socketHelpers(a))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSocketHelperDeathIsSurvived: a helper that dies (the user may kill
// their own process) fails what it was doing with a log line, never the
// daemon, and the next forwarding request starts a new one.
func TestSocketHelperDeathIsSurvived(t *testing.T) {
	e, a, c := forwardingUser(t, "")
	host, port := echoTarget(t)
	target := net.JoinHostPort(host, strconv.Itoa(port))
	d, err := c.Dial("tcp", target)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, d)
	rl, err := c.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	pids := socketHelpers(a)
	if len(pids) != 1 {
		t.Fatalf("helpers %v", pids)
	}
	syscall.Kill(pids[0], syscall.SIGKILL)
	e.logs.waitLog(t, "forwarding listener failed")
	d, err = c.Dial("tcp", target)
	if err != nil {
		t.Fatalf("forwarding after the helper died: %v", err)
	}
	roundTrip(t, d)
	e.logs.waitLog(t, "user socket helper is gone; starting a new one")
	if _, _, err := c.SendRequest("keepalive@openssh.com", true, nil); err != nil {
		t.Fatalf("connection unusable: %v", err)
	}
}
