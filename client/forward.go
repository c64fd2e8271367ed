package client

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pqssh/pqssh/client/config"
)

// ForwardOptions are the settings that shape forwardings (ssh_config(5)).
type ForwardOptions struct {
	// GatewayPorts lets TCP forwardings without a bind address listen on
	// every address instead of loopback.
	GatewayPorts bool
	// BindMask is StreamLocalBindMask: the umask for Unix-domain sockets
	// pqssh creates (OpenSSH's default 0177 leaves them 0600).
	BindMask os.FileMode
	// BindUnlink is StreamLocalBindUnlink: remove an existing socket file
	// before binding.
	BindUnlink bool
	// PermitRemoteOpen restricts the destinations of remote dynamic
	// forwarding (host:port patterns; nil or "any" allows all, "none"
	// none).
	PermitRemoteOpen []string
	Log              *Logger
}

// listenAddr is where a local forwarding listens: the given address, or
// loopback unless GatewayPorts (ssh_config(5), LocalForward).
func listenAddr(f config.Forward, gateway bool) string {
	h := f.ListenHost
	switch {
	case h == "*" || (h == "" && gateway):
		h = ""
	case h == "" || h == "localhost":
		h = "127.0.0.1"
	}
	return net.JoinHostPort(h, strconv.Itoa(f.ListenPort))
}

// umaskMu serializes the process-wide umask change around a Unix-domain
// socket's bind.
var umaskMu sync.Mutex

// listenLocal opens the local listening end: a TCP port, or a Unix-domain
// socket created under StreamLocalBindMask (after removing a stale one
// when StreamLocalBindUnlink), as OpenSSH's unix_listener does.
func listenLocal(f config.Forward, o ForwardOptions) (net.Listener, error) {
	if f.ListenPath == "" {
		l, err := net.Listen("tcp", listenAddr(f, o.GatewayPorts))
		if err != nil {
			return nil, fmt.Errorf("bind [%s]:%d: %w", f.ListenHost, f.ListenPort, err)
		}
		return l, nil
	}
	if o.BindUnlink {
		if fi, err := os.Lstat(f.ListenPath); err == nil && fi.Mode().Type() == os.ModeSocket {
			os.Remove(f.ListenPath)
		}
	}
	umaskMu.Lock()
	old := syscall.Umask(int(o.BindMask & 0o777))
	l, err := net.Listen("unix", f.ListenPath)
	syscall.Umask(old)
	umaskMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("unix_listener: cannot bind to path %s: %w", f.ListenPath, err)
	}
	// The socket file is removed when the listener is closed.
	l.(*net.UnixListener).SetUnlinkOnClose(true)
	return l, nil
}

// remoteTarget is the server-side destination of a local forwarding:
// host:port through "direct-tcpip" (RFC 4254, 7.2) or a socket path
// through "direct-streamlocal@openssh.com" (OpenSSH PROTOCOL, 2.4).
func remoteTarget(f config.Forward) (network, addr string) {
	if f.ConnectPath != "" {
		return "unix", f.ConnectPath
	}
	return "tcp", net.JoinHostPort(f.ConnectHost, strconv.Itoa(f.ConnectPort))
}

// ForwardLocal listens locally (a TCP port or a Unix-domain socket) and
// forwards each connection to the server's side of f. It serves until
// the listener is closed.
func (c *Client) ForwardLocal(f config.Forward, o ForwardOptions) (net.Listener, error) {
	l, err := listenLocal(f, o)
	if err != nil {
		return nil, err
	}
	network, target := remoteTarget(f)
	go serve(l, func(conn net.Conn) {
		remote, err := c.Dial(network, target)
		if err != nil {
			o.Log.Error("channel: open failed: connect failed: %v", err)
			conn.Close()
			return
		}
		Splice(conn, remote)
	})
	return l, nil
}

// ForwardDynamic runs a SOCKS4/4a/5 proxy whose connections go out
// through the server (-D).
func (c *Client) ForwardDynamic(f config.Forward, o ForwardOptions) (net.Listener, error) {
	l, err := listenLocal(f, o)
	if err != nil {
		return nil, err
	}
	go serve(l, func(conn net.Conn) {
		socksRelay(conn, o.Log, func(target string) (net.Conn, error) { return c.Dial("tcp", target) })
	})
	return l, nil
}

// socksRelay answers one SOCKS request on conn and splices it to the
// connection dial opens.
func socksRelay(conn net.Conn, log *Logger, dial func(target string) (net.Conn, error)) {
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	target, reply, err := socksHandshake(conn)
	if err != nil {
		log.Debug(1, "dynamic forward: %v", err)
		conn.Close()
		return
	}
	remote, err := dial(target)
	if err != nil {
		log.Debug(1, "channel: open failed: %s: %v", target, err)
		reply(false)
		conn.Close()
		return
	}
	if err := reply(true); err != nil {
		conn.Close()
		remote.Close()
		return
	}
	conn.SetDeadline(time.Time{})
	Splice(conn, remote)
}

// ForwardRemote asks the server to listen, on a TCP port (RFC 4254, 7.1,
// "tcpip-forward") or a Unix-domain socket
// ("streamlocal-forward@openssh.com"), and connects each forwarded
// connection to f's local destination: host:port, a socket path, or for
// remote dynamic forwarding the destination of a SOCKS request
// (restricted by PermitRemoteOpen). It returns the listener and the port
// the server bound.
func (c *Client) ForwardRemote(f config.Forward, o ForwardOptions) (net.Listener, int, error) {
	var l net.Listener
	var err error
	port := f.ListenPort
	if f.ListenPath != "" {
		l, err = c.ListenUnix(f.ListenPath)
		if err != nil {
			return nil, 0, fmt.Errorf("remote port forwarding failed for listen path %s", f.ListenPath)
		}
	} else {
		h := f.ListenHost
		if h == "" {
			h = "localhost"
		}
		if h == "*" {
			h = ""
		}
		if h == "localhost" {
			h = "127.0.0.1"
		}
		l, err = c.Listen("tcp", net.JoinHostPort(h, strconv.Itoa(f.ListenPort)))
		if err != nil {
			return nil, 0, fmt.Errorf("remote port forwarding failed for listen port %d", f.ListenPort)
		}
		if a, ok := l.Addr().(*net.TCPAddr); ok {
			port = a.Port
		}
	}
	if f.IsDynamic() {
		go serve(l, func(conn net.Conn) {
			socksRelay(conn, o.Log, func(target string) (net.Conn, error) {
				if !permitOpen(o.PermitRemoteOpen, target) {
					o.Log.Info("Rejected remote dynamic forwarding to %s: not permitted by PermitRemoteOpen", target)
					return nil, fmt.Errorf("not permitted")
				}
				return net.DialTimeout("tcp", target, 30*time.Second)
			})
		})
		return l, port, nil
	}
	network, target := "tcp", net.JoinHostPort(f.ConnectHost, strconv.Itoa(f.ConnectPort))
	if f.ConnectPath != "" {
		network, target = "unix", f.ConnectPath
	}
	go serve(l, func(conn net.Conn) {
		local, err := net.DialTimeout(network, target, 30*time.Second)
		if err != nil {
			if f.ConnectPath != "" {
				o.Log.Error("connect_to %s: failed.", f.ConnectPath)
			} else {
				o.Log.Error("connect_to %s port %d: failed.", f.ConnectHost, f.ConnectPort)
			}
			conn.Close()
			return
		}
		Splice(conn, local)
	})
	return l, port, nil
}

// permitOpen applies PermitRemoteOpen to a host:port destination: "any"
// (or no setting) allows everything, "none" nothing, otherwise one of the
// host:port entries must match ('*' as host or port is a wildcard, as
// in OpenSSH).
func permitOpen(list []string, target string) bool {
	if len(list) == 0 {
		return true
	}
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		return false
	}
	for _, e := range list {
		switch strings.ToLower(e) {
		case "any":
			return true
		case "none":
			return false
		}
		eh, ep, err := net.SplitHostPort(e)
		if err != nil {
			continue
		}
		if (eh == "*" || strings.EqualFold(eh, host)) && (ep == "*" || ep == port) {
			return true
		}
	}
	return false
}

func serve(l net.Listener, handle func(net.Conn)) {
	for {
		conn, err := l.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		go handle(conn)
	}
}

type closeWriter interface{ CloseWrite() error }

// Splice copies both ways between a and b, passing each direction's EOF on
// as a half-close, and closes both when both directions are done.
func Splice(a, b io.ReadWriteCloser) {
	var wg sync.WaitGroup
	cp := func(dst, src io.ReadWriteCloser) {
		defer wg.Done()
		io.Copy(dst, src)
		if cw, ok := dst.(closeWriter); ok {
			cw.CloseWrite()
		} else {
			dst.Close()
		}
	}
	wg.Add(2)
	go cp(a, b)
	go cp(b, a)
	wg.Wait()
	a.Close()
	b.Close()
}

// socksHandshake reads a SOCKS4, SOCKS4a or SOCKS5 (RFC 1928, no
// authentication, CONNECT only) request and returns the target and a
// function that sends the reply.
func socksHandshake(conn net.Conn) (string, func(bool) error, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return "", nil, err
	}
	switch hdr[0] {
	case 4:
		if hdr[1] != 1 {
			return "", nil, fmt.Errorf("socks4: unsupported command %d", hdr[1])
		}
		var req [6]byte
		if _, err := io.ReadFull(conn, req[:]); err != nil {
			return "", nil, err
		}
		port := binary.BigEndian.Uint16(req[:2])
		ip := net.IP(req[2:6])
		if _, err := readCString(conn); err != nil { // user id
			return "", nil, err
		}
		host := ip.String()
		if req[2] == 0 && req[3] == 0 && req[4] == 0 && req[5] != 0 { // 4a
			h, err := readCString(conn)
			if err != nil {
				return "", nil, err
			}
			host = h
		}
		reply := func(ok bool) error {
			code := byte(90)
			if !ok {
				code = 91
			}
			_, err := conn.Write([]byte{0, code, 0, 0, 0, 0, 0, 0})
			return err
		}
		return net.JoinHostPort(host, strconv.Itoa(int(port))), reply, nil
	case 5:
		methods := make([]byte, hdr[1])
		if _, err := io.ReadFull(conn, methods); err != nil {
			return "", nil, err
		}
		noAuth := false
		for _, m := range methods {
			noAuth = noAuth || m == 0
		}
		if !noAuth {
			conn.Write([]byte{5, 0xff})
			return "", nil, fmt.Errorf("socks5: no acceptable authentication method")
		}
		if _, err := conn.Write([]byte{5, 0}); err != nil {
			return "", nil, err
		}
		var req [4]byte
		if _, err := io.ReadFull(conn, req[:]); err != nil {
			return "", nil, err
		}
		if req[0] != 5 || req[1] != 1 {
			conn.Write([]byte{5, 7, 0, 1, 0, 0, 0, 0, 0, 0})
			return "", nil, fmt.Errorf("socks5: unsupported command %d", req[1])
		}
		var host string
		switch req[3] {
		case 1:
			var b [4]byte
			if _, err := io.ReadFull(conn, b[:]); err != nil {
				return "", nil, err
			}
			host = net.IP(b[:]).String()
		case 4:
			var b [16]byte
			if _, err := io.ReadFull(conn, b[:]); err != nil {
				return "", nil, err
			}
			host = net.IP(b[:]).String()
		case 3:
			var n [1]byte
			if _, err := io.ReadFull(conn, n[:]); err != nil {
				return "", nil, err
			}
			b := make([]byte, n[0])
			if _, err := io.ReadFull(conn, b); err != nil {
				return "", nil, err
			}
			host = string(b)
		default:
			return "", nil, fmt.Errorf("socks5: bad address type %d", req[3])
		}
		var pb [2]byte
		if _, err := io.ReadFull(conn, pb[:]); err != nil {
			return "", nil, err
		}
		reply := func(ok bool) error {
			code := byte(0)
			if !ok {
				code = 5 // connection refused
			}
			_, err := conn.Write([]byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0})
			return err
		}
		return net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(pb[:])))), reply, nil
	}
	return "", nil, fmt.Errorf("unknown SOCKS version %d", hdr[0])
}

func readCString(r io.Reader) (string, error) {
	var out []byte
	var b [1]byte
	for len(out) < 256 {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", err
		}
		if b[0] == 0 {
			return string(out), nil
		}
		out = append(out, b[0])
	}
	return "", fmt.Errorf("socks: string too long")
}

// KeepAlive sends keepalive@openssh.com requests every interval while the
// connection lasts; after countMax unanswered ones in a row it calls
// onTimeout and closes the connection (ServerAliveInterval,
// ServerAliveCountMax).
func (c *Client) KeepAlive(interval time.Duration, countMax int, onTimeout func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	closed := make(chan struct{})
	go func() { c.Wait(); close(closed) }()
	missed := 0
	for {
		select {
		case <-closed:
			return
		case <-t.C:
		}
		reply := make(chan struct{})
		go func() {
			c.SendRequest("keepalive@openssh.com", true, nil)
			close(reply)
		}()
		select {
		case <-reply:
			missed = 0
		case <-time.After(interval):
			missed++
		case <-closed:
			return
		}
		if missed >= max(countMax, 1) {
			onTimeout()
			c.Close()
			return
		}
	}
}

// DialContext opens a "direct-tcpip" channel honouring ctx.
func (c *Client) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return c.Client.DialContext(ctx, network, addr)
}
