// Package server is pqsshd: an OpenSSH-compatible SSH server with
// post-quantum key exchange. It is built on github.com/gliderlabs/ssh for
// connection dispatch and on pqssh's fork of golang.org/x/crypto/ssh for the
// protocol; the session, forwarding and authentication semantics follow
// OpenSSH's sshd(8).
//
// A Server is configured by a *config.Config (sshd_config syntax, see
// package config) and started with Serve on one or more listeners.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pqssh/pqssh/server/kexsandbox"

	glssh "github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshwire"
	"github.com/pqssh/pqssh/mctiny/sshkex"
	"github.com/pqssh/pqssh/server/config"
	"github.com/pqssh/pqssh/server/loginrec"
)

// Version is the software version pqsshd announces (RFC 4253 section 4.2).
const Version = "pqsshd_0.1"

// ErrServerClosed is returned by Serve after Close or Shutdown.
var ErrServerClosed = errors.New("pqsshd: server closed")

// Server is a running pqsshd.
type Server struct {
	log *slog.Logger
	gl  *glssh.Server

	mu      sync.RWMutex
	cfg     *config.Config
	signers []gossh.Signer
	self    *account // unprivileged mode: the only account served
	closed  bool

	listeners map[net.Listener]struct{}
	open      map[net.Conn]struct{} // every accepted connection, for Close
	peers     map[string]*connState // by remote address, for connectionFailed (no context there)
	connIDs   atomic.Uint64         // the last connection ID handed out
	conns     sync.WaitGroup

	startups  *startupLimiter
	penalties *penalties
	kexBudget *kexBudget // UnauthenticatedKexMemory (kexbudget.go)

	// nologinPath and motdPath are /etc/nologin and /etc/motd (fields so
	// tests need not touch the real files).
	nologinPath, motdPath string
	// loginFiles are utmp, wtmp and lastlog (terminal sessions).
	loginFiles loginrec.Files
	// shadowPath is /etc/shadow, for locked and expired accounts.
	shadowPath string
	// helperPath is the pqsshd executable re-run for internal-sftp.
	helperPath string
	// maxRelays bounds a connection's open forwarding channels.
	maxRelays int

	configHook func(c ConnInfo, sc *gossh.ServerConfig)

	mct *mctinyService // nil unless McTiny yes (mctiny.go)

	// sessProc, when set, starts a process per connection; children are
	// the running session processes (procmodel.go).
	sessProc *SessionProcess
	children map[int]struct{}
	// inSession: this process is a session process (quieter start).
	inSession bool
	// role is what this process is for (listener, session, network).
	role serverRole
	// kexSandbox computes key exchanges in a session process.
	kexSandbox *kexsandbox.Sandbox
}

// SetConfigHook installs fn, called with every new connection's
// *ssh.ServerConfig after pqsshd has filled it in (algorithms,
// authentication, limits): the one place to add per-connection
// key-exchange methods (ServerConfig.KeyExchangeMethods) or admission
// budgets. A nil fn removes the hook.
func (s *Server) SetConfigHook(fn func(c ConnInfo, sc *gossh.ServerConfig)) {
	s.mu.Lock()
	s.configHook = fn
	s.mu.Unlock()
}

// ConnInfo is what the config hook learns about a new connection.
type ConnInfo struct {
	RemoteAddr net.Addr
	LocalAddr  net.Addr
	// Authenticated is closed when the connection authenticates, Closed
	// when it ends (either way): the points where memory reserved for an
	// unauthenticated key exchange can be released.
	Authenticated <-chan struct{}
	Closed        <-chan struct{}
}

// New returns a server for cfg, loading (or generating) its host keys.
// Running as a non-root user, the server serves that user only and runs
// sessions as itself ("unprivileged mode").
func New(cfg *config.Config, logger *slog.Logger) (*Server, error) {
	return newServer(cfg, logger, false)
}

// NewSessionProcess is New in a session process (procmodel.go): it serves
// one connection with ServeSessionProcess and runs no McTiny UDP service.
func NewSessionProcess(cfg *config.Config, logger *slog.Logger) (*Server, error) {
	return newServer(cfg, logger, true)
}

// serverRole is what a Server's process is for.
type serverRole int

const (
	roleListener serverRole = iota // the listener, or pqsshd -r
	roleSession                    // a per-connection session process (the monitor)
	roleNet                        // a connection's network process (privsep.go)
)

func newServer(cfg *config.Config, logger *slog.Logger, inSession bool) (*Server, error) {
	role := roleListener
	if inSession {
		role = roleSession
	}
	return newServerRole(cfg, logger, role)
}

func newServerRole(cfg *config.Config, logger *slog.Logger, role serverRole) (*Server, error) {
	inSession := role != roleListener
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		log:       logger,
		listeners: map[net.Listener]struct{}{},
		open:      map[net.Conn]struct{}{},
		peers:     map[string]*connState{},
		penalties: newPenalties(),

		nologinPath: "/etc/nologin",
		loginFiles:  loginrec.DefaultFiles,
		motdPath:    "/etc/motd",
		shadowPath:  "/etc/shadow",
		maxRelays:   defaultMaxRelays,
		inSession:   inSession,
		role:        role,
	}
	if exe, err := os.Executable(); err == nil {
		s.helperPath = exe
	}
	if os.Geteuid() != 0 {
		me, err := currentAccount()
		if err != nil {
			return nil, fmt.Errorf("pqsshd: unprivileged mode: %w", err)
		}
		s.self = me
	}
	if err := s.setConfig(cfg); err != nil {
		return nil, err
	}
	if role == roleNet {
		return s, nil // no gliderlabs server: ServeNetProcess runs x/crypto's
	}
	if err := s.startMcTiny(cfg); err != nil {
		return nil, err
	}
	s.gl = &glssh.Server{
		// The version string is set per connection in serverConfig.
		// connCallback attaches each connection's state; every handler
		// that needs it is wrapped to receive it (conn.go).
		PublicKeyHandler:         s.withConnPublicKey(s.publicKeyHandler),
		ConnCallback:             s.connCallback,
		ServerConfigCallback:     s.withConnConfig(s.budgetedServerConfig),
		ConnectionFailedCallback: s.connectionFailed,
		ChannelHandlers: map[string]glssh.ChannelHandler{
			"session":                        s.withConnChannel("session", s.sessionChannel),
			"direct-tcpip":                   s.withConnChannel("direct-tcpip", s.directTCPIP),
			"direct-streamlocal@openssh.com": s.withConnChannel("direct-streamlocal", s.directStreamLocal),
		},
		RequestHandlers: map[string]glssh.RequestHandler{
			"tcpip-forward":                          s.withConnRequest("tcpip-forward", s.tcpipForward),
			"cancel-tcpip-forward":                   s.withConnRequest("cancel-tcpip-forward", s.cancelTCPIPForward),
			"streamlocal-forward@openssh.com":        s.withConnRequest("streamlocal-forward", s.streamLocalForward),
			"cancel-streamlocal-forward@openssh.com": s.withConnRequest("cancel-streamlocal-forward", s.cancelStreamLocalForward),
			sshkex.GlobalRequest:                     s.mctinyKeyRequest,
			noMoreSessionsRequest:                    s.withConnRequest("no-more-sessions", s.noMoreSessions),
			sshwire.HostKeysProveRequest:             s.proveHostKeys,
		},
	}
	return s, nil
}

// Check validates what New would load for cfg without changing anything
// on disk (pqsshd -t): existing host keys must be readable private keys
// that others cannot read, each HostCertificate must match one of them,
// and at least one of them (or one to be generated) must sign with
// HostKeyAlgorithms. Host keys that do not exist
// yet are not generated; New generates them at start.
func Check(cfg *config.Config) error {
	if err := cfg.CheckAuthenticationMethods(); err != nil {
		return fmt.Errorf("pqsshd: %w", err)
	}
	signers, err := loadHostKeys(HostKeyFiles(cfg, os.Geteuid() == 0), false, func(string, ...any) {})
	if err != nil {
		return fmt.Errorf("pqsshd: %w", err)
	}
	// A certificate must match an existing host key: one generated at
	// start could not match it either.
	certs, err := loadHostCertificates(cfg.HostCertificates, signers)
	if err != nil {
		return fmt.Errorf("pqsshd: %w", err)
	}
	if signers = append(signers, certs...); len(signers) > 0 {
		if _, err := restrictHostKeys(signers, cfg.HostKeyAlgorithms); err != nil {
			return fmt.Errorf("pqsshd: %w", err)
		}
	}
	if os.Geteuid() != 0 {
		if _, err := currentAccount(); err != nil {
			return fmt.Errorf("pqsshd: unprivileged mode: %w", err)
		}
	}
	return nil
}

// setConfig installs a configuration: host keys are (re)loaded and the
// pre-authentication limits updated. Existing sessions are not touched.
func (s *Server) setConfig(cfg *config.Config) error {
	if err := cfg.CheckAuthenticationMethods(); err != nil {
		return fmt.Errorf("pqsshd: %w", err)
	}
	if s.role == roleNet {
		// The host keys stay in the monitor, which sends their public
		// halves (ServeNetProcess).
		s.mu.Lock()
		defer s.mu.Unlock()
		s.cfg = cfg
		s.startups = newStartupLimiter(cfg.MaxStartups)
		s.kexBudget = newKexBudget(cfg.UnauthenticatedKexMemory)
		return nil
	}
	signers, err := loadHostKeys(HostKeyFiles(cfg, s.self == nil), true, func(msg string, args ...any) { s.log.Info(msg, args...) })
	if err != nil {
		return fmt.Errorf("pqsshd: %w", err)
	}
	certs, err := loadHostCertificates(cfg.HostCertificates, signers)
	if err != nil {
		return fmt.Errorf("pqsshd: %w", err)
	}
	signers = append(signers, certs...)
	if signers, err = restrictHostKeys(signers, cfg.HostKeyAlgorithms); err != nil {
		return fmt.Errorf("pqsshd: %w", err)
	}
	orderHostKeys(signers, cfg.HostKeyAlgorithms)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg = cfg
	s.signers = signers
	if s.startups == nil {
		s.startups = newStartupLimiter(cfg.MaxStartups)
	} else {
		s.startups.setLimits(cfg.MaxStartups)
	}
	if s.kexBudget == nil {
		s.kexBudget = newKexBudget(cfg.UnauthenticatedKexMemory)
	} else {
		s.kexBudget.setLimit(cfg.UnauthenticatedKexMemory)
	}
	s.kexBudget.setPerSource(cfg.PerSourceKexMemory)
	return nil
}

// Reload replaces the configuration (SIGHUP): new connections use cfg,
// established sessions continue under the settings they started with.
func (s *Server) Reload(cfg *config.Config) error {
	if err := s.setConfig(cfg); err != nil {
		return err
	}
	s.warnMcTinyReload(cfg)
	s.log.Info("configuration reloaded")
	return nil
}

// Config returns the configuration in force.
func (s *Server) Config() *config.Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg
}

func (s *Server) hostSigners() []gossh.Signer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.signers
}

// HostKeys returns the public host keys the server presents, without its
// host certificates.
func (s *Server) HostKeys() []gossh.PublicKey {
	var out []gossh.PublicKey
	for _, sg := range s.plainHostSigners() {
		out = append(out, sg.PublicKey())
	}
	return out
}

// plainHostSigners returns the host keys without the host certificates:
// what hostkeys-00@openssh.com announces, as sshd does.
func (s *Server) plainHostSigners() []gossh.Signer {
	var out []gossh.Signer
	for _, sg := range s.hostSigners() {
		if _, ok := sg.PublicKey().(*gossh.Certificate); !ok {
			out = append(out, sg)
		}
	}
	return out
}

// Serve accepts connections on l until Close or Shutdown; it always returns
// a non-nil error (ErrServerClosed after Close or Shutdown).
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	if err := s.serveMcTiny(l.Addr()); err != nil {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		l.Close()
		return err
	}
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()
	var delay time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			s.mu.RLock()
			closed := s.closed
			s.mu.RUnlock()
			if closed {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscallEMFILE) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", "err", err, "delay", delay)
				time.Sleep(delay)
				continue
			}
			return fmt.Errorf("pqsshd: accept: %w", err)
		}
		delay = 0
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return ErrServerClosed
		}
		s.open[c] = struct{}{}
		s.conns.Add(1)
		s.mu.Unlock()
		go func() {
			defer func() {
				s.mu.Lock()
				delete(s.open, c)
				s.mu.Unlock()
				s.conns.Done()
			}()
			s.handleConn(c)
		}()
	}
}

// Close stops the listeners and closes every connection at once.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	s.stopMcTiny()
	return s.gl.Close()
}

// Unauthenticated returns the number of connections that have not
// authenticated yet (those MaxStartups counts), for admission policies
// such as a memory budget for large key exchanges.
func (s *Server) Unauthenticated() int { return s.startups.unauthenticated() }

// Shutdown stops the listeners and waits for the connections to end by
// themselves, or for ctx to be done (then they are closed).
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	s.mu.Unlock()
	s.stopMcTiny()
	done := make(chan struct{})
	go func() {
		s.conns.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.Close()
		return ctx.Err()
	}
}
