package userproc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	Main()
	os.Exit(m.Run())
}

func startHelper(t *testing.T) *Helper {
	t.Helper()
	h, err := Start(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// echo serves l, echoing each connection, and reports each accepted
// connection on the returned channel.
func echo(t *testing.T, l net.Listener) <-chan net.Conn {
	t.Helper()
	accepted := make(chan net.Conn, 16)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return accepted
}

func roundTrip(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4)
	if _, err := io.ReadFull(c, b); err != nil || string(b) != "ping" {
		t.Fatalf("echo: %q %v", b, err)
	}
}

func peerPID(t *testing.T, c net.Conn) int32 {
	t.Helper()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var cred *syscall.Ucred
	raw.Control(func(fd uintptr) {
		cred, err = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if err != nil {
		t.Fatal(err)
	}
	return cred.Pid
}

func TestDialIsMadeByHelper(t *testing.T) {
	h := startHelper(t)
	path := filepath.Join(t.TempDir(), "s.sock")
	ul, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	accepted := echo(t, ul)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := h.Dial(ctx, "unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrip(t, c)
	if pid := peerPID(t, <-accepted); int(pid) != h.Pid() {
		t.Fatalf("unix connection made by pid %d, helper is %d", pid, h.Pid())
	}

	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	echo(t, tl)
	tc, err := h.Dial(ctx, "tcp", tl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if _, ok := tc.(*net.TCPConn); !ok {
		t.Fatalf("tcp dial gave %T", tc)
	}
	roundTrip(t, tc)

	// A refused connection is an error, not a hang.
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := dead.Addr().String()
	dead.Close()
	if _, err := h.Dial(ctx, "tcp", addr); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("dial to a closed port: %v", err)
	}
}

func TestListenUnix(t *testing.T) {
	h := startHelper(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "r.sock")
	ctx := context.Background()
	l, err := h.Listen(ctx, "unix", path, ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v, want srw-------", fi.Mode())
	}
	if l.Addr().String() != path {
		t.Fatalf("Addr %v", l.Addr())
	}
	accepted := echo(t, l)
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	// The listener (and so what a client's SO_PEERCRED reports) is the
	// helper's, and so is the accepted connection.
	if pid := peerPID(t, c); int(pid) != h.Pid() {
		t.Fatalf("listener belongs to pid %d, helper is %d", pid, h.Pid())
	}
	roundTrip(t, c)
	c.Close()
	<-accepted

	// A second listen on the same path fails unless UnlinkFirst.
	if _, err := h.Listen(ctx, "unix", path, ListenOptions{}); err == nil {
		t.Fatal("listen on an existing socket succeeded")
	}
	l.Close()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket file left after Close: %v", err)
	}
	stale, _ := net.Listen("unix", path)
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()
	l2, err := h.Listen(ctx, "unix", path, ListenOptions{UnlinkFirst: true})
	if err != nil {
		t.Fatalf("UnlinkFirst over a stale socket: %v", err)
	}
	l2.Close()
	// UnlinkFirst removes sockets only.
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("x"), 0o600)
	if _, err := h.Listen(ctx, "unix", plain, ListenOptions{UnlinkFirst: true}); err == nil {
		t.Fatal("UnlinkFirst replaced a regular file")
	}
	if _, err := os.Stat(plain); err != nil {
		t.Fatal("UnlinkFirst removed a regular file")
	}
}

func TestListenPrivateDir(t *testing.T) {
	for _, o := range []Opener{Local{}, startHelper(t)} {
		l, err := o.Listen(context.Background(), "unix", "agent.1", ListenOptions{PrivateDir: filepath.Join(t.TempDir(), "ssh-*")})
		if err != nil {
			t.Fatal(err)
		}
		path := l.Addr().String()
		dir := filepath.Dir(path)
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 || !fi.IsDir() {
			t.Fatalf("%T: private dir %v %v", o, fi.Mode(), err)
		}
		if fi, err := os.Lstat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%T: socket %v %v", o, fi.Mode(), err)
		}
		l.Close()
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%T: private dir left after Close: %v", o, err)
		}
		if _, err := o.Listen(context.Background(), "unix", "../x", ListenOptions{PrivateDir: "/tmp/ssh-*"}); err == nil {
			t.Fatalf("%T: path in private dir accepted", o)
		}
	}
}

func TestAbstractPathsRefused(t *testing.T) {
	name := "pqssh-userproc-test-" + filepath.Base(t.TempDir())
	al, err := net.Listen("unix", "@"+name)
	if err != nil {
		t.Fatal(err)
	}
	echo(t, al)
	h := startHelper(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, o := range []Opener{Local{}, h} {
		for _, p := range []string{"@" + name, "\x00" + name, "/tmp/a\x00b"} {
			if c, err := o.Dial(ctx, "unix", p); err == nil {
				c.Close()
				t.Errorf("%T: dial %q succeeded", o, p)
			}
			if l, err := o.Listen(ctx, "unix", p, ListenOptions{}); err == nil {
				l.Close()
				t.Errorf("%T: listen %q succeeded", o, p)
			}
		}
	}
	// The helper checks too, whatever the daemon's side lets through.
	_, fds, err := h.roundTrip(ctx, request{Op: opDial, Network: "unix", Address: "@" + name, TimeoutMS: 1000}, time.Second)
	closeDescriptors(fds)
	if err == nil || !strings.Contains(err.Error(), "abstract") {
		t.Fatalf("helper asked directly to dial an abstract socket: %v", err)
	}
}

func TestCloseEndsHelper(t *testing.T) {
	// A descriptor the daemon leaked without close-on-exec must not
	// reach the helper.
	leak, err := syscall.Open("/dev/null", syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(leak)
	h, err := Start(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.sock")
	if _, err := h.Listen(context.Background(), "unix", path, ListenOptions{}); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir("/proc/" + strconv.Itoa(h.Pid()) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		target, _ := os.Readlink("/proc/" + strconv.Itoa(h.Pid()) + "/fd/" + e.Name())
		switch {
		case e.Name() == "0" || e.Name() == "1" || e.Name() == "2":
			if target != "/dev/null" {
				t.Errorf("helper fd %s is %s", e.Name(), target)
			}
		case strings.HasPrefix(target, "socket:"), strings.HasPrefix(target, "anon_inode:"):
		default:
			t.Errorf("helper has fd %s: %s", e.Name(), target)
		}
	}
	if comm, _ := os.ReadFile("/proc/" + strconv.Itoa(h.Pid()) + "/comm"); strings.TrimSpace(string(comm)) != helperArg0 {
		t.Errorf("helper process name %q", comm)
	}
	h.Close()
	if _, err := os.Stat("/proc/" + strconv.Itoa(h.Pid())); err == nil {
		t.Fatal("helper process still exists after Close")
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("listening socket left behind: %v", err)
	}
	if _, err := h.Dial(context.Background(), "tcp", "127.0.0.1:1"); !errors.Is(err, ErrHelperGone) {
		t.Fatalf("dial after Close: %v", err)
	}
}

// fakeHelper is a misbehaving helper: the test writes its replies.
func fakeHelper(t *testing.T) (*Helper, *net.UnixConn, *bytes.Buffer) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "x")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		return c.(*net.UnixConn)
	}
	logs := &bytes.Buffer{}
	peer := conn(fds[1])
	h := newHelper(conn(fds[0]), 0, func() { peer.Close() }, slog.New(slog.NewTextHandler(logs, nil)))
	close(h.exited)
	t.Cleanup(func() { h.Close(); peer.Close() })
	return h, peer, logs
}

// readRequest reads the fake helper's next request.
func readRequest(t *testing.T, c *net.UnixConn) request {
	b := make([]byte, maxMessage)
	n, _, _, _, err := c.ReadMsgUnix(b, nil)
	if err != nil {
		t.Error(err)
		return request{}
	}
	var r request
	json.Unmarshal(b[:n], &r)
	return r
}

func send(c *net.UnixConn, v any, fds ...int) {
	b, _ := json.Marshal(v)
	var oob []byte
	if len(fds) > 0 {
		oob = syscall.UnixRights(fds...)
	}
	c.WriteMsgUnix(b, oob, nil)
}

func TestMisbehavingHelper(t *testing.T) {
	ctx := func() context.Context {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		t.Cleanup(cancel)
		return c
	}
	t.Run("no descriptor", func(t *testing.T) {
		h, peer, _ := fakeHelper(t)
		go func() { r := readRequest(t, peer); send(peer, reply{ID: r.ID}) }()
		if _, err := h.Dial(ctx(), "tcp", "127.0.0.1:1"); err == nil || !strings.Contains(err.Error(), "0 descriptors") {
			t.Fatalf("reply without a descriptor: %v", err)
		}
	})
	t.Run("wrong descriptor", func(t *testing.T) {
		h, peer, _ := fakeHelper(t)
		var p [2]int
		syscall.Pipe2(p[:], syscall.O_CLOEXEC)
		defer syscall.Close(p[0])
		defer syscall.Close(p[1])
		go func() { r := readRequest(t, peer); send(peer, reply{ID: r.ID}, p[0]) }()
		if _, err := h.Dial(ctx(), "tcp", "127.0.0.1:1"); err == nil {
			t.Fatal("a pipe was accepted as a connection")
		}
		go func() { r := readRequest(t, peer); send(peer, reply{ID: r.ID}, p[0], p[1]) }()
		if _, err := h.Dial(ctx(), "tcp", "127.0.0.1:1"); err == nil || !strings.Contains(err.Error(), "2 descriptors") {
			t.Fatalf("two descriptors: %v", err)
		}
		// A Unix socket for a TCP request.
		ul, _ := net.Listen("unix", filepath.Join(t.TempDir(), "u"))
		defer ul.Close()
		uc, _ := net.Dial("unix", ul.Addr().String())
		defer uc.Close()
		f, _ := uc.(*net.UnixConn).File()
		defer f.Close()
		ufd := int(f.Fd())
		go func() { r := readRequest(t, peer); send(peer, reply{ID: r.ID}, ufd) }()
		if c, err := h.Dial(ctx(), "tcp", "127.0.0.1:1"); err == nil {
			c.Close()
			t.Fatal("a Unix socket was accepted for a TCP dial")
		}
	})
	t.Run("oversized reply", func(t *testing.T) {
		h, peer, logs := fakeHelper(t)
		go func() {
			r := readRequest(t, peer)
			peer.WriteMsgUnix([]byte(`{"id":`+strconv.FormatUint(r.ID, 10)+`,"err":"`+strings.Repeat("x", 2*maxMessage)+`"}`), nil, nil)
		}()
		if _, err := h.Dial(ctx(), "tcp", "127.0.0.1:1"); !errors.Is(err, ErrHelperGone) {
			t.Fatalf("oversized reply: %v", err)
		}
		<-h.Done()
		if !strings.Contains(logs.String(), "oversized reply") {
			t.Fatalf("no log line: %s", logs)
		}
	})
	t.Run("malformed reply", func(t *testing.T) {
		h, peer, logs := fakeHelper(t)
		go func() { readRequest(t, peer); peer.WriteMsgUnix([]byte("{not json"), nil, nil) }()
		if _, err := h.Dial(ctx(), "tcp", "127.0.0.1:1"); !errors.Is(err, ErrHelperGone) {
			t.Fatalf("malformed reply: %v", err)
		}
		if !strings.Contains(logs.String(), "malformed reply") {
			t.Fatalf("no log line: %s", logs)
		}
	})
	t.Run("silent", func(t *testing.T) {
		h, peer, _ := fakeHelper(t)
		go readRequest(t, peer)
		start := time.Now()
		c, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		if _, err := h.Dial(c, "tcp", "127.0.0.1:1"); err == nil || time.Since(start) > 3*time.Second {
			t.Fatalf("silent helper: %v after %v", err, time.Since(start))
		}
	})
	t.Run("exits", func(t *testing.T) {
		h, peer, _ := fakeHelper(t)
		go func() { readRequest(t, peer); peer.Close() }()
		if _, err := h.Dial(ctx(), "tcp", "127.0.0.1:1"); !errors.Is(err, ErrHelperGone) {
			t.Fatalf("helper that exits: %v", err)
		}
	})
	t.Run("invented reply", func(t *testing.T) {
		h, peer, _ := fakeHelper(t)
		go func() {
			r := readRequest(t, peer)
			send(peer, reply{ID: r.ID + 100, Err: "nobody asked"})
			send(peer, reply{ID: r.ID, Err: "refused"})
		}()
		if _, err := h.Dial(ctx(), "tcp", "127.0.0.1:1"); err == nil || err.Error() != "refused" {
			t.Fatalf("got %v", err)
		}
	})
}

// A reply that should carry no descriptor but does (here to a close) must
// not leave it open in the daemon: a user driving their own helper could
// otherwise exhaust the daemon's descriptors, 4 per close.
func TestDescriptorInCloseReplyIsClosed(t *testing.T) {
	h, peer, logs := fakeHelper(t)
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(p[0])
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := readRequest(t, peer)
		send(peer, reply{ID: r.ID, Listener: 7, Address: "127.0.0.1:5555"})
		r = readRequest(t, peer)
		if r.Op != opClose {
			t.Errorf("request %q, want close", r.Op)
		}
		send(peer, reply{ID: r.ID}, p[1], p[1], p[1], p[1])
	}()
	l, err := h.Listen(context.Background(), "tcp", "127.0.0.1:5555", ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	<-done
	syscall.Close(p[1])
	// With every copy of the write end closed, the read end sees EOF; a
	// copy left in this (the daemon's) process makes it EAGAIN.
	var b [1]byte
	if n, err := syscall.Read(p[0], b[:]); n != 0 || err != nil {
		t.Fatalf("the daemon kept the descriptors of a close reply (read: %d, %v)", n, err)
	}
	<-h.Done()
	if !strings.Contains(logs.String(), "descriptor in a reply to close") {
		t.Fatalf("no log line: %s", logs)
	}
}

// Close returns, and the helper is unusable, even when the killed helper
// is never reaped (a user's ptrace of their own helper keeps its zombie
// from the daemon): it must not hang the connection's teardown.
func TestCloseDoesNotWaitForeverForReaping(t *testing.T) {
	defer func(d time.Duration) { exitTimeout = d }(exitTimeout)
	exitTimeout = 100 * time.Millisecond
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fds[0]), "x")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fds[1])
	h := newHelper(c.(*net.UnixConn), 0, func() {}, slog.New(slog.DiscardHandler)) // exited never closes
	closed := make(chan struct{})
	go func() { h.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waits for a helper that is never reaped")
	}
	select {
	case <-h.Done():
	default:
		t.Fatal("helper still usable after Close")
	}
}

// A helper that stops answering (the user may SIGSTOP their own) is
// killed at its first request that times out, so the connection's other
// requests and its teardown (one close per listener, up to the forwarding
// limit) fail at once instead of each waiting out its own timeout.
func TestUnansweredRequestStopsHelper(t *testing.T) {
	defer func(d time.Duration) { requestTimeout = d }(requestTimeout)
	requestTimeout = 100 * time.Millisecond
	h, peer, logs := fakeHelper(t)
	go readRequest(t, peer) // and never answer
	if _, err := h.Listen(context.Background(), "tcp", "127.0.0.1:0", ListenOptions{}); err == nil {
		t.Fatal("listen answered by nobody succeeded")
	}
	select {
	case <-h.Done():
	default:
		t.Fatal("a helper that did not answer in time is still in use")
	}
	if _, err := h.Listen(context.Background(), "tcp", "127.0.0.1:0", ListenOptions{}); !errors.Is(err, ErrHelperGone) {
		t.Fatalf("request to a stopped helper: %v, want ErrHelperGone", err)
	}
	if !strings.Contains(logs.String(), "no answer to listen") {
		t.Errorf("no log line for the unanswered request:\n%s", logs)
	}
}
