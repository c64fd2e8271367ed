package server

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	glssh "github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/config"
	"github.com/pqssh/pqssh/server/userproc"
)

var syscallEMFILE = syscall.EMFILE

// connState is pqsshd's record of one connection, from accept to close.
type connState struct {
	id     uint64
	conn   net.Conn
	peer   string // host:port
	host   string // address only
	start  time.Time
	server *Server

	mu        sync.Mutex
	authed    bool
	user      string
	failures  int
	sessions  int // open session channels (MaxSessions)
	relays    int // open forwarding channels (maxRelays)
	keepalive bool
	fwd       *forwards
	released  bool // the MaxStartups slot was given back
	grace     *time.Timer
	kex       string
	// invalidUser: the user name of the login attempts names no account
	// (for OpenSSH's "invalid user" lines).
	invalidUser bool
	block       string    // source address block, for PerSourceMaxStartups
	idleSince   time.Time // when the last channel closed (UnusedConnectionTimeout)
	ttys        []string  // terminals of running sessions, for the process title

	progress authProgress // AuthenticationMethods (authmethods.go)
	pam      *pamConn     // UsePAM: the connection's PAM work (pamlogin.go)

	gate          *kexGate // UnauthenticatedKexMemory (kexgate.go)
	admitted      bool     // passed penalties and MaxStartups
	graceExceeded bool     // closed by LoginGraceTime
	crashed       bool     // its session process died without ending it

	authedCh, closedCh chan struct{} // closed on authentication, on close

	bytes byteCounts // on the wire, counted by trackedConn (bytecount.go)

	// logged holds the pre-authentication lines logged once per
	// connection (sshd logs them at the first request): see firstTime.
	logged map[string]bool

	// link is the control socket to the listener when this process is a
	// per-connection session process (procmodel.go), else nil; handedOff
	// marks, in the listener, a connection served by a session process.
	link      *procLink
	handedOff bool

	// resume is set in a privilege-separation monitor once its network
	// process authenticated the client and handed the transport over
	// (privsep.go): the connection protocol resumes over it.
	resume *gossh.ResumedConn

	// The helper that opens forwarding sockets as the user
	// (usersockets.go), started on first use.
	sockMu        sync.Mutex
	sockets       *userproc.Helper
	socketsClosed bool
}

// trackedConn carries the connState through gliderlabs' ConnCallback.
type trackedConn struct {
	net.Conn
	st *connState
}

type ctxKey struct{ name string }

// stateKey is the context key of a connection's *connState. connCallback
// sets it before gliderlabs runs any other callback or handler of the
// connection, and refuses a connection that has none.
var stateKey = &ctxKey{"pqsshd-conn-state"}

// stateOf is the one accessor of a connection's state from a gliderlabs
// context; handlers reach it through the with* wrappers below, which close
// a connection whose state is missing instead of running the handler.
func stateOf(ctx glssh.Context) (*connState, bool) {
	st, ok := ctx.Value(stateKey).(*connState)
	return st, ok && st != nil
}

// missingState logs and closes a connection whose context carries no
// state: a handler must never run without one.
func (s *Server) missingState(ctx glssh.Context, handler string) {
	s.log.Error("connection state missing; closing connection", "handler", handler, "peer", ctx.Value(glssh.ContextKeyRemoteAddr))
	if c, ok := ctx.Value(glssh.ContextKeyConn).(gossh.Conn); ok {
		c.Close()
	}
}

// withConnChannel adapts a channel handler that takes its connection's
// state to gliderlabs' ChannelHandler.
func (s *Server) withConnChannel(name string, h func(st *connState, conn *gossh.ServerConn, nc gossh.NewChannel, ctx glssh.Context)) glssh.ChannelHandler {
	return func(_ *glssh.Server, conn *gossh.ServerConn, nc gossh.NewChannel, ctx glssh.Context) {
		st, ok := stateOf(ctx)
		if !ok {
			nc.Reject(gossh.ConnectionFailed, "internal error")
			s.missingState(ctx, name)
			return
		}
		h(st, conn, nc, ctx)
	}
}

// withConnRequest adapts a global-request handler that takes its
// connection's state to gliderlabs' RequestHandler.
func (s *Server) withConnRequest(name string, h func(st *connState, ctx glssh.Context, req *gossh.Request) (bool, []byte)) glssh.RequestHandler {
	return func(ctx glssh.Context, _ *glssh.Server, req *gossh.Request) (bool, []byte) {
		st, ok := stateOf(ctx)
		if !ok {
			s.missingState(ctx, name)
			return false, nil
		}
		return h(st, ctx, req)
	}
}

// withConnPublicKey adapts the public-key query handler.
func (s *Server) withConnPublicKey(h func(st *connState, ctx glssh.Context, key glssh.PublicKey) bool) glssh.PublicKeyHandler {
	return func(ctx glssh.Context, key glssh.PublicKey) bool {
		st, ok := stateOf(ctx)
		if !ok {
			s.missingState(ctx, "publickey")
			return false
		}
		return h(st, ctx, key)
	}
}

// withConnConfig adapts the ServerConfigCallback. Without a state the
// configuration has no host key, so the handshake fails and the
// connection ends.
func (s *Server) withConnConfig(h func(st *connState, ctx glssh.Context) *gossh.ServerConfig) glssh.ServerConfigCallback {
	return func(ctx glssh.Context) *gossh.ServerConfig {
		st, ok := stateOf(ctx)
		if !ok {
			s.missingState(ctx, "server config")
			return &gossh.ServerConfig{}
		}
		return h(st, ctx)
	}
}

// handleConn runs one connection: admission (penalties, MaxStartups), then
// either the connection itself in this process (the LoginGraceTime timer,
// the SSH connection, a recover as the last line of defence) or, when
// per-connection processes are on (procmodel.go), a session process that
// serves it while this process keeps its accounting.
func (s *Server) handleConn(c net.Conn) {
	st, log := s.newConnState(c)
	defer s.endConn(st, c, log)
	if !s.admit(st, log) {
		return
	}
	if sp := s.sessionProcess(); sp != nil {
		s.runSessionProcess(sp, st, c, log)
		return
	}
	s.serveConn(st, c, log, s.kexBudget)
}

// newConnState registers a new connection.
func (s *Server) newConnState(c net.Conn) (*connState, *slog.Logger) {
	peer := c.RemoteAddr().String()
	host, _, err := net.SplitHostPort(peer)
	if err != nil {
		host = peer
	}
	st := &connState{id: s.connIDs.Add(1), conn: c, peer: peer, host: host, start: time.Now(), server: s,
		authedCh: make(chan struct{}), closedCh: make(chan struct{})}
	s.mu.Lock()
	s.peers[peer] = st
	s.mu.Unlock()
	return st, s.log.With("conn", st.id, "peer", peer)
}

// endConn is the end of a connection: its resources are released, its
// source penalized (PerSourcePenalties) where it did not authenticate, and
// its end logged. A panic in the connection's goroutine stops here.
func (s *Server) endConn(st *connState, c net.Conn, log *slog.Logger) {
	cfg := s.Config()
	s.mu.Lock()
	delete(s.peers, st.peer)
	s.mu.Unlock()
	if r := recover(); r != nil {
		log.Error("panic in connection handler; connection closed", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	}
	c.Close()
	st.stopSockets()
	st.endPAM()
	close(st.closedCh)
	st.release()
	st.report(procReport{Op: opEnd})
	st.mu.Lock()
	authed, failures, admitted, grace, crashed := st.authed, st.failures, st.admitted, st.graceExceeded, st.crashed
	user := st.user
	st.mu.Unlock()
	// Only connections that were served count: not those refused by a
	// penalty or dropped by MaxStartups (a flood must not penalize the
	// legitimate clients caught in it). A session process leaves this to
	// its listener, which keeps the penalties.
	if p := cfg.PerSourcePenalties; st.link == nil && !authed && admitted && p.Enabled &&
		!(cfg.PerSourcePenaltyExemptList != "" && config.MatchAddressList(st.host, cfg.PerSourcePenaltyExemptList)) {
		kind := penaltyNoAuth
		switch {
		case crashed:
			kind = penaltyCrash
		case failures > 0:
			kind = penaltyAuthFail
		case grace:
			kind = penaltyGraceExceeded
		}
		s.penalties.record(st.host, kind, p)
	}
	if st.handedOff {
		return // the session process logged the connection
	}
	closed := []any{"duration", time.Since(st.start).Round(time.Millisecond), "bytes_in", st.bytes.in.Load(), "bytes_out", st.bytes.out.Load()}
	if authed {
		log.Info("connection closed", append([]any{"user", user}, closed...)...)
		s.sshdLine(slog.LevelInfo, "Disconnected from %s", remoteID(st))
	} else {
		log.Debug("connection closed", closed...)
	}
}

// admit applies PerSourcePenalties, PerSourceMaxStartups and MaxStartups
// to a new connection; false means it is dropped.
func (s *Server) admit(st *connState, log *slog.Logger) bool {
	cfg := s.Config()
	if cfg.PerSourcePenalties.Enabled {
		if until, bad := s.penalties.penalized(st.host); bad {
			log.Info("refusing connection: source penalized after repeated authentication failures", "until", until.UTC().Format(time.RFC3339))
			return false
		}
	}
	block := sourceBlock(st.host, cfg.PerSourceNetBlockSize)
	if !s.startups.admitSource(block, cfg.PerSourceMaxStartups) {
		log.Info("dropping connection: PerSourceMaxStartups", "block", block, "persourcemaxstartups", cfg.PerSourceMaxStartups)
		st.released = true
		return false
	}
	st.block = block
	if !s.startups.admit() {
		s.startups.doneSource(block)
		log.Info("dropping connection: MaxStartups", "maxstartups", fmt.Sprintf("%d:%d:%d", cfg.MaxStartups.Start, cfg.MaxStartups.Rate, cfg.MaxStartups.Full))
		st.released = true
		return false
	}
	st.mu.Lock()
	st.admitted = true
	st.mu.Unlock()
	return true
}

// serveConn serves an admitted connection in this process, its key
// exchanges reserving memory from budget.
func (s *Server) serveConn(st *connState, c net.Conn, log *slog.Logger, budget kexLedger) {
	s.prepareConn(st, c, log, budget)
	s.gl.HandleConn(&trackedConn{Conn: st.gate, st: st})
}

// prepareConn readies a connection for the SSH protocol: the
// LoginGraceTime timer, TCP keep-alives, UnusedConnectionTimeout, the
// key-exchange gate (st.gate) that reserves memory from budget.
func (s *Server) prepareConn(st *connState, c net.Conn, log *slog.Logger, budget kexLedger) {
	cfg := s.Config()
	if g := cfg.LoginGraceTime; g > 0 {
		st.grace = time.AfterFunc(g, func() {
			st.mu.Lock()
			authed := st.authed
			st.mu.Unlock()
			if !authed {
				st.mu.Lock()
				st.graceExceeded = true
				st.mu.Unlock()
				st.report(procReport{Op: opGrace})
				log.Info("timeout before authentication: LoginGraceTime", "logingracetime", g)
				s.sshdLine(slog.LevelError, "Timeout before authentication for %s", peerForLog(st))
				c.Close()
			}
		})
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetKeepAlive(cfg.TCPKeepAlive)
	}
	if d := cfg.UnusedConnectionTimeout; d > 0 {
		go s.watchUnused(st, d)
	}
	if s.role != roleNet { // the monitor logged it
		log.Debug("connection accepted")
		if lh, lp, err := net.SplitHostPort(c.LocalAddr().String()); err == nil {
			s.sshdLine(LevelVerbose, "Connection from %s on %s port %s", peerForLog(st), lh, lp)
		}
	}
	st.gate = newKexGate(withQuickAck(c, st.authedCh), budget, log)
	st.gate.source = st.block
}

// release gives back the MaxStartups slot once (on authentication or close).
func (st *connState) release() {
	if st.gate != nil {
		st.gate.release()
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.released {
		return
	}
	st.released = true
	if st.grace != nil {
		st.grace.Stop()
	}
	st.server.startups.done()
	st.server.startups.doneSource(st.block)
}

// authenticated marks the connection authenticated: it no longer counts
// toward MaxStartups and the grace timer stops.
func (st *connState) authenticated(user string) {
	st.mu.Lock()
	if !st.authed {
		close(st.authedCh)
	}
	st.authed = true
	st.user = user
	st.idleSince = time.Now()
	st.mu.Unlock()
	st.release()
	st.report(procReport{Op: opAuth, User: user})
	st.titleAuthenticated(user)
}

// firstTime reports whether the line named what is due on this connection
// (not logged yet) and notes it as logged.
func (st *connState) firstTime(what string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.logged[what] {
		return false
	}
	if st.logged == nil {
		st.logged = map[string]bool{}
	}
	st.logged[what] = true
	return true
}

// markIdleLocked notes when the connection's last channel closed.
func (st *connState) markIdleLocked() {
	if st.sessions == 0 && st.relays == 0 {
		st.idleSince = time.Now()
	}
}

// unused reports whether an authenticated connection has had no channels
// and no forwarding listeners for at least d.
func (st *connState) unused(d time.Duration) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.authed || st.sessions > 0 || st.relays > 0 {
		return false
	}
	if st.fwd != nil {
		st.fwd.mu.Lock()
		n := len(st.fwd.m)
		st.fwd.mu.Unlock()
		if n > 0 {
			return false
		}
	}
	return time.Since(st.idleSince) >= d
}

// watchUnused implements UnusedConnectionTimeout: an authenticated
// connection without channels for that long is closed.
func (s *Server) watchUnused(st *connState, d time.Duration) {
	t := time.NewTicker(max(d/4, 50*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-st.closedCh:
			return
		case <-t.C:
			if st.unused(d) {
				s.log.Info("closing unused connection: UnusedConnectionTimeout", "conn", st.id, "peer", st.peer, "user", st.user)
				st.conn.Close()
				return
			}
		}
	}
}

// connCallback attaches the connection's state to its context before any
// other callback or handler runs; a connection that did not come through
// handleConn (no state) is refused, and gliderlabs closes it.
func (s *Server) connCallback(ctx glssh.Context, c net.Conn) net.Conn {
	tc, ok := c.(*trackedConn)
	if !ok || tc.st == nil {
		s.log.Error("connection without state refused; closing connection", "peer", c.RemoteAddr().String())
		return nil
	}
	ctx.SetValue(stateKey, tc.st)
	go s.announceHostKeys(ctx, tc.st)
	return c
}

// connectionFailed logs a connection whose handshake or authentication
// failed: garbage, a bad key exchange, a closed socket, failed logins.
func (s *Server) connectionFailed(c net.Conn, err error) {
	peer := c.RemoteAddr().String()
	args := []any{"peer", peer, "err", err}
	s.mu.RLock()
	st := s.peers[peer]
	s.mu.RUnlock()
	if st != nil {
		st.mu.Lock()
		args = append(args, "conn", st.id)
		if st.user != "" {
			args = append(args, "user", st.user)
		}
		if st.kex != "" {
			args = append(args, "kex", st.kex)
		}
		if st.failures > 0 {
			args = append(args, "auth_failures", st.failures)
		}
		st.mu.Unlock()
	}
	var limit *gossh.PeerLimitError
	switch {
	case st == nil:
	case strings.Contains(err.Error(), "too many authentication failures"):
		st.mu.Lock()
		user, invalid := st.user, st.invalidUser
		st.mu.Unlock()
		inv := ""
		if invalid {
			inv = "invalid user "
		}
		s.sshdLine(slog.LevelError, "maximum authentication attempts exceeded for %s%s from %s ssh2 [preauth]", inv, logSafe(user), peerForLog(st))
		s.sshdLine(slog.LevelInfo, "Disconnecting %s: Too many authentication failures [preauth]", remoteID(st))
	case errors.Is(err, io.EOF), errors.As(err, new(*gossh.ServerAuthError)):
		// The client went away (after failed attempts, if any).
		s.sshdLine(slog.LevelInfo, "Connection closed by %s [preauth]", remoteID(st))
	case errors.Is(err, syscall.ECONNRESET):
		s.sshdLine(slog.LevelInfo, "Connection reset by %s [preauth]", remoteID(st))
	default:
		s.sshdLine(slog.LevelInfo, "Disconnected from %s [preauth]", remoteID(st))
	}
	switch {
	case errors.As(err, &limit):
		s.log.Info("closing connection: client exceeded a pre-authentication bound", append(args, "bound", limit.What, "size", limit.Size, "limit", limit.Limit)...)
	case errors.Is(err, io.EOF):
		s.log.Info("connection closed before authentication", args...)
	default:
		s.log.Info("connection failed", args...)
	}
}

// startupLimiter implements MaxStartups start:rate:full: with more than
// start unauthenticated connections a new one is refused with probability
// rate% rising linearly to 100% at full (sshd_config(5)).
type startupLimiter struct {
	mu       sync.Mutex
	limits   config.MaxStartups
	n        int
	perBlock map[string]int                         // unauthenticated connections per source block
	onChange func(n int, limits config.MaxStartups) // see ShowStartupsInTitle
}

// sourceBlock is the address block a source counts in for
// PerSourceMaxStartups (PerSourceNetBlockSize).
func sourceBlock(host string, bits [2]int) string {
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	n := bits[1]
	if ip.Is4() {
		n = bits[0]
	}
	p, err := ip.Prefix(n)
	if err != nil {
		return host
	}
	return p.String()
}

// admitSource counts a connection from block unless max (>0) are already
// unauthenticated from it.
func (l *startupLimiter) admitSource(block string, max int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perBlock == nil {
		l.perBlock = map[string]int{}
	}
	if max > 0 && l.perBlock[block] >= max {
		return false
	}
	l.perBlock[block]++
	return true
}

func (l *startupLimiter) doneSource(block string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perBlock[block] <= 1 {
		delete(l.perBlock, block)
		return
	}
	l.perBlock[block]--
}

func newStartupLimiter(l config.MaxStartups) *startupLimiter { return &startupLimiter{limits: l} }

func (l *startupLimiter) setLimits(m config.MaxStartups) {
	l.mu.Lock()
	l.limits = m
	l.notifyLocked()
	l.mu.Unlock()
}

func (l *startupLimiter) admit() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.limits
	if m.Full > 0 && l.n >= m.Full {
		return false
	}
	if m.Start > 0 && l.n >= m.Start {
		// p = rate + (100-rate) * (n-start)/(full-start), in percent.
		p := m.Rate
		if m.Full > m.Start {
			p += (100 - m.Rate) * (l.n - m.Start) / (m.Full - m.Start)
		}
		r, err := rand.Int(rand.Reader, big.NewInt(100))
		if err != nil || int(r.Int64()) < p {
			return false
		}
	}
	l.n++
	l.notifyLocked()
	return true
}

func (l *startupLimiter) done() {
	l.mu.Lock()
	if l.n > 0 {
		l.n--
	}
	l.notifyLocked()
	l.mu.Unlock()
}

// unauthenticated returns the number of connections not yet authenticated.
func (l *startupLimiter) unauthenticated() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}
