package userproc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Deadlines on the daemon's side: writing a request, and the slack given
// to a helper beyond a dial's own timeout.
const (
	writeTimeout = 5 * time.Second
	dialSlack    = 2 * time.Second
)

// requestTimeout bounds the answer to a listen or close (a variable for
// tests).
var requestTimeout = 10 * time.Second

// exitTimeout is how long Close waits for the helper to exit, and then
// to be reaped after it was killed (a variable for tests).
var exitTimeout = 2 * time.Second

// maxReplyFDs is how many descriptors a reply may carry without being a
// protocol violation (one is correct; the rest are closed).
const maxReplyFDs = 4

// ErrHelperGone is returned once the helper has exited, was stopped or
// was killed for misbehaving.
var ErrHelperGone = errors.New("user socket helper is gone")

// Credential is the identity a helper process runs as.
type Credential struct {
	UID, GID uint32
	Groups   []uint32 // supplementary groups
	Home     string   // working directory, if the user may enter it
}

// Helper is the daemon's side of a helper process that opens sockets as
// one user. It is safe for concurrent use.
type Helper struct {
	log  *slog.Logger
	conn *net.UnixConn
	pid  int
	kill func()

	exited chan struct{} // closed when the process has been reaped

	wmu sync.Mutex // one request write at a time (shared write deadline)

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]chan result
	done    chan struct{} // closed when the helper can no longer be used
	doneErr error
}

type result struct {
	rep reply
	fds []int
}

// Start runs a helper as cred (nil: as the calling process's own user,
// for tests). The executable is the running program (/proc/self/exe),
// which must call Main first thing.
func Start(cred *Credential, log *slog.Logger) (*Helper, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("user socket helper: socketpair: %w", err)
	}
	parent := os.NewFile(uintptr(fds[0]), "userproc")
	child := os.NewFile(uintptr(fds[1]), "userproc-child")
	defer child.Close()
	c, err := net.FileConn(parent)
	parent.Close()
	if err != nil {
		return nil, fmt.Errorf("user socket helper: %w", err)
	}
	home := "/"
	if cred != nil && cred.Home != "" {
		home = cred.Home
	}
	args := []string{helperArg0, home}
	if cred != nil {
		// The helper starts as root and drops to cred itself (see
		// dropPrivileges): a process whose effective uid changed is not
		// dumpable, so the user cannot ptrace it or take its descriptors,
		// whereas one exec'd directly with the user's credentials could be.
		args = append(args, credentialArg(cred))
	}
	cmd := &exec.Cmd{
		Path: "/proc/self/exe",
		Args: args,
		Env:  []string{markerEnv + "=1"},
		// The helper enters the home directory itself, as the user: the
		// exec must not fail when the user may not.
		Dir:         "/",
		ExtraFiles:  []*os.File{child},
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	if err := cmd.Start(); err != nil {
		c.Close()
		return nil, fmt.Errorf("user socket helper: %w", err)
	}
	h := newHelper(c.(*net.UnixConn), cmd.Process.Pid, func() { cmd.Process.Kill() }, log)
	go func() {
		cmd.Wait()
		close(h.exited)
	}()
	return h, nil
}

// newHelper wraps the daemon's end of the socket pair; kill stops the
// helper process and the caller closes exited when it has been reaped.
func newHelper(c *net.UnixConn, pid int, kill func(), log *slog.Logger) *Helper {
	h := &Helper{log: log.With("helper_pid", pid), conn: c, pid: pid, kill: kill,
		exited: make(chan struct{}), pending: map[uint64]chan result{}, done: make(chan struct{})}
	go h.readReplies()
	return h
}

// Pid returns the helper's process id.
func (h *Helper) Pid() int { return h.pid }

// Done is closed when the helper can no longer be used (it exited, was
// closed, or was killed for misbehaving).
func (h *Helper) Done() <-chan struct{} { return h.done }

// Close stops the helper: it sees the end of its socket pair, closes
// (and removes) the sockets it still listens on and exits; one that does
// not within a short time is killed. Close waits, for a bounded time, for
// the process to be reaped.
func (h *Helper) Close() error {
	h.conn.CloseWrite()
	select {
	case <-h.exited:
	case <-time.After(exitTimeout):
		h.log.Warn("user socket helper did not exit; killing it")
		h.kill()
		select {
		case <-h.exited:
		case <-time.After(exitTimeout):
			// Killed but not reaped: the user can ptrace their own
			// helper, and a traced child's zombie is visible only to its
			// tracer until it waits or detaches. Waiting here would hang
			// the connection's teardown (and keep this end of the socket
			// pair open) for as long as the tracer likes; the goroutine
			// started by Start reaps the process when it can.
			h.log.Warn("user socket helper killed but not reaped (traced?); not waiting for it")
		}
	}
	h.stop(ErrHelperGone)
	return nil
}

// stop makes the helper unusable, once: pending and later requests fail
// with err, and the process is killed (it is gone already, or it
// misbehaved).
func (h *Helper) stop(err error) {
	h.mu.Lock()
	if h.doneErr != nil {
		h.mu.Unlock()
		return
	}
	h.doneErr = err
	close(h.done)
	h.mu.Unlock()
	h.kill()
	h.conn.Close()
}

// misbehaved logs and stops a helper that broke the protocol.
func (h *Helper) misbehaved(what string) {
	h.log.Warn("user socket helper misbehaved; killed", "problem", what)
	h.stop(fmt.Errorf("%w (%s)", ErrHelperGone, what))
}

// readReplies hands each reply to the request waiting for it.
func (h *Helper) readReplies() {
	buf := make([]byte, maxMessage+1)
	oob := make([]byte, syscall.CmsgSpace(4*maxReplyFDs))
	for {
		n, oobn, flags, _, err := h.conn.ReadMsgUnix(buf, oob)
		fds := parseRights(oob[:oobn])
		switch {
		case err != nil || (n == 0 && len(fds) == 0):
			closeDescriptors(fds)
			h.stop(ErrHelperGone)
			return
		case flags&syscall.MSG_TRUNC != 0:
			closeDescriptors(fds)
			h.misbehaved("oversized reply")
			return
		case flags&syscall.MSG_CTRUNC != 0:
			closeDescriptors(fds)
			h.misbehaved("too many descriptors in a reply")
			return
		}
		var rep reply
		if err := json.Unmarshal(buf[:n], &rep); err != nil {
			closeDescriptors(fds)
			h.misbehaved("malformed reply")
			return
		}
		h.mu.Lock()
		ch, ok := h.pending[rep.ID]
		delete(h.pending, rep.ID)
		h.mu.Unlock()
		if !ok {
			// Late (its request timed out) or invented.
			closeDescriptors(fds)
			h.log.Debug("user socket helper: reply to no pending request", "id", rep.ID)
			continue
		}
		ch <- result{rep, fds}
	}
}

// roundTrip sends req and waits for its reply until ctx is done, the
// helper is gone, or timeout (if positive) passes. The caller owns the
// returned descriptors.
func (h *Helper) roundTrip(ctx context.Context, req request, timeout time.Duration) (reply, []int, error) {
	ch := make(chan result, 1)
	h.mu.Lock()
	if h.doneErr != nil {
		err := h.doneErr
		h.mu.Unlock()
		return reply{}, nil, err
	}
	h.nextID++
	req.ID = h.nextID
	h.pending[req.ID] = ch
	h.mu.Unlock()

	b, err := json.Marshal(req)
	if err == nil && len(b) > maxMessage {
		err = errors.New("request too large")
	}
	if err != nil {
		h.forget(req.ID, ch)
		return reply{}, nil, fmt.Errorf("user socket helper: %w", err)
	}
	h.wmu.Lock()
	h.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, _, err = h.conn.WriteMsgUnix(b, nil, nil)
	h.wmu.Unlock()
	if err != nil {
		h.forget(req.ID, ch)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			h.misbehaved("not reading requests")
		}
		return reply{}, nil, fmt.Errorf("user socket helper: %w", err)
	}

	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	select {
	case r := <-ch:
		if r.rep.Err != "" {
			closeDescriptors(r.fds)
			return r.rep, nil, errors.New(r.rep.Err)
		}
		if len(r.fds) > 0 && req.Op != opDial && req.Op != opAccept {
			// Only dial and accept replies carry a descriptor: one in any
			// other reply would otherwise stay open in the daemon, and a
			// user driving their own helper could exhaust the daemon's
			// descriptors with close replies.
			closeDescriptors(r.fds)
			what := "descriptor in a reply to " + req.Op
			h.misbehaved(what)
			return reply{}, nil, fmt.Errorf("%w (%s)", ErrHelperGone, what)
		}
		return r.rep, r.fds, nil
	case <-h.done:
		h.forget(req.ID, ch)
		h.mu.Lock()
		err := h.doneErr
		h.mu.Unlock()
		return reply{}, nil, err
	case <-ctx.Done():
		h.forget(req.ID, ch)
		return reply{}, nil, ctx.Err()
	case <-timer:
		h.forget(req.ID, ch)
		// Every timeout is longer than the work it bounds (a dial's own
		// deadline plus slack), so a helper that has not answered is
		// stopped or stuck; killing it makes the connection's later
		// requests, and its teardown, fail at once instead of each
		// waiting out its own timeout.
		what := fmt.Sprintf("no answer to %s within %v", req.Op, timeout)
		h.misbehaved(what)
		return reply{}, nil, fmt.Errorf("user socket helper: %s", what)
	}
}

// forget abandons a request. If its reply is already being delivered,
// the descriptors it carries are closed.
func (h *Helper) forget(id uint64, ch chan result) {
	h.mu.Lock()
	_, waiting := h.pending[id]
	delete(h.pending, id)
	h.mu.Unlock()
	if !waiting {
		go func() { closeDescriptors((<-ch).fds) }()
	}
}

// Dial implements Opener: the helper connects, as the user, and passes
// the connected socket back.
func (h *Helper) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	if err := checkRequest(network, address, ListenOptions{}); err != nil {
		return nil, err
	}
	timeout := maxDialTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
		if timeout <= 0 {
			return nil, context.DeadlineExceeded
		}
	}
	_, fds, err := h.roundTrip(ctx, request{Op: opDial, Network: network, Address: address, TimeoutMS: timeout.Milliseconds() + 1}, timeout+dialSlack)
	if err != nil {
		return nil, err
	}
	return connFromFDs(fds, network)
}

// Listen implements Opener: the helper binds and listens, as the user,
// and keeps the listening socket; Accept asks it for each connection.
func (h *Helper) Listen(ctx context.Context, network, address string, opts ListenOptions) (net.Listener, error) {
	if err := checkRequest(network, address, opts); err != nil {
		return nil, err
	}
	rep, fds, err := h.roundTrip(ctx, request{Op: opListen, Network: network, Address: address,
		UnlinkFirst: opts.UnlinkFirst, PrivateDir: opts.PrivateDir}, requestTimeout)
	closeDescriptors(fds)
	if err != nil {
		return nil, err
	}
	l := &remoteListener{h: h, id: rep.Listener, network: network}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	if network == "unix" {
		if err := CheckUnixPath(rep.Address); err != nil {
			l.Close()
			h.misbehaved("bad listen address")
			return nil, fmt.Errorf("user socket helper: listen address: %w", err)
		}
		l.addr = &net.UnixAddr{Name: rep.Address, Net: "unix"}
	} else {
		ap, err := netip.ParseAddrPort(rep.Address)
		if err != nil {
			l.Close()
			h.misbehaved("bad listen address")
			return nil, fmt.Errorf("user socket helper: listen address: %w", err)
		}
		l.addr = net.TCPAddrFromAddrPort(ap)
	}
	return l, nil
}

// connFromFDs turns a reply's descriptor into a connection of the kind
// asked for; anything else is closed and refused.
func connFromFDs(fds []int, network string) (net.Conn, error) {
	if len(fds) != 1 {
		closeDescriptors(fds)
		return nil, fmt.Errorf("user socket helper: reply with %d descriptors instead of one", len(fds))
	}
	f := os.NewFile(uintptr(fds[0]), "userproc-conn")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("user socket helper: passed descriptor: %w", err)
	}
	ok := false
	switch network {
	case "unix":
		_, isUnix := c.(*net.UnixConn)
		ok = isUnix && c.LocalAddr() != nil && c.LocalAddr().Network() == "unix"
	default:
		_, isTCP := c.(*net.TCPConn)
		ok = isTCP
	}
	if !ok || c.RemoteAddr() == nil {
		c.Close()
		return nil, fmt.Errorf("user socket helper: passed descriptor is not a connected %s socket", network)
	}
	return c, nil
}

// remoteListener is a listening socket held by the helper.
type remoteListener struct {
	h       *Helper
	id      uint64
	network string
	addr    net.Addr

	ctx    context.Context // canceled by Close
	cancel context.CancelFunc
	once   sync.Once
}

// Accept asks the helper to accept the next connection.
func (l *remoteListener) Accept() (net.Conn, error) {
	_, fds, err := l.h.roundTrip(l.ctx, request{Op: opAccept, Listener: l.id}, 0)
	if err != nil {
		if l.ctx.Err() != nil {
			return nil, net.ErrClosed
		}
		return nil, err
	}
	return connFromFDs(fds, l.network)
}

// Close closes the helper's listening socket (removing a Unix socket's
// file and private directory).
func (l *remoteListener) Close() error {
	l.once.Do(func() {
		l.cancel()
		l.h.roundTrip(context.Background(), request{Op: opClose, Listener: l.id}, requestTimeout)
	})
	return nil
}

// Addr returns the bound address (*net.TCPAddr or *net.UnixAddr).
func (l *remoteListener) Addr() net.Addr { return l.addr }
