package server

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	glssh "github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/config"
	"github.com/pqssh/pqssh/server/userproc"
)

// dialTimeout bounds connecting to a local (direct-tcpip) destination.
const dialTimeout = 10 * time.Second

// maxForwards bounds the remote-forwarding listeners of one connection.
const maxForwards = 256

// defaultMaxRelays bounds the forwarding channels (each a socket and two
// goroutines) one connection may have open at once, so that one client
// cannot exhaust the daemon's file descriptors for everyone.
const defaultMaxRelays = 1024

// relayStart counts a forwarding channel; false when the connection is at
// the server's limit.
func (st *connState) relayStart() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.relays >= st.server.maxRelays {
		return false
	}
	st.relays++
	return true
}

func (st *connState) relayDone() {
	st.mu.Lock()
	st.relays--
	st.markIdleLocked()
	st.mu.Unlock()
}

// forwards are a connection's remote-forwarding listeners.
type forwards struct {
	mu sync.Mutex
	m  map[string]net.Listener
}

func (st *connState) forwards() *forwards {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.fwd == nil {
		st.fwd = &forwards{m: map[string]net.Listener{}}
	}
	return st.fwd
}

// add records a listener unless its key is taken or the limit reached.
func (f *forwards) add(key string, l net.Listener) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, dup := f.m[key]; dup || len(f.m) >= maxForwards {
		return false
	}
	f.m[key] = l
	return true
}

func (f *forwards) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, l := range f.m {
		l.Close()
		delete(f.m, k)
	}
}

// allows reports whether an AllowTcpForwarding/AllowStreamLocalForwarding
// value permits the direction ("local" or "remote").
func allows(setting, dir string) bool {
	return setting == "yes" || setting == "all" || setting == dir
}

// permitted checks host:port against a PermitOpen-style list ("any",
// "none", or host:port entries where port may be '*').
func permitted(list []string, host string, port uint32) bool {
	if len(list) == 0 {
		return true
	}
	for _, e := range list {
		switch e {
		case "any":
			return true
		case "none":
			return false
		}
		h, p, err := config.SplitHostPort(e)
		if err != nil {
			// PermitListen allows a bare port.
			h, p = "*", e
		}
		if (h == "*" || strings.EqualFold(h, host)) && (p == "*" || p == strconv.Itoa(int(port))) {
			return true
		}
	}
	return false
}

// dialAsUser connects to a forwarding destination from a process with the
// user's credentials, within dialTimeout.
func (s *Server) dialAsUser(ctx context.Context, st *connState, a *account, network, address string) (net.Conn, error) {
	ops, err := s.userSockets(st, a)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	return ops.Dial(ctx, network, address)
}

// directTCPIP handles local forwarding channels (RFC 4254 section 7.2),
// under AllowTcpForwarding, PermitOpen and the key's no-port-forwarding
// and permitopen= options.
func (s *Server) directTCPIP(st *connState, conn *gossh.ServerConn, nc gossh.NewChannel, ctx glssh.Context) {
	info := authOf(conn)
	defer s.recoverChannel(st, "direct-tcpip")
	var m struct {
		Host       string
		Port       uint32
		OriginHost string
		OriginPort uint32
	}
	if err := gossh.Unmarshal(nc.ExtraData(), &m); err != nil || info == nil {
		nc.Reject(gossh.ConnectionFailed, "bad request")
		return
	}
	log := s.log.With("conn", st.id, "user", info.acct.Name, "dest", net.JoinHostPort(m.Host, strconv.Itoa(int(m.Port))))
	reason := ""
	switch {
	case info.cfg.DisableForwarding:
		reason = "DisableForwarding"
	case !allows(info.cfg.AllowTCPForwarding, "local"):
		reason = "AllowTcpForwarding " + info.cfg.AllowTCPForwarding
	case info.opts.NoPortForwarding:
		reason = "no-port-forwarding"
	case !permitted(info.cfg.PermitOpen, m.Host, m.Port):
		reason = "PermitOpen"
	case len(info.opts.PermitOpen) > 0 && !permitted(info.opts.PermitOpen, m.Host, m.Port):
		reason = "permitopen="
	}
	if reason != "" {
		log.Info("local forwarding refused", "reason", reason)
		nc.Reject(gossh.Prohibited, "port forwarding refused ("+reason+")")
		return
	}
	s.startKeepalive(ctx, conn, st, info.cfg)
	if !st.relayStart() {
		log.Info("local forwarding refused: too many open forwarding channels", "max", s.maxRelays)
		nc.Reject(gossh.ResourceShortage, "too many forwarding channels")
		return
	}
	defer st.relayDone()
	d, err := s.dialAsUser(ctx, st, info.acct, "tcp", net.JoinHostPort(m.Host, strconv.Itoa(int(m.Port))))
	if err != nil {
		log.Info("local forwarding: connect failed", "err", err)
		nc.Reject(gossh.ConnectionFailed, err.Error())
		return
	}
	log.Debug("local forwarding")
	relayAccepted(nc, d)
}

// tcpipForward handles "tcpip-forward" (RFC 4254 section 7.1) under
// AllowTcpForwarding, PermitListen, GatewayPorts and the key's options.
func (s *Server) tcpipForward(st *connState, ctx glssh.Context, req *gossh.Request) (bool, []byte) {
	conn, _ := ctx.Value(glssh.ContextKeyConn).(*gossh.ServerConn)
	info := authOf(conn)
	defer s.recoverChannel(st, "tcpip-forward")
	var m struct {
		Addr string
		Port uint32
	}
	if err := gossh.Unmarshal(req.Payload, &m); err != nil || info == nil || m.Port > 65535 {
		return false, nil
	}
	log := s.log.With("conn", st.id, "user", info.acct.Name, "listen", net.JoinHostPort(m.Addr, strconv.Itoa(int(m.Port))))
	reason := ""
	switch {
	case info.cfg.DisableForwarding:
		reason = "DisableForwarding"
	case !allows(info.cfg.AllowTCPForwarding, "remote"):
		reason = "AllowTcpForwarding " + info.cfg.AllowTCPForwarding
	case info.opts.NoPortForwarding:
		reason = "no-port-forwarding"
	case !permitted(info.cfg.PermitListen, m.Addr, m.Port):
		reason = "PermitListen"
	case len(info.opts.PermitListen) > 0 && !permitted(info.opts.PermitListen, m.Addr, m.Port):
		reason = "permitlisten="
	case m.Port != 0 && m.Port < 1024 && info.acct.UID != 0:
		reason = "privileged port"
	}
	if reason != "" {
		log.Info("remote forwarding refused", "reason", reason)
		return false, nil
	}
	s.startKeepalive(ctx, conn, st, info.cfg)
	bind := bindAddress(info.cfg.GatewayPorts, m.Addr)
	ops, err := s.userSockets(st, info.acct)
	if err != nil {
		log.Warn("remote forwarding: cannot open sockets as the user", "err", err)
		return false, nil
	}
	l, err := ops.Listen(ctx, "tcp", net.JoinHostPort(bind, strconv.Itoa(int(m.Port))), userproc.ListenOptions{})
	if err != nil {
		log.Info("remote forwarding: listen failed", "err", err)
		return false, nil
	}
	port := uint32(l.Addr().(*net.TCPAddr).Port)
	key := net.JoinHostPort(m.Addr, strconv.Itoa(int(port)))
	if !st.forwards().add(key, l) {
		log.Info("remote forwarding refused: duplicate or too many listeners", "max", maxForwards)
		l.Close()
		return false, nil
	}
	f := st.forwards()
	go func() {
		<-ctx.Done()
		f.closeAll()
	}()
	log.Info("remote forwarding", "bound", l.Addr().String())
	go s.relayListener(st, l, log, "forwarded-tcpip", func(c net.Conn) (gossh.Channel, <-chan *gossh.Request, error) {
		ra, _ := c.RemoteAddr().(*net.TCPAddr)
		if ra == nil {
			ra = &net.TCPAddr{IP: net.IPv4zero}
		}
		return conn.OpenChannel("forwarded-tcpip", gossh.Marshal(struct {
			Addr       string
			Port       uint32
			OriginAddr string
			OriginPort uint32
		}{m.Addr, port, ra.IP.String(), uint32(ra.Port)}))
	})
	if m.Port == 0 {
		return true, gossh.Marshal(struct{ Port uint32 }{port})
	}
	return true, nil
}

// bindAddress applies GatewayPorts to a requested bind address: "no" binds
// loopback only, "yes" the wildcard, "clientspecified" what the client asked
// ("" and "*" meaning all addresses, "localhost" loopback).
func bindAddress(gatewayPorts, requested string) string {
	switch gatewayPorts {
	case "yes":
		return ""
	case "clientspecified":
		switch requested {
		case "", "*", "0.0.0.0", "::":
			return ""
		case "localhost":
			return "127.0.0.1"
		}
		return requested
	}
	if requested == "::1" {
		return "::1"
	}
	return "127.0.0.1"
}

func (s *Server) cancelTCPIPForward(st *connState, _ glssh.Context, req *gossh.Request) (bool, []byte) {
	var m struct {
		Addr string
		Port uint32
	}
	if err := gossh.Unmarshal(req.Payload, &m); err != nil {
		return false, nil
	}
	return st.forwards().cancel(net.JoinHostPort(m.Addr, strconv.Itoa(int(m.Port)))), nil
}

func (f *forwards) cancel(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.m[key]
	if ok {
		l.Close()
		delete(f.m, key)
	}
	return ok
}

// directStreamLocal handles direct-streamlocal@openssh.com (OpenSSH
// PROTOCOL section 2.4): a connection to a Unix socket, made by a process
// with the user's credentials (abstract-namespace paths are refused).
func (s *Server) directStreamLocal(st *connState, conn *gossh.ServerConn, nc gossh.NewChannel, ctx glssh.Context) {
	info := authOf(conn)
	defer s.recoverChannel(st, "direct-streamlocal")
	var m struct {
		Path      string
		Reserved1 string
		Reserved2 uint32
	}
	if err := gossh.Unmarshal(nc.ExtraData(), &m); err != nil || info == nil {
		nc.Reject(gossh.ConnectionFailed, "bad request")
		return
	}
	log := s.log.With("conn", st.id, "user", info.acct.Name, "socket", m.Path)
	if info.cfg.DisableForwarding || !allows(info.cfg.AllowStreamLocalForwarding, "local") || info.opts.NoPortForwarding {
		log.Info("streamlocal forwarding refused")
		nc.Reject(gossh.Prohibited, "streamlocal forwarding refused")
		return
	}
	if err := userproc.CheckUnixPath(m.Path); err != nil {
		// Abstract sockets have no permission checks; OpenSSH, which
		// has no abstract paths, fails the same requests.
		log.Info("streamlocal forwarding refused: bad socket path", "err", err)
		nc.Reject(gossh.ConnectionFailed, "open failed")
		return
	}
	if !st.relayStart() {
		log.Info("streamlocal forwarding refused: too many open forwarding channels", "max", s.maxRelays)
		nc.Reject(gossh.ResourceShortage, "too many forwarding channels")
		return
	}
	defer st.relayDone()
	d, err := s.dialAsUser(ctx, st, info.acct, "unix", m.Path)
	if err != nil {
		log.Info("streamlocal forwarding: connect failed", "err", err)
		nc.Reject(gossh.ConnectionFailed, err.Error())
		return
	}
	relayAccepted(nc, d)
}

// streamLocalForward handles streamlocal-forward@openssh.com: a Unix
// socket created (mode 0600) and accepted on by a process with the user's
// credentials, whose connections come back as
// forwarded-streamlocal@openssh.com channels.
func (s *Server) streamLocalForward(st *connState, ctx glssh.Context, req *gossh.Request) (bool, []byte) {
	conn, _ := ctx.Value(glssh.ContextKeyConn).(*gossh.ServerConn)
	info := authOf(conn)
	defer s.recoverChannel(st, "streamlocal-forward")
	var m struct{ Path string }
	if err := gossh.Unmarshal(req.Payload, &m); err != nil || info == nil || m.Path == "" {
		return false, nil
	}
	log := s.log.With("conn", st.id, "user", info.acct.Name, "socket", m.Path)
	if info.cfg.DisableForwarding || !allows(info.cfg.AllowStreamLocalForwarding, "remote") || info.opts.NoPortForwarding {
		log.Info("remote streamlocal forwarding refused")
		return false, nil
	}
	if err := userproc.CheckUnixPath(m.Path); err != nil {
		log.Info("remote streamlocal forwarding refused: bad socket path", "err", err)
		return false, nil
	}
	ops, err := s.userSockets(st, info.acct)
	if err != nil {
		log.Warn("remote streamlocal forwarding: cannot open sockets as the user", "err", err)
		return false, nil
	}
	// The socket is the user's, mode 0600, and removed when closed.
	l, err := ops.Listen(ctx, "unix", m.Path, userproc.ListenOptions{UnlinkFirst: info.cfg.StreamLocalBindUnlink})
	if err != nil {
		log.Info("remote streamlocal forwarding: listen failed", "err", err)
		return false, nil
	}
	f := st.forwards()
	if !f.add("unix:"+filepath.Clean(m.Path), l) {
		log.Info("remote streamlocal forwarding refused: duplicate or too many listeners", "max", maxForwards)
		l.Close()
		return false, nil
	}
	go func() {
		<-ctx.Done()
		f.closeAll()
	}()
	go s.relayListener(st, l, log, "forwarded-streamlocal", func(net.Conn) (gossh.Channel, <-chan *gossh.Request, error) {
		return conn.OpenChannel("forwarded-streamlocal@openssh.com", gossh.Marshal(struct {
			Path     string
			Reserved string
		}{m.Path, ""}))
	})
	log.Info("remote streamlocal forwarding")
	return true, nil
}

func (s *Server) cancelStreamLocalForward(st *connState, _ glssh.Context, req *gossh.Request) (bool, []byte) {
	var m struct{ Path string }
	if err := gossh.Unmarshal(req.Payload, &m); err != nil {
		return false, nil
	}
	return st.forwards().cancel("unix:" + filepath.Clean(m.Path)), nil
}
