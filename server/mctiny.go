package server

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	glssh "github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/mctiny"
	"github.com/pqssh/pqssh/mctiny/sshkex"
	"github.com/pqssh/pqssh/server/config"
)

// McTinyStateDirName is the default McTiny state directory's name, beside
// the first host key (/etc/ssh/pqsshd_mctiny as root with the default host
// keys).
const McTinyStateDirName = "pqsshd_mctiny"

// mctinyService is pqsshd's McTiny service (draft-pqssh-mctiny-ssh-00): a
// stateless McTiny server answering on UDP beside every SSH listener, the
// key-exchange method mctiny6688128x25519-sha512 that opens its session
// cookies, and the key offer of the global request
// mctiny-public-key@pqssh. Its settings (McTiny, McTinyStateDirectory,
// McTinyPort, McTinyPuzzleRate, McTinyPuzzleBits, McTinyCookieSecretFile)
// are read at start; a reload does not change them (the contents of the
// cookie-secret file are read again every minute).
type mctinyService struct {
	srv      *mctiny.Server
	method   *sshkex.ServerMethod
	settings config.McTinySettings
	dir      string
	fp       string
	log      *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns map[string]net.PacketConn // by bound UDP address
}

// mctinyStateDir returns the state directory for cfg: McTinyStateDirectory,
// or pqsshd_mctiny beside the first host key.
func mctinyStateDir(cfg *config.Config, root bool) string {
	if d := cfg.McTiny.StateDirectory; d != "" {
		return d
	}
	keys := cfg.HostKeys
	if len(keys) == 0 {
		keys = DefaultHostKeyFiles(root)
	}
	return filepath.Join(filepath.Dir(keys[0]), McTinyStateDirName)
}

// startMcTiny loads the McTiny server's state when cfg enables McTiny.
// The long-term mceliece6688128 key pair is generated on first start.
func (s *Server) startMcTiny(cfg *config.Config) error {
	if !cfg.McTiny.Enabled {
		return nil
	}
	dir := mctinyStateDir(cfg, s.self == nil)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pqsshd: McTiny state directory: %w", err)
	}
	log := s.log.With("subsystem", "mctiny")
	lo, hi := cfg.McTiny.EffectivePuzzleBits()
	srv, err := mctiny.NewServer(dir, &mctiny.ServerConfig{
		Logger: log,
		Puzzles: mctiny.PuzzleConfig{
			Rate:    float64(cfg.McTiny.EffectivePuzzleRate()),
			MinBits: lo,
			MaxBits: hi,
		},
		CookieSecretFile: cfg.McTiny.CookieSecretFile,
	})
	if err != nil {
		return fmt.Errorf("pqsshd: McTiny: %w", err)
	}
	m := &mctinyService{
		srv:      srv,
		method:   sshkex.NewServerMethod(srv.CookieKeys()),
		settings: cfg.McTiny,
		dir:      dir,
		fp:       sshkex.Fingerprint(srv.PublicKey()),
		log:      log,
		conns:    map[string]net.PacketConn{},
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	if !s.inSession {
		log.Info("mctiny: enabled", "params", mctiny.Name, "kex", sshkex.Name, "state", dir, "fingerprint", m.fp,
			"puzzle_rate", cfg.McTiny.EffectivePuzzleRate(), "puzzle_bits", fmt.Sprintf("%d:%d", lo, hi),
			"cookie_secret", cmp.Or(cfg.McTiny.CookieSecretFile, "none"))
	}
	s.mct = m
	return nil
}

// McTinyPublicKey returns the long-term mceliece6688128 public key of the
// McTiny service, or nil when McTiny is off.
func (s *Server) McTinyPublicKey() []byte {
	if s.mct == nil {
		return nil
	}
	return s.mct.srv.PublicKey()
}

// McTinyAddrs returns the UDP addresses the McTiny service answers on.
func (s *Server) McTinyAddrs() []net.Addr {
	if s.mct == nil {
		return nil
	}
	s.mct.mu.Lock()
	defer s.mct.mu.Unlock()
	var out []net.Addr
	for _, c := range s.mct.conns {
		out = append(out, c.LocalAddr())
	}
	return out
}

// serveMcTiny starts McTiny on UDP for the SSH listener at addr: the same
// IP address, and McTinyPort or else the listener's port. A second
// listener with the same UDP address shares the socket.
func (s *Server) serveMcTiny(addr net.Addr) error {
	m := s.mct
	if m == nil {
		return nil
	}
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return fmt.Errorf("pqsshd: McTiny needs a TCP listener, not %s", addr.Network())
	}
	port := m.settings.Port
	if port == 0 {
		port = ta.Port
	}
	// As the TCP listener: IPv4 for an IPv4 address (0.0.0.0 included),
	// dual-stack for the unspecified IPv6 address, IPv6 otherwise.
	network := "udp6"
	switch {
	case ta.IP.To4() != nil:
		network = "udp4"
	case ta.IP.IsUnspecified():
		network = "udp"
	}
	ua := &net.UDPAddr{IP: ta.IP, Port: port, Zone: ta.Zone}
	key := ua.String()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ctx.Err() != nil {
		return ErrServerClosed
	}
	if _, ok := m.conns[key]; ok {
		return nil
	}
	pc, err := net.ListenUDP(network, ua)
	if err != nil {
		return fmt.Errorf("pqsshd: McTiny: %w", err)
	}
	m.conns[key] = pc
	m.log.Info("mctiny: listening", "addr", pc.LocalAddr().String(), "network", "udp")
	m.wg.Go(func() {
		if err := m.srv.Serve(m.ctx, pc); err != nil {
			m.log.Error("mctiny: serve failed", "addr", pc.LocalAddr().String(), "err", err)
		}
	})
	return nil
}

// stopMcTiny stops the UDP service and closes its sockets.
func (s *Server) stopMcTiny() {
	m := s.mct
	if m == nil {
		return
	}
	m.cancel()
	m.wg.Wait()
	m.mu.Lock()
	for k, c := range m.conns {
		c.Close()
		delete(m.conns, k)
	}
	m.mu.Unlock()
}

// addMcTiny offers mctiny6688128x25519-sha512 on a connection (after the
// configured KexAlgorithms; the client's order decides) when McTiny is on.
func (s *Server) addMcTiny(sc *gossh.ServerConfig) {
	m := s.mct
	if m == nil {
		return
	}
	if !slices.Contains(sc.KeyExchanges, sshkex.Name) {
		sc.KeyExchanges = append(slices.Clone(sc.KeyExchanges), sshkex.Name)
	}
	methods := maps.Clone(sc.KeyExchangeMethods)
	if methods == nil {
		methods = map[string]gossh.KeyExchangeMethod{}
	}
	methods[sshkex.Name] = m.method
	sc.KeyExchangeMethods = methods
}

// mctinyKeyRequest answers the global request mctiny-public-key@pqssh
// (draft-pqssh-mctiny-ssh-00, section 8). Global requests reach pqsshd
// only on authenticated connections. The offer names McTinyPort, or the
// port of the SSH connection when McTinyPort is 0.
func (s *Server) mctinyKeyRequest(ctx glssh.Context, _ *glssh.Server, req *gossh.Request) (bool, []byte) {
	m := s.mct
	if m == nil {
		s.log.Info("mctiny: public key requested but McTiny is off", "user", ctx.User(), "remote", ctx.RemoteAddr().String())
		return false, nil
	}
	if len(req.Payload) != 0 {
		s.log.Info("mctiny: malformed public key request", "user", ctx.User(), "remote", ctx.RemoteAddr().String())
		return false, nil
	}
	port := m.settings.Port
	if port == 0 {
		if a, ok := ctx.LocalAddr().(*net.TCPAddr); ok {
			port = a.Port
		}
	}
	if port <= 0 || port > 65535 {
		return false, nil
	}
	s.log.Info("mctiny: sent public key", "user", ctx.User(), "remote", ctx.RemoteAddr().String(),
		"fingerprint", m.fp, "port", strconv.Itoa(port))
	return true, sshkex.MarshalKeyOffer(&sshkex.KeyOffer{Params: mctiny.Name, Port: uint16(port), PublicKey: m.srv.PublicKey()})
}

// warnMcTinyReload logs when a reloaded configuration changes the McTiny
// settings, which take effect only at restart.
func (s *Server) warnMcTinyReload(cfg *config.Config) {
	var cur config.McTinySettings
	if s.mct != nil {
		cur = s.mct.settings
	}
	if cfg.McTiny.Enabled != cur.Enabled || cfg.McTiny.Enabled && cfg.McTiny != cur {
		s.log.Warn("McTiny option changes take effect at restart; keeping the running McTiny settings")
	}
}
