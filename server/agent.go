package server

import (
	"io"
	"net"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// agentForward is a session's forwarded agent: a Unix socket, in a
// directory only the user can enter, whose connections are relayed over
// auth-agent@openssh.com channels (OpenSSH PROTOCOL.agent).
type agentForward struct {
	dir  string
	path string
	l    net.Listener
}

func (a *agentForward) close() {
	a.l.Close()
	os.RemoveAll(a.dir)
}

// agentRequest handles auth-agent-req@openssh.com.
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
	dir, err := os.MkdirTemp("", "ssh-")
	if err != nil {
		return false
	}
	path := filepath.Join(dir, "agent."+itoa(os.Getpid()))
	l, err := net.Listen("unix", path)
	if err != nil {
		os.RemoveAll(dir)
		return false
	}
	ss.s.mu.RLock()
	self := ss.s.self
	ss.s.mu.RUnlock()
	if self == nil {
		os.Chown(dir, ss.info.acct.UID, ss.info.acct.GID)
		os.Chown(path, ss.info.acct.UID, ss.info.acct.GID)
	}
	os.Chmod(dir, 0o700)
	ss.agent = &agentForward{dir: dir, path: path, l: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				ch, reqs, err := ss.conn.OpenChannel("auth-agent@openssh.com", nil)
				if err != nil {
					return
				}
				defer ch.Close()
				go gossh.DiscardRequests(reqs)
				relay(c, ch)
			}()
		}
	}()
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
