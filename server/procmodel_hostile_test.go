package server

import (
	"encoding/json"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// hostileLink is a fake session process: the other end of a control
// socket the listener's serveLink serves for a connection of s.
type hostileLink struct {
	t      *testing.T
	c      *net.UnixConn
	st     *connState
	done   chan bool // serveLink's result
	killed chan struct{}
}

func newHostileLink(t *testing.T, s *Server) *hostileLink {
	t.Helper()
	return newLinkFrom(t, s, os.Getpid())
}

// newLinkFrom is newHostileLink for a listener that takes monitor as the
// session process's pid: the test process's messages come from the
// session process when monitor is os.Getpid(), else from another process
// of the connection (its network process).
func newLinkFrom(t *testing.T, s *Server, monitor int) *hostileLink {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "control")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		return c.(*net.UnixConn)
	}
	if err := syscall.SetsockoptInt(fds[0], syscall.SOL_SOCKET, syscall.SO_PASSCRED, 1); err != nil {
		t.Fatal(err)
	}
	listener, session := conn(fds[0]), conn(fds[1])
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	st, log := s.newConnState(&addrConn{Conn: a})
	st.block = "127.0.0.0/32"
	h := &hostileLink{t: t, c: session, st: st, done: make(chan bool, 1), killed: make(chan struct{})}
	go func() {
		ended := s.serveLink(st, listener, monitor, func() { close(h.killed) }, log)
		listener.Close()
		h.done <- ended
	}()
	t.Cleanup(func() { session.Close() })
	return h
}

// addrConn gives a net.Pipe end a TCP peer address.
type addrConn struct{ net.Conn }

func (addrConn) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (addrConn) LocalAddr() net.Addr  { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 22} }

func (h *hostileLink) send(m any, oob []byte) {
	h.t.Helper()
	b, _ := json.Marshal(m)
	if _, _, err := h.c.WriteMsgUnix(b, oob, nil); err != nil {
		h.t.Fatalf("send: %v", err)
	}
}

func (h *hostileLink) reply() procReply {
	h.t.Helper()
	buf := make([]byte, maxProcMessage)
	h.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := h.c.Read(buf)
	if err != nil {
		h.t.Fatalf("no reply: %v", err)
	}
	var r procReply
	if err := json.Unmarshal(buf[:n], &r); err != nil {
		h.t.Fatal(err)
	}
	return r
}

func openFDs(t *testing.T) int {
	t.Helper()
	e, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(e)
}

// wait returns serveLink's result and whether the listener killed the
// process.
func (h *hostileLink) wait() (ended, killed bool) {
	h.t.Helper()
	select {
	case ended = <-h.done:
	case <-time.After(20 * time.Second):
		h.t.Fatal("the listener still serves a link it should have dropped")
	}
	select {
	case <-h.killed:
		killed = true
	default:
	}
	return ended, killed
}

// TestSessionProcessKexReservations: what a session process may reserve
// from the listener's UnauthenticatedKexMemory is what an honest one
// reserves: one key exchange's cost (kexCost of the largest method) at a
// time. One asking for a second reservation while it holds one, or for more
// than the largest cost, is killed and its reservation returned; one
// releasing what it does not hold takes nothing from another connection.
func TestSessionProcessKexReservations(t *testing.T) {
	e := startServer(t, "", "UnauthenticatedKexMemory 64M\nPerSourceKexMemory none")
	s := e.srv
	largest := maxKexCost()
	if largest <= 0 || largest > 8<<20 {
		t.Fatalf("largest key-exchange cost %d", largest)
	}
	used := func() int64 { u, _, _ := s.KexMemory(); return u }

	h := newHostileLink(t, s)
	h.send(procReport{ID: 1, Op: opKexReserve, N: largest}, nil)
	if !h.reply().OK {
		t.Fatal("a first reservation of the largest cost was refused")
	}
	other := newHostileLink(t, s)
	other.send(procReport{Op: opKexRelease, N: largest}, nil)
	other.send(procReport{ID: 1, Op: opKexRoom, N: 1}, nil)
	other.reply()
	if u := used(); u != largest {
		t.Fatalf("after another connection released what it did not hold: %d reserved, want %d", u, largest)
	}
	h.send(procReport{ID: 2, Op: opKexReserve, N: largest}, nil)
	if _, killed := h.wait(); !killed {
		t.Error("a second reservation while holding one did not kill the session process")
	}
	if u := used(); u != 0 {
		t.Errorf("%d bytes still reserved after the hostile link ended, want 0", u)
	}

	h = newHostileLink(t, s)
	h.send(procReport{ID: 1, Op: opKexReserve, N: largest + 1}, nil)
	if _, killed := h.wait(); !killed {
		t.Error("a reservation above the largest key exchange's cost did not kill the session process")
	}
	if u := used(); u != 0 {
		t.Errorf("%d bytes reserved after an oversized request, want 0", u)
	}
}

// TestSessionProcessDescriptorsDropped: descriptors a session process
// passes (SCM_RIGHTS) with its messages are not kept by the listener.
func TestSessionProcessDescriptorsDropped(t *testing.T) {
	e := startServer(t, "", "")
	h := newHostileLink(t, e.srv)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	before := openFDs(t)
	for i := range 50 {
		h.send(procReport{ID: uint64(i + 1), Op: opKexRoom, N: 1}, syscall.UnixRights(int(r.Fd()), int(w.Fd())))
		h.reply()
	}
	r.Close()
	w.Close()
	if after := openFDs(t); after > before-2 {
		t.Errorf("%d descriptors open after 50 messages carrying two each, %d before (less the two closed)", after, before)
	}
}

// TestSessionProcessReportsKexCrash: a session process whose kex sandbox
// crashed says so, and the listener marks the connection crashed (its
// source gets PerSourcePenalties' crash when it ends); the other reports
// do not.
func TestSessionProcessReportsKexCrash(t *testing.T) {
	e := startServer(t, "", "")
	for _, tc := range []struct {
		op      string
		crashed bool
	}{{opCrash, true}, {opFail, false}, {opGrace, false}} {
		h := newHostileLink(t, e.srv)
		h.send(procReport{Op: tc.op}, nil)
		h.send(procReport{Op: opEnd}, nil)
		h.c.Close()
		if ended, killed := h.wait(); !ended || killed {
			t.Fatalf("%s: ended %v killed %v", tc.op, ended, killed)
		}
		h.st.mu.Lock()
		got := h.st.crashed
		h.st.mu.Unlock()
		if got != tc.crashed {
			t.Errorf("after %q the connection is crashed=%v, want %v", tc.op, got, tc.crashed)
		}
	}
}

// TestOnlyTheMonitorReportsLogins: the network process (pqsshd-auth, the
// unprivileged process that parses what the client sends) holds a copy of
// the listener's control socket for its key-exchange reservations. The
// listener takes "authenticated" and "ended" from the session process (the
// monitor) only, by the sender's pid the kernel attaches (SO_PASSCRED): a
// subverted network process claiming a login would otherwise free its
// MaxStartups slot and escape PerSourcePenalties (crash included), and one
// claiming a normal end would hide a crash. It is killed instead; its
// reservations, failures and LoginGraceTime reports are taken.
func TestOnlyTheMonitorReportsLogins(t *testing.T) {
	e := startServer(t, "", "")
	s := e.srv
	authed := func(h *hostileLink) bool {
		h.st.mu.Lock()
		defer h.st.mu.Unlock()
		return h.st.authed
	}
	for _, op := range []string{opAuth, opEnd} {
		net := newLinkFrom(t, s, os.Getpid()+1_000_000)
		net.send(procReport{ID: 1, Op: opKexRoom, N: 1}, nil)
		net.reply()
		net.send(procReport{Op: opFail}, nil)
		net.send(procReport{Op: op, User: "root"}, nil)
		ended, killed := net.wait()
		if !killed || ended || authed(net) {
			t.Errorf("%q from a process other than the monitor: killed %v, ended %v, authenticated %v; want killed only", op, killed, ended, authed(net))
		}
		net.st.mu.Lock()
		failures := net.st.failures
		net.st.mu.Unlock()
		if failures != 1 {
			t.Errorf("the network process's failure report: %d failures, want 1", failures)
		}
	}
	mon := newLinkFrom(t, s, os.Getpid())
	mon.send(procReport{Op: opAuth, User: "someone"}, nil)
	mon.send(procReport{Op: opEnd}, nil)
	mon.c.Close()
	if ended, killed := mon.wait(); !ended || killed || !authed(mon) {
		t.Errorf("the monitor's reports: ended %v, killed %v, authenticated %v; want ended and authenticated", ended, killed, authed(mon))
	}
}
