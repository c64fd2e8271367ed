package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"os"
	"os/exec"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/pqssh/pqssh/kex"
	"github.com/pqssh/pqssh/server/kexsandbox"
	gossh "golang.org/x/crypto/ssh"
)

// Per-connection processes, as OpenSSH's sshd hands each connection to a
// fresh sshd-session: with SetSessionProcess, the listening pqsshd (the
// listener) accepts a connection, applies PerSourcePenalties,
// PerSourceMaxStartups and MaxStartups, and starts its own executable
// again as a session process (argv[0] SessionArg0) that serves that one
// connection — key exchange, authentication, sessions, forwarding — and
// exits when it ends. The listener passes the TCP socket at descriptor 3
// and its end of a SOCK_SEQPACKET control socket at descriptor 4, then
// closes its copy of the connection.
//
// The listener keeps the accounting that spans connections: the session
// process reports over the control socket when it authenticates (the
// MaxStartups slot is given back), each failed attempt and a LoginGraceTime
// timeout (for PerSourcePenalties when it ends), and asks the listener's
// UnauthenticatedKexMemory budget (with PerSourceKexMemory) before a large
// key exchange. Everything a session process says is untrusted: messages
// are size-bounded, a connection holds at most one reservation of at most
// the largest key exchange's cost and only ever releases what it holds, and a process that sends anything malformed is
// killed. When the control socket reaches end-of-file (the process exited,
// crashed or was killed) the listener releases whatever the connection
// still held and records its penalty.
//
// A session process does not depend on the listener once started: a
// listener that exits (SIGTERM) or re-executes itself (SIGHUP) leaves the
// established sessions running, as sshd's do.

// SessionArg0 is argv[0] of a session process.
const SessionArg0 = "pqsshd-session"

// SessionProcessEnv marks a session process's environment.
const SessionProcessEnv = "PQSSHD_SESSION_PROCESS"

// Descriptors of a session process: the connection and the control socket.
const (
	SessionConnFD    = 3
	SessionControlFD = 4
)

// SessionProcess says how the listener starts a session process.
type SessionProcess struct {
	// Path is the executable (the running one: /proc/self/exe).
	Path string
	// Args are the arguments after argv[0] (SessionArg0).
	Args []string
	// Env is the environment (SessionProcessEnv is added).
	Env []string
	// Stderr is the process's standard error (nil: /dev/null).
	Stderr *os.File
}

// SetSessionProcess makes the server hand every admitted connection to a
// session process started as p describes (nil: serve connections in this
// process).
func (s *Server) SetSessionProcess(p *SessionProcess) {
	s.mu.Lock()
	s.sessProc = p
	s.mu.Unlock()
}

func (s *Server) sessionProcess() *SessionProcess {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.sessProc
}

// SessionPIDs returns the process IDs of the running session processes
// this process started or adopted, for a listener that re-executes itself.
func (s *Server) SessionPIDs() []int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]int, 0, len(s.children))
	for pid := range s.children {
		out = append(out, pid)
	}
	slices.Sort(out)
	return out
}

// AdoptSessions waits for session processes a previous image of this
// process started (a listener re-executed on SIGHUP is still their
// parent), so that they are reaped when they exit.
func (s *Server) AdoptSessions(pids []int) {
	for _, pid := range pids {
		p, err := os.FindProcess(pid)
		if err != nil {
			continue
		}
		s.addChild(pid)
		go func() {
			p.Wait()
			s.removeChild(pid)
		}()
	}
}

func (s *Server) addChild(pid int) {
	s.mu.Lock()
	if s.children == nil {
		s.children = map[int]struct{}{}
	}
	s.children[pid] = struct{}{}
	s.mu.Unlock()
}

func (s *Server) removeChild(pid int) {
	s.mu.Lock()
	delete(s.children, pid)
	s.mu.Unlock()
}

// Control-socket messages from a session process to its listener; only
// opKexRoom and opKexReserve are answered (procReply).
const (
	opKexRoom    = "kex-room"    // N: would the budget have room? → Full
	opKexReserve = "kex-reserve" // N: reserve → OK
	opKexRelease = "kex-release" // N: give back
	opAuth       = "auth"        // User authenticated
	opFail       = "fail"        // an authentication attempt failed
	opGrace      = "grace"       // LoginGraceTime expired
	opCrash      = "crash"       // a helper of the connection crashed or broke its protocol before authentication
	opEnd        = "end"         // the connection ended normally
)

// maxProcMessage bounds a control-socket message.
const maxProcMessage = 1024

// maxKexCost is the largest kexCost of package kex's methods (about 3
// MiB): no honest session process asks its listener for more.
func maxKexCost() int64 {
	var m int64
	for _, name := range kex.Names() {
		c, _ := kexCost(name)
		m = max(m, c)
	}
	return m
}

// procCallTimeout bounds how long a session process waits for its
// listener's answer.
const procCallTimeout = 10 * time.Second

type procReport struct {
	ID   uint64 `json:"id,omitempty"`
	Op   string `json:"op"`
	N    int64  `json:"n,omitempty"`
	User string `json:"user,omitempty"`
}

type procReply struct {
	ID   uint64 `json:"id"`
	Full string `json:"full,omitempty"`
	OK   bool   `json:"ok,omitempty"`
}

// procLink is a session process's end of the control socket.
type procLink struct {
	mu   sync.Mutex
	c    *net.UnixConn
	next uint64
	dead bool // the listener is gone: no more messages
}

// send sends a report; a listener that went away is not an error (the
// connection goes on without it).
func (l *procLink) send(m procReport) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sendLocked(m)
}

func (l *procLink) sendLocked(m procReport) bool {
	if l.dead {
		return false
	}
	b, err := json.Marshal(m)
	if err == nil {
		l.c.SetWriteDeadline(time.Now().Add(procCallTimeout))
		_, err = l.c.Write(b)
	}
	if err != nil {
		l.dead = true
		return false
	}
	return true
}

// call sends m and waits for the listener's answer.
func (l *procLink) call(m procReport) (procReply, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.next++
	m.ID = l.next
	if !l.sendLocked(m) {
		return procReply{}, false
	}
	buf := make([]byte, maxProcMessage)
	l.c.SetReadDeadline(time.Now().Add(procCallTimeout))
	for {
		n, err := l.c.Read(buf)
		if err != nil || n == 0 {
			l.dead = true
			return procReply{}, false
		}
		var r procReply
		if json.Unmarshal(buf[:n], &r) != nil {
			l.dead = true
			return procReply{}, false
		}
		if r.ID == m.ID {
			return r, true
		}
		// An answer to an earlier call that timed out.
	}
}

// procLedger is a session process's kexLedger: the listener's budget,
// for the source block the listener accounted the connection to. Without
// an answer from the listener there is no room.
type procLedger struct{ link *procLink }

func (p procLedger) exhausted(_ string, n int64) string {
	r, ok := p.link.call(procReport{Op: opKexRoom, N: n})
	if !ok {
		return "UnauthenticatedKexMemory"
	}
	return r.Full
}

func (p procLedger) reserve(_ string, n int64) bool {
	r, ok := p.link.call(procReport{Op: opKexReserve, N: n})
	return ok && r.OK
}

func (p procLedger) release(_ string, n int64) {
	p.link.send(procReport{Op: opKexRelease, N: n})
}

// report tells the listener about the connection, when this process is a
// session process.
func (st *connState) report(m procReport) {
	if st.link != nil {
		st.link.send(m)
	}
}

// ServeSessionProcess serves, in a session process, the one connection
// its listener handed over (conn and the control socket ctl, see
// SessionConnFD) and returns when the connection has ended.
func (s *Server) ServeSessionProcess(conn, ctl *os.File) error {
	if s.Privsep() {
		return s.serveSessionMonitor(conn, ctl)
	}
	c, err := net.FileConn(conn)
	conn.Close()
	if err != nil {
		ctl.Close()
		return fmt.Errorf("pqsshd session: connection: %w", err)
	}
	lc, err := net.FileConn(ctl)
	ctl.Close()
	if err != nil {
		c.Close()
		return fmt.Errorf("pqsshd session: control socket: %w", err)
	}
	uc, ok := lc.(*net.UnixConn)
	if !ok {
		c.Close()
		lc.Close()
		return errors.New("pqsshd session: control socket is not a Unix socket")
	}
	defer uc.Close()
	// The key exchange's KEM computations run in a sandboxed helper
	// (package kexsandbox), started while the client sends its version.
	s.kexSandbox = kexsandbox.Launch()
	defer s.kexSandbox.Close()
	st, log := s.newConnState(c)
	st.link = &procLink{c: uc}
	st.titleAccepted()
	st.admitted = true
	st.block = sourceBlock(st.host, s.Config().PerSourceNetBlockSize)
	func() {
		defer s.endConn(st, c, log)
		defer func() {
			// A crash of the helper that parses the client's public
			// values is a pre-authentication crash (PerSourcePenalties'
			// crash), as sshd's for its privilege-separated child.
			if s.kexSandbox.Crashed() {
				log.Error("kex sandbox crashed or broke its protocol; connection closed")
				st.report(procReport{Op: opCrash})
			}
		}()
		s.serveConn(st, c, log, procLedger{st.link})
	}()
	return nil
}

// runSessionProcess hands an admitted connection to a new session process
// and keeps its accounting until the process ends.
func (s *Server) runSessionProcess(sp *SessionProcess, st *connState, c net.Conn, log *slog.Logger) {
	st.handedOff = true
	fc, ok := c.(interface{ File() (*os.File, error) })
	if !ok {
		log.Error("cannot hand the connection to a session process: not a socket")
		return
	}
	cf, err := fc.File()
	if err != nil {
		log.Error("cannot hand the connection to a session process", "err", err)
		return
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		cf.Close()
		log.Error("cannot start a session process: socketpair", "err", err)
		return
	}
	// The sender of each message (serveLink): set before any is sent.
	if err := syscall.SetsockoptInt(fds[0], syscall.SOL_SOCKET, syscall.SO_PASSCRED, 1); err != nil {
		cf.Close()
		syscall.Close(fds[0])
		syscall.Close(fds[1])
		log.Error("cannot start a session process: SO_PASSCRED", "err", err)
		return
	}
	parent := os.NewFile(uintptr(fds[0]), "pqsshd-session-control")
	child := os.NewFile(uintptr(fds[1]), "pqsshd-session-control-child")
	cmd := &exec.Cmd{
		Path:        sp.Path,
		Args:        append([]string{SessionArg0}, sp.Args...),
		Env:         append(slices.Clone(sp.Env), SessionProcessEnv+"=1"),
		Dir:         "/",
		ExtraFiles:  []*os.File{cf, child},
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	if sp.Stderr != nil {
		cmd.Stderr = sp.Stderr
	}
	err = cmd.Start()
	// The listener keeps no copy of the connection.
	cf.Close()
	child.Close()
	c.Close()
	if err != nil {
		parent.Close()
		log.Error("cannot start a session process", "err", err)
		return
	}
	pid := cmd.Process.Pid
	s.addChild(pid)
	defer s.removeChild(pid)
	log.Debug("connection handed to a session process", "pid", pid)
	lc, err := net.FileConn(parent)
	parent.Close()
	ended := false
	if err == nil {
		ended = s.serveLink(st, lc.(*net.UnixConn), pid, func() { cmd.Process.Kill() }, log)
		lc.Close()
	} else {
		log.Error("session process control socket", "err", err)
		cmd.Process.Kill()
	}
	werr := cmd.Wait()
	if !ended {
		log.Error("session process ended abnormally; its connection is closed", "pid", pid, "status", fmt.Sprint(werr))
		if crashExit(cmd.ProcessState) {
			// PerSourcePenalties' crash, as sshd's for a child that
			// died from a signal: a source retrying a fault in the
			// pre-authentication code (to defeat ASLR, say) waits.
			st.mu.Lock()
			st.crashed = true
			st.mu.Unlock()
		}
	}
}

// procSender returns the pid in a control message's SCM_CREDENTIALS (0 if
// there is none) and closes any descriptors that came with it.
func procSender(oob []byte) int {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return 0
	}
	pid := 0
	for _, m := range msgs {
		if fds, err := syscall.ParseUnixRights(&m); err == nil {
			for _, fd := range fds {
				syscall.Close(fd)
			}
			continue
		}
		if cred, err := syscall.ParseUnixCredentials(&m); err == nil {
			pid = int(cred.Pid)
		}
	}
	return pid
}

// goFatalExit is the exit status of a Go program that panicked or hit a
// fatal runtime error (a fault in assembly or cgo code is one).
const goFatalExit = 2

// crashExit reports whether a session process that did not end its
// connection crashed: killed by a signal (by the kernel, or by the
// listener for misbehaving) or ended by the Go runtime's fatal exit.
func crashExit(ps *os.ProcessState) bool {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok {
		return false
	}
	return ws.Signaled() || ws.Exited() && ws.ExitStatus() == goFatalExit
}

// serveLink answers a session process's control socket until it closes,
// and reports whether the process said the connection ended normally.
// monitor is the session process's pid: the socket's other end is shared
// with the connection's network process (pqsshd-auth, which parses what
// the client sends), so a login and a normal end are taken only from a
// message the kernel says (SO_PASSCRED, set on c before the process
// started) monitor sent.
func (s *Server) serveLink(st *connState, c *net.UnixConn, monitor int, kill func(), log *slog.Logger) (ended bool) {
	var held int64 // key-exchange memory reserved for this connection
	largest := maxKexCost()
	release := func() {
		if held > 0 {
			s.kexBudget.release(st.block, held)
			held = 0
		}
	}
	defer release()
	misbehaved := func(what string) bool {
		log.Error("session process misbehaved; killed", "what", what)
		kill()
		return false
	}
	buf := make([]byte, maxProcMessage+1)
	oob := make([]byte, syscall.CmsgSpace(syscall.SizeofUcred)+syscall.CmsgSpace(16*4))
	for {
		n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
		if err != nil || n == 0 {
			return ended
		}
		sender := procSender(oob[:oobn])
		if n > maxProcMessage {
			return misbehaved("oversized message")
		}
		var m procReport
		if err := json.Unmarshal(buf[:n], &m); err != nil {
			return misbehaved("malformed message")
		}
		switch m.Op {
		case opKexRoom, opKexReserve, opKexRelease:
			if m.N <= 0 || m.N > largest {
				return misbehaved("bad reservation size")
			}
		case opAuth, opEnd:
			// What frees the MaxStartups slot and spares the source its
			// penalty comes from the monitor only.
			if sender != monitor {
				return misbehaved(fmt.Sprintf("%q from pid %d, not the session process", m.Op, sender))
			}
		}
		// An honest session process holds at most one key exchange's
		// reservation (its gate reserves once, before the first exchange):
		// a second one would let one process take the whole budget.
		if m.Op == opKexReserve && held > 0 {
			return misbehaved("a second key-exchange reservation")
		}
		var answer *procReply
		switch m.Op {
		case opKexRoom:
			answer = &procReply{ID: m.ID, Full: s.kexBudget.exhausted(st.block, m.N)}
		case opKexReserve:
			ok := !st.isAuthed() && s.kexBudget.reserve(st.block, m.N)
			if ok {
				held += m.N
			}
			answer = &procReply{ID: m.ID, OK: ok}
		case opKexRelease:
			n := min(m.N, held)
			s.kexBudget.release(st.block, n)
			held -= n
		case opAuth:
			if len(m.User) > 1024 {
				return misbehaved("bad user name")
			}
			release()
			st.authenticated(m.User)
		case opFail:
			st.mu.Lock()
			st.failures++
			st.mu.Unlock()
		case opGrace:
			st.mu.Lock()
			st.graceExceeded = true
			st.mu.Unlock()
		case opCrash:
			st.mu.Lock()
			st.crashed = true
			st.mu.Unlock()
		case opEnd:
			ended = true
		default:
			return misbehaved("unknown message")
		}
		if answer != nil {
			b, _ := json.Marshal(answer)
			c.SetWriteDeadline(time.Now().Add(procCallTimeout))
			if _, err := c.Write(b); err != nil {
				return ended
			}
		}
	}
}

// sandboxKex makes the key exchanges of package kex that sc offers compute
// their server side in the kex sandbox, in a session process.
func (s *Server) sandboxKex(sc *gossh.ServerConfig) {
	sb := s.kexSandbox
	if sb == nil {
		return
	}
	methods := maps.Clone(sc.KeyExchangeMethods)
	if methods == nil {
		methods = map[string]gossh.KeyExchangeMethod{}
	}
	for _, name := range sc.KeyExchanges {
		if _, own := methods[name]; own {
			continue // McTiny's method, say
		}
		if m, ok := sb.Method(name); ok {
			methods[name] = m
		}
	}
	sc.KeyExchangeMethods = methods
}

func (st *connState) isAuthed() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.authed
}
