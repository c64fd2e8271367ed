package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/userproc"
)

// agentForward is a session's forwarded agent: a Unix socket, in a
// directory only the user can enter, whose connections are relayed over
// auth-agent@openssh.com channels (OpenSSH PROTOCOL.agent).
type agentForward struct {
	path string
	l    net.Listener
}

// close closes the socket, which removes it and its directory.
func (a *agentForward) close() {
	a.l.Close()
}

// agentRequest handles auth-agent-req@openssh.com. As in OpenSSH, the
// socket and its 0700 directory are created by (and so belong to) the
// user, as is every connection accepted on it.
func (ss *session) agentRequest() bool {
	if !ss.cfg.AllowAgentForwarding || ss.cfg.DisableForwarding || ss.info.opts.NoAgentForwarding {
		ss.log.Info("agent forwarding refused", "reason", map[bool]string{true: "no-agent-forwarding", false: "AllowAgentForwarding no"}[ss.info.opts.NoAgentForwarding])
		return false
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.agent != nil || ss.started {
		return ss.agent != nil
	}
	ops, err := ss.s.userSockets(ss.st, ss.info.acct)
	if err != nil {
		ss.log.Warn("agent forwarding: cannot open sockets as the user", "err", err)
		return false
	}
	l, err := ops.Listen(context.Background(), "unix", "agent."+itoa(os.Getpid()),
		userproc.ListenOptions{PrivateDir: filepath.Join(os.TempDir(), "ssh-*")})
	if err != nil {
		ss.log.Warn("agent forwarding: listen failed", "err", err)
		return false
	}
	ss.agent = &agentForward{path: l.Addr().String(), l: l}
	go ss.s.relayListener(ss.st, l, ss.log, "auth-agent", func(net.Conn) (gossh.Channel, <-chan *gossh.Request, error) {
		return ss.conn.OpenChannel("auth-agent@openssh.com", nil)
	})
	return true
}

// closeWrite half-closes a stream that supports it, and closes it
// otherwise.
func closeWrite(c io.Closer) {
	if hc, ok := c.(interface{ CloseWrite() error }); ok {
		hc.CloseWrite()
		return
	}
	c.Close()
}

// relayListener accepts connections on l until it is closed, and relays
// each over a channel that open opens to the client (forwarded-tcpip,
// forwarded-streamlocal, auth-agent), counting each against the
// connection's limit of open forwarding channels.
func (s *Server) relayListener(st *connState, l net.Listener, log *slog.Logger, kind string, open func(net.Conn) (gossh.Channel, <-chan *gossh.Request, error)) {
	defer s.recoverChannel(st, kind)
	for {
		c, err := l.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				log.Warn("forwarding listener failed", "kind", kind, "err", err)
			}
			return
		}
		if !st.relayStart() {
			log.Info("forwarded connection refused: too many open forwarding channels", "kind", kind, "max", s.maxRelays)
			c.Close()
			continue
		}
		go func() {
			defer st.relayDone()
			defer c.Close()
			ch, reqs, err := open(c)
			if err != nil {
				return
			}
			go gossh.DiscardRequests(reqs)
			relay(ch, c)
			ch.Close()
		}()
	}
}

// relayAccepted accepts a client's channel open (direct-tcpip,
// direct-streamlocal) once d is connected, and relays between them.
func relayAccepted(nc gossh.NewChannel, d net.Conn) {
	defer d.Close()
	ch, reqs, err := nc.Accept()
	if err != nil {
		return
	}
	go gossh.DiscardRequests(reqs)
	relay(ch, d)
	ch.Close()
}

// relay copies both ways, passing each side's EOF on as a half-close, and
// returns when both directions are done.
func relay(a, b io.ReadWriteCloser) {
	done := make(chan struct{}, 1)
	go func() {
		io.Copy(a, b)
		closeWrite(a)
		done <- struct{}{}
	}()
	io.Copy(b, a)
	closeWrite(b)
	<-done
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
