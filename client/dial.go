// Package client is pqssh's SSH client library: it connects the way
// OpenSSH's ssh(1) does (ssh_config semantics, known_hosts checking, agent
// and identity files, ProxyCommand and ProxyJump) with post-quantum key
// exchange first, and offers the session, forwarding and escape handling
// that cmd/pqssh is built from.
package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pqssh/pqssh/client/config"
	"github.com/pqssh/pqssh/client/knownhosts"
	"github.com/pqssh/pqssh/internal/sshwire"
	"github.com/pqssh/pqssh/mctiny"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Version is pqssh's software version, sent in the SSH identification
// string and printed by -V.
const Version = "pqssh_0.1"

// Dialer connects to one host with a resolved configuration.
type Dialer struct {
	Config *config.Resolved
	// Log receives OpenSSH-style diagnostics; nil discards them.
	Log *Logger
	// Prompt asks the user (host key confirmation, passphrases,
	// passwords); nil means there is no terminal to ask.
	Prompt Prompter
	// Agent overrides the agent found through IdentityAgent or
	// $SSH_AUTH_SOCK.
	Agent agent.ExtendedAgent
	// ResolveJump resolves the configuration of a ProxyJump hop
	// ("[user@]host[:port]"); nil uses built-in defaults for the hop.
	ResolveJump func(spec string) (*config.Resolved, error)
	// Stderr receives the stderr of a ProxyCommand; nil means os.Stderr.
	Stderr io.Writer
	// KeyExchangeMethods are key-exchange implementations used by this
	// connection only (ssh.Config.KeyExchangeMethods), e.g. a McEliece
	// method with a pre-generated key pair. Their names must also be in
	// Config.KexAlgorithms to be offered.
	KeyExchangeMethods map[string]ssh.KeyExchangeMethod
	// RekeyKexAlgorithms, if set, are the key exchanges offered in rekeys
	// instead of Config.KexAlgorithms (ssh.Config.RekeyKeyExchanges): a
	// McTiny connection keys its first exchange with McTiny's result and
	// later ones with these.
	RekeyKexAlgorithms []string
	// McTinyConn, if set, carries the McTiny exchange of McTiny=yes
	// instead of a fresh UDP socket (mctiny.go).
	McTinyConn net.PacketConn
	// McTinyOptions, if set, tune the McTiny exchange (timeouts, window).
	McTinyOptions *mctiny.ClientConfig

	agentConn net.Conn
	// kexMethods is KeyExchangeMethods plus a prestarted key generation
	// (prestart.go), set by Dial.
	kexMethods map[string]ssh.KeyExchangeMethod
}

// Client is an established, authenticated connection.
type Client struct {
	*ssh.Client
	// Algorithms are the algorithms negotiated by the first key exchange.
	Algorithms ssh.NegotiatedAlgorithms
	// HostKeyChanged is set when the host key differed from known_hosts
	// and StrictHostKeyChecking=no let the connection through: forwarding
	// must then stay off, as in OpenSSH.
	HostKeyChanged bool
	// Agent is the agent used for authentication, if any (for
	// ForwardAgent=yes).
	Agent agent.ExtendedAgent
	// Start is when the connection was established.
	Start time.Time
	// AuthMethod is the method that authenticated the user.
	AuthMethod string
	// McTiny describes the McTiny exchange that preceded the connection
	// (McTiny=yes), nil otherwise.
	McTiny *mctiny.ExchangeStats

	wire      *wireConn
	jump      *Client
	agentConn net.Conn
	hostKeys  *hostKeyUpdater
}

// Stats returns the bytes sent and received on the transport so far.
func (c *Client) Stats() (sent, received int64) {
	return c.wire.sent.Load(), c.wire.recv.Load()
}

// Close closes the connection and any jump connections under it.
func (c *Client) Close() error {
	c.hostKeys.wait(3 * time.Second) // an UpdateHostKeys exchange in progress
	err := c.Client.Close()
	if c.jump != nil {
		c.jump.Close()
	}
	if c.agentConn != nil {
		c.agentConn.Close()
	}
	return err
}

// Dial resolves nothing itself: it connects with cfg and returns the
// authenticated *ssh.Client. It is the short form of Dialer.Dial for
// tests and other packages.
func Dial(ctx context.Context, cfg *config.Resolved) (*ssh.Client, error) {
	c, err := (&Dialer{Config: cfg}).Dial(ctx)
	if err != nil {
		return nil, err
	}
	return c.Client, nil
}

// NegotiationError reports that the peers have no algorithm in common.
type NegotiationError struct {
	Host   string
	Port   int
	What   string // "key exchange method", "host key type", ...
	Offer  []string
	Reason string
}

func (e *NegotiationError) Error() string {
	return fmt.Sprintf("Unable to negotiate with %s port %d: no matching %s found. Their offer: %s",
		e.Host, e.Port, e.What, strings.Join(e.Offer, ","))
}

// ConnectError is a failure to reach the host, worded like ssh's
// "connect to host H port P: Connection refused".
type ConnectError struct {
	Host string
	Port int
	Err  error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("connect to host %s port %d: %s", e.Host, e.Port, strerror(e.Err))
}

func (e *ConnectError) Unwrap() error { return e.Err }

func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ECONNREFUSED:
			return "Connection refused"
		case syscall.ETIMEDOUT:
			return "Connection timed out"
		case syscall.EHOSTUNREACH:
			return "No route to host"
		case syscall.ENETUNREACH:
			return "Network is unreachable"
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "Connection timed out"
	}
	return err.Error()
}

// Dial connects, performs the key exchange and authenticates.
func (d *Dialer) Dial(ctx context.Context) (*Client, error) {
	r := d.Config
	if r.RefuseConnection {
		return nil, fmt.Errorf("RefuseConnection: connection to %s refused by configuration", r.Host)
	}
	if r.McTiny {
		return d.dialMcTiny(ctx)
	}
	if r.ConnectTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.ConnectTimeout)
		defer cancel()
	}
	methods, release := d.prestartKex()
	defer release()
	d.kexMethods = methods
	conn, jump, err := d.connect(ctx)
	if err != nil {
		return nil, err
	}
	c, err := d.handshake(ctx, conn)
	if err != nil {
		conn.Close()
		if jump != nil {
			jump.Close()
		}
		return nil, err
	}
	c.jump = jump
	return c, nil
}

// ClientConfig builds the ssh.ClientConfig for the connection. It is the
// one place where algorithms, host key checking and authentication are
// assembled (per-connection KeyExchangeMethods belong here too).
func (d *Dialer) ClientConfig(db *knownhosts.DB, st *hostKeyState, auth *authenticator) *ssh.ClientConfig {
	r := d.Config
	host := r.HostName
	if r.HostKeyAlias != "" {
		host = r.HostKeyAlias
	}
	hostKeyAlgs := r.HostKeyAlgorithms
	if !r.HostKeyAlgorithmsSet {
		known := db.KnownTypes(knownhosts.HostName(host, r.Port))
		hostKeyAlgs = orderHostKeyAlgorithms(hostKeyAlgs, known)
		if len(known) > 0 {
			d.Log.Debug(3, "order_hostkeyalgs: known key types %s: prefer hostkeyalgs: %s", strings.Join(known, ","), strings.Join(hostKeyAlgs, ","))
		} else {
			d.Log.Debug(3, "order_hostkeyalgs: no algorithms matched; accept original")
		}
	}
	clientVersion := "SSH-2.0-" + Version
	if r.VersionAddendum != "" && !strings.EqualFold(r.VersionAddendum, "none") {
		clientVersion += " " + r.VersionAddendum
	}
	methods := d.KeyExchangeMethods
	if d.kexMethods != nil {
		methods = d.kexMethods
	}
	cc := &ssh.ClientConfig{
		Config: ssh.Config{
			KeyExchanges:       r.KexAlgorithms,
			Ciphers:            r.Ciphers,
			MACs:               r.MACs,
			RekeyThreshold:     uint64(r.RekeyLimit),
			KeyExchangeMethods: methods,
			RekeyKeyExchanges:  d.RekeyKexAlgorithms,
			// 256 KiB channel packets: a peer with bulk data at hand
			// sends an eighth of the packets (docs/benchmarks.md).
			ChannelMaxPacket: ChannelMaxPacket,
		},
		User:              r.User,
		HostKeyCallback:   d.hostKeyCallback(db, st),
		HostKeyAlgorithms: hostKeyAlgs,
		ClientVersion:     clientVersion,
		BannerCallback: func(msg string) error {
			// Printed as OpenSSH's input_userauth_banner does (fmprintf):
			// as it is, but with the terminal-affecting bytes escaped.
			if d.Log.Level() >= Info {
				fmt.Fprint(d.Log.Writer(), d.Log.Sanitize(msg))
			}
			return nil
		},
		AuthCallback: auth.callback,
	}
	return cc
}

func (d *Dialer) handshake(ctx context.Context, conn net.Conn) (*Client, error) {
	r := d.Config
	wc := &wireConn{Conn: conn}
	wc.onKexInits = d.logKex
	wc.onVersion = func(v string) {
		d.Log.Debug(1, "Remote protocol version 2.0, remote software version %s", strings.TrimPrefix(v, "SSH-2.0-"))
	}
	var files []string
	files = append(files, r.UserKnownHostsFiles...)
	files = append(files, r.GlobalKnownHostsFiles...)
	db, bad := knownhosts.Load(files...)
	for _, e := range bad {
		d.Log.Debug(1, "known_hosts: %v", e)
	}
	st := &hostKeyState{}
	ag := d.openAgent()
	ids := d.identities(ag)
	auth := d.newAuthenticator(ids, r.User)
	cc := d.ClientConfig(db, st, auth)
	d.Log.Debug(1, "Local version string %s", cc.ClientVersion)

	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	sc, chans, reqs, err := ssh.NewClientConn(wc, r.Addr(), cc)
	stop()
	conn.SetDeadline(time.Time{})
	if err != nil {
		if d.agentConn != nil {
			d.agentConn.Close()
		}
		return nil, d.explain(err, wc, st)
	}
	d.Log.Debug(1, "Authenticated to %s ([%s]:%d) using \"%s\".", r.HostName, remoteIP(conn, r.HostName), r.Port, auth.last)
	var algs ssh.NegotiatedAlgorithms
	if am, ok := sc.(ssh.AlgorithmsConnMetadata); ok {
		algs = am.Algorithms()
	}
	reqs, updater := d.filterGlobalRequests(sc, reqs, db, st)
	c := &Client{
		Client:         ssh.NewClient(sc, chans, reqs),
		hostKeys:       updater,
		Algorithms:     algs,
		HostKeyChanged: st.changed,
		Agent:          ag,
		Start:          time.Now(),
		AuthMethod:     auth.last,
		wire:           wc,
		agentConn:      d.agentConn,
	}
	return c, nil
}

// maxDisconnectMsg is how much of a disconnect message OpenSSH shows
// ("%.400s").
// ChannelMaxPacket is the data payload per packet pqssh accepts on its
// channels and advertises (the fork's Config.ChannelMaxPacket; x/crypto's
// default is 32 KiB). OpenSSH servers keep sending at most 32 KiB; pqsshd
// sends up to this much, so bulk output takes fewer packets.
const ChannelMaxPacket = 256 << 10

const maxDisconnectMsg = 400

// disconnectPrefix starts the text of the error by which the SSH library
// reports an SSH_MSG_DISCONNECT from the peer: the prefix, the reason code,
// ": " and the message as a Go-quoted string.
const disconnectPrefix = "ssh: disconnect, reason "

// peerDisconnect finds, in err's chain, the SSH library's report of an
// SSH_MSG_DISCONNECT from the server and returns its reason code and
// message. The library's error type is not exported, so it is recognised
// by its text.
func peerDisconnect(err error) (reason uint32, msg string, ok bool) {
	for ; err != nil; err = errors.Unwrap(err) {
		rest, found := strings.CutPrefix(err.Error(), disconnectPrefix)
		if !found {
			continue
		}
		code, quoted, found := strings.Cut(rest, ": ")
		if !found {
			continue
		}
		n, perr := strconv.ParseUint(code, 10, 32)
		m, qerr := strconv.Unquote(quoted)
		if perr != nil || qerr != nil {
			continue
		}
		return uint32(n), m, true
	}
	return 0, "", false
}

// truncate cuts s to at most n bytes.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func remoteIP(c net.Conn, fallback string) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	return fallback
}

// explain turns a handshake failure into the message ssh would print.
func (d *Dialer) explain(err error, wc *wireConn, st *hostKeyState) error {
	r := d.Config
	if st.err != nil {
		return st.err
	}
	var pd *PermissionDeniedError
	if errors.As(err, &pd) {
		return pd
	}
	if cl, sv := wc.kexInits(); cl != nil && sv != nil {
		checks := []struct {
			what   string
			c, s   []string
			offset int
		}{
			{"key exchange method", realKex(cl.KexAlgos), realKex(sv.KexAlgos), 0},
			{"host key type", cl.ServerHostKeyAlgos, sv.ServerHostKeyAlgos, 0},
			{"cipher", cl.CiphersClientServer, sv.CiphersClientServer, 0},
			{"cipher", cl.CiphersServerClient, sv.CiphersServerClient, 0},
		}
		for _, ch := range checks {
			if agree(ch.c, ch.s) == "" {
				return &NegotiationError{Host: r.HostName, Port: r.Port, What: ch.what, Offer: ch.s}
			}
		}
		if c := agree(cl.CiphersClientServer, sv.CiphersClientServer); !isAEAD(c) && agree(cl.MACsClientServer, sv.MACsClientServer) == "" {
			return &NegotiationError{Host: r.HostName, Port: r.Port, What: "MAC", Offer: sv.MACsClientServer}
		}
	}
	if reason, msg, ok := peerDisconnect(err); ok {
		// As OpenSSH's packet.c reports it (the logger escapes msg).
		ip := remoteIP(wc.Conn, r.HostName)
		return fmt.Errorf("Received disconnect from %s port %d:%d: %s\nDisconnected from %s port %d",
			ip, r.Port, reason, truncate(msg, maxDisconnectMsg), ip, r.Port)
	}
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("Connection closed by %s port %d", r.HostName, r.Port)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("Connection timed out during banner exchange")
	}
	return fmt.Errorf("%s port %d: %v", r.HostName, r.Port, err)
}

// logKex prints the negotiated algorithms as OpenSSH's kex.c does, and the
// post-quantum warning of OpenSSH 10.1 when the key exchange is classical.
func (d *Dialer) logKex(cl, sv *sshwire.KexInit) {
	log := d.Log
	log.Debug(1, "SSH2_MSG_KEXINIT sent")
	log.Debug(1, "SSH2_MSG_KEXINIT received")
	d.logProposal("local client KEXINIT proposal", cl)
	d.logProposal("peer server KEXINIT proposal", sv)
	k := agree(realKex(cl.KexAlgos), realKex(sv.KexAlgos))
	if k == "" {
		return
	}
	log.Debug(1, "kex: algorithm: %s", k)
	if hk := agree(cl.ServerHostKeyAlgos, sv.ServerHostKeyAlgos); hk != "" {
		log.Debug(1, "kex: host key algorithm: %s", hk)
	}
	dir := func(name string, cc, sc, cm, sm []string) {
		c := agree(cc, sc)
		mac := "<implicit>"
		if !isAEAD(c) {
			mac = agree(cm, sm)
		}
		log.Debug(1, "kex: %s cipher: %s MAC: %s compression: none", name, c, mac)
	}
	dir("server->client", cl.CiphersServerClient, sv.CiphersServerClient, cl.MACsServerClient, sv.MACsServerClient)
	dir("client->server", cl.CiphersClientServer, sv.CiphersClientServer, cl.MACsClientServer, sv.MACsClientServer)
	r := d.Config
	if !config.IsPostQuantum(k) && !r.KexAlgorithmsSet && r.WarnWeakCrypto {
		log.Info("** WARNING: connection is not using a post-quantum key exchange algorithm.")
		log.Info("** This session may be vulnerable to \"store now, decrypt later\" attacks.")
		log.Info("** The server may need to be upgraded. See https://openssh.com/pq.html")
	}
}

// logProposal prints a KEXINIT's lists at DEBUG2, as OpenSSH's
// kex_prop2buf/kex_buf2prop debugging does.
func (d *Dialer) logProposal(title string, k *sshwire.KexInit) {
	log := d.Log
	if log.Level() < Debug2 {
		return
	}
	j := func(l []string) string { return strings.Join(l, ",") }
	log.Debug(2, "%s", title)
	log.Debug(2, "KEX algorithms: %s", j(k.KexAlgos))
	log.Debug(2, "host key algorithms: %s", j(k.ServerHostKeyAlgos))
	log.Debug(2, "ciphers ctos: %s", j(k.CiphersClientServer))
	log.Debug(2, "ciphers stoc: %s", j(k.CiphersServerClient))
	log.Debug(2, "MACs ctos: %s", j(k.MACsClientServer))
	log.Debug(2, "MACs stoc: %s", j(k.MACsServerClient))
	log.Debug(2, "compression ctos: %s", j(k.CompressionClientServer))
	log.Debug(2, "compression stoc: %s", j(k.CompressionServerClient))
	log.Debug(2, "languages ctos: ")
	log.Debug(2, "languages stoc: ")
	log.Debug(2, "first_kex_follows 0 ")
	log.Debug(2, "reserved 0 ")
}

// connect opens the transport: ProxyJump, ProxyCommand or TCP.
func (d *Dialer) connect(ctx context.Context) (net.Conn, *Client, error) {
	r := d.Config
	switch {
	case r.ProxyJump != "":
		return d.connectJump(ctx)
	case r.ProxyCommand != "":
		c, err := d.proxyCommand(r.ProxyCommand)
		return c, nil, err
	}
	var lastErr error
	d.Log.Debug(2, "resolving \"%s\" port %d", r.HostName, r.Port)
	for attempt := 0; attempt < max(r.ConnectionAttempts, 1); attempt++ {
		if attempt > 0 {
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
				return nil, nil, &ConnectError{Host: r.HostName, Port: r.Port, Err: ctx.Err()}
			}
		}
		d.Log.Debug(3, "ssh_connect_direct: entering")
		d.Log.Debug(1, "Connecting to %s port %d.", r.HostName, r.Port)
		c, err := d.dialTCP(ctx, r.HostName, r.Port)
		if err == nil {
			d.Log.Debug(1, "Connection established.")
			return c, nil, nil
		}
		lastErr = err
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return nil, nil, fmt.Errorf("Could not resolve hostname %s: %s", r.HostName, dnsMessage(dnsErr))
		}
	}
	return nil, nil, &ConnectError{Host: r.HostName, Port: r.Port, Err: lastErr}
}

func dnsMessage(e *net.DNSError) string {
	if e.IsNotFound {
		return "Name or service not known"
	}
	return e.Err
}

func (d *Dialer) dialTCP(ctx context.Context, host string, port int) (net.Conn, error) {
	r := d.Config
	network := "tcp"
	switch r.AddressFamily {
	case "inet":
		network = "tcp4"
	case "inet6":
		network = "tcp6"
	}
	nd := &net.Dialer{}
	if !r.TCPKeepAlive {
		nd.KeepAlive = -1
	}
	if r.BindAddress != "" {
		ip := net.ParseIP(r.BindAddress)
		if ip == nil {
			ips, err := net.DefaultResolver.LookupIP(ctx, "ip", r.BindAddress)
			if err != nil || len(ips) == 0 {
				return nil, fmt.Errorf("bind address %s: %v", r.BindAddress, err)
			}
			ip = ips[0]
		}
		nd.LocalAddr = &net.TCPAddr{IP: ip}
	}
	return nd.DialContext(ctx, network, net.JoinHostPort(host, strconv.Itoa(port)))
}

// connectJump connects through the ProxyJump hosts: the first hop is
// dialled with its own configuration, each further hop through the
// previous one (a "direct-tcpip" channel), and the target through the
// last.
func (d *Dialer) connectJump(ctx context.Context) (net.Conn, *Client, error) {
	r := d.Config
	hops := strings.Split(r.ProxyJump, ",")
	var prev *Client
	for i, spec := range hops {
		var hc *config.Resolved
		var err error
		if d.ResolveJump != nil {
			hc, err = d.ResolveJump(spec)
		} else {
			hc, err = DefaultJumpConfig(spec, r)
		}
		if err != nil {
			return nil, prev, fmt.Errorf("ProxyJump %s: %w", spec, err)
		}
		if i > 0 {
			// Only the first hop may use its own ProxyJump/ProxyCommand.
			hc.ProxyJump, hc.ProxyCommand = "", ""
		}
		hd := &Dialer{Config: hc, Log: d.Log, Prompt: d.Prompt, Agent: d.Agent, ResolveJump: d.ResolveJump, Stderr: d.Stderr}
		var c *Client
		if prev == nil {
			c, err = hd.Dial(ctx)
		} else {
			var conn net.Conn
			conn, err = prev.DialContext(ctx, "tcp", hc.Addr())
			if err == nil {
				c, err = hd.handshake(ctx, conn)
				if err == nil {
					c.jump = prev
				}
			}
		}
		if err != nil {
			if prev != nil {
				prev.Close()
			}
			return nil, nil, err
		}
		prev = c
	}
	d.Log.Debug(1, "Connecting to %s port %d through %s.", r.HostName, r.Port, r.ProxyJump)
	conn, err := prev.DialContext(ctx, "tcp", r.Addr())
	if err != nil {
		prev.Close()
		return nil, nil, fmt.Errorf("channel 0: open failed: %v", err)
	}
	return conn, prev, nil
}

// DefaultJumpConfig resolves a ProxyJump hop without configuration
// files: user, host and port from spec, everything else from base.
func DefaultJumpConfig(spec string, base *config.Resolved) (*config.Resolved, error) {
	user, host, port, err := ParseDestination(spec)
	if err != nil {
		return nil, err
	}
	c := *base
	c.Host, c.HostName, c.Port = host, host, 22
	if port != 0 {
		c.Port = port
	}
	c.User = base.LocalUser
	if user != "" {
		c.User = user
	}
	c.ProxyJump, c.ProxyCommand, c.HostKeyAlias = "", "", ""
	c.LocalForwards, c.RemoteForwards, c.DynamicForwards = nil, nil, nil
	return &c, nil
}

// ParseDestination splits "[user@]host[:port]" or
// "ssh://[user@]host[:port]" (port 0 when absent).
func ParseDestination(s string) (user, host string, port int, err error) {
	uri := strings.HasPrefix(s, "ssh://")
	if uri {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "ssh://"), "/")
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		user, s = s[:i], s[i+1:]
	}
	host = s
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return "", "", 0, fmt.Errorf("invalid destination %q", s)
		}
		host = s[1:end]
		if rest := s[end+1:]; rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return "", "", 0, fmt.Errorf("invalid destination %q", s)
			}
			if port, err = parsePort(rest[1:]); err != nil {
				return "", "", 0, err
			}
		}
	} else if i := strings.LastIndex(s, ":"); i >= 0 && strings.Count(s, ":") == 1 {
		host = s[:i]
		if port, err = parsePort(s[i+1:]); err != nil {
			return "", "", 0, err
		}
	}
	if host == "" {
		return "", "", 0, fmt.Errorf("invalid destination %q", s)
	}
	return user, host, port, nil
}

func parsePort(s string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("Bad port '%s'", s)
	}
	return p, nil
}

// proxyCommand runs the ProxyCommand with /bin/sh -c and uses its stdin
// and stdout as the transport.
func (d *Dialer) proxyCommand(command string) (net.Conn, error) {
	d.Log.Debug(1, "Executing proxy command: exec %s", command)
	cmd := exec.Command("/bin/sh", "-c", "exec "+command)
	cmd.Stderr = d.Stderr
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("proxy command: %w", err)
	}
	return &cmdConn{cmd: cmd, r: out, w: in}, nil
}

// cmdConn is a net.Conn over a child process's stdout and stdin.
type cmdConn struct {
	cmd  *exec.Cmd
	r    io.ReadCloser
	w    io.WriteCloser
	once sync.Once
}

func (c *cmdConn) Read(b []byte) (int, error)  { return c.r.Read(b) }
func (c *cmdConn) Write(b []byte) (int, error) { return c.w.Write(b) }

// Close closes the pipes and ends the proxy command (SIGHUP, as ssh
// does), once.
func (c *cmdConn) Close() error {
	c.once.Do(func() {
		c.w.Close()
		c.r.Close()
		if c.cmd.Process != nil {
			c.cmd.Process.Signal(syscall.SIGHUP)
		}
		c.cmd.Wait()
	})
	return nil
}
func (c *cmdConn) LocalAddr() net.Addr                { return pipeAddr{} }
func (c *cmdConn) RemoteAddr() net.Addr               { return pipeAddr{} }
func (c *cmdConn) SetDeadline(t time.Time) error      { return nil }
func (c *cmdConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *cmdConn) SetWriteDeadline(t time.Time) error { return nil }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "UNKNOWN:0" }
