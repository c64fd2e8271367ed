package mux

import (
	"encoding/binary"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/crypto/ssh"
)

// passenger is a session the master runs for a client (PROTOCOL.mux
// section 2): the client's descriptors joined to a session channel.
type passenger struct {
	ch     ssh.Channel
	stdin  *stdio
	mu     sync.Mutex
	cols   int
	rows   int
	closed bool
}

// sessionRequest is a parsed MUX_C_NEW_SESSION.
type sessionRequest struct {
	tty, agent, subsystem bool
	escape                uint32
	term, command         string
	env                   []string
}

func parseSession(p *parser, permitted func(string) bool) (*sessionRequest, error) {
	var r sessionRequest
	p.str() // reserved
	r.tty = p.bool()
	p.bool() // X11: pqssh does not forward X11
	r.agent = p.bool()
	r.subsystem = p.bool()
	r.escape = p.u32()
	r.term = p.str()
	r.command = p.str()
	if p.err != nil {
		return nil, errMalformed
	}
	for n := 0; !p.empty(); n++ {
		e := p.str()
		if p.err != nil {
			return nil, errMalformed
		}
		// Like mux.c, more than maxEnv variables are ignored.
		if n < maxEnv && permitted != nil && strings.Contains(e, "=") && permitted(e) {
			r.env = append(r.env, e)
		}
	}
	return &r, nil
}

func (cc *control) newSession(rid uint32, p *parser) error {
	m := cc.m
	req, err := parseSession(p, m.EnvPermitted)
	if err != nil {
		return err
	}
	m.debug(2, "mux: session request: tty %v, agent %v, subsystem %v, term %q, command %q, env %d",
		req.tty, req.agent, req.subsystem, req.term, req.command, len(req.env))
	fds, err := cc.receiveFDs(3)
	if err != nil {
		cc.fail(rid, "did not receive file descriptors")
		return err
	}
	if cc.busy {
		closeAll(fds)
		return cc.fail(rid, "Multiple sessions not supported")
	}
	if !m.ask("Allow shared connection to %s? ", m.Host) {
		closeAll(fds)
		return cc.denied(rid, "Permission denied")
	}
	ch, reqs, err := m.Conn.OpenChannel("session", nil)
	if err != nil {
		closeAll(fds)
		m.debug(1, "mux: session open failed: %v", err)
		return cc.fail(rid, "Session open refused by peer")
	}
	cc.busy = true
	sid := m.sessionStarted()
	pass := &passenger{ch: ch, stdin: fds[0]}
	m.mu.Lock()
	cc.end = func() { ch.Close() }
	m.mu.Unlock()

	status := make(chan int, 1)
	go func() {
		code := -1
		for r := range reqs {
			if r.Type == "exit-status" && len(r.Payload) >= 4 {
				code = int(binary.BigEndian.Uint32(r.Payload))
			}
			if r.WantReply {
				r.Reply(false, nil)
			}
		}
		status <- code
	}()

	if req.agent && m.ForwardAgent != nil {
		if err := m.ForwardAgent(ch); err != nil {
			m.debug(1, "mux: agent forwarding: %v", err)
		}
	}
	for _, kv := range req.env {
		k, v, _ := strings.Cut(kv, "=")
		ch.SendRequest("env", false, ssh.Marshal(struct{ Name, Value string }{k, v}))
	}
	ttyFailed := false
	if req.tty {
		cols, rows, ok := fds[0].winsize()
		if !ok {
			cols, rows = 80, 24
		}
		pass.cols, pass.rows = cols, rows
		modes := []byte{128, 0, 0, 0x96, 0, 129, 0, 0, 0x96, 0, 0} // ISPEED, OSPEED 38400, TTY_OP_END
		payload := ssh.Marshal(struct {
			Term             string
			Cols, Rows, W, H uint32
			Modes            string
		}{req.term, uint32(cols), uint32(rows), 0, 0, string(modes)})
		if ok, err := ch.SendRequest("pty-req", true, payload); err != nil || !ok {
			ttyFailed = true
			m.debug(1, "mux: PTY allocation request failed on session %d", sid)
		} else {
			m.mu.Lock()
			m.ttys[sid] = pass
			m.mu.Unlock()
		}
	}
	var reqType string
	var payload []byte
	switch {
	case req.subsystem:
		reqType, payload = "subsystem", ssh.Marshal(struct{ Name string }{req.command})
	case req.command != "":
		reqType, payload = "exec", ssh.Marshal(struct{ Command string }{req.command})
	default:
		reqType = "shell"
	}
	if ok, err := ch.SendRequest(reqType, true, payload); err != nil || !ok {
		m.debug(1, "mux: %s request failed on session %d", reqType, sid)
		ch.Close()
	}
	m.debug(1, "mux: client session %d opened (%s)", sid, reqType)
	if err := cc.send(newMsg(msgSessionOpened).u32(rid).u32(sid).b); err != nil {
		ch.Close()
	}
	if ttyFailed {
		cc.send(newMsg(msgTTYAllocFail).u32(sid).b)
	}
	go cc.runSession(sid, pass, fds, req, status)
	return nil
}

// runSession copies between the client's descriptors and the channel
// until the channel closes, then sends the exit status and closes the
// control connection, as mux.c does.
func (cc *control) runSession(sid uint32, pass *passenger, fds []*stdio, req *sessionRequest, status <-chan int) {
	m := cc.m
	ch := pass.ch
	go func() {
		var src io.Reader = fds[0]
		if req.tty && req.escape != noEscape && req.escape < 256 {
			src = &escapeFilter{r: fds[0], esc: byte(req.escape), lineStart: true, stderr: fds[2],
				disconnect: func() { ch.Close() }}
		}
		io.Copy(ch, src)
		ch.CloseWrite()
	}()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); io.Copy(fds[1], ch) }()
	go func() { defer wg.Done(); io.Copy(fds[2], ch.Stderr()) }()
	code := <-status
	wg.Wait()
	ch.Close()
	m.mu.Lock()
	delete(m.ttys, sid)
	pass.mu.Lock()
	pass.closed = true
	pass.mu.Unlock()
	m.mu.Unlock()
	closeAll(fds)
	if code >= 0 {
		cc.send(newMsg(msgExitMessage).u32(sid).u32(uint32(code)).b)
	}
	m.debug(1, "mux: client session %d closed, exit status %d", sid, code)
	m.sessionEnded()
	cc.c.Close()
}

// watchWindows relays the terminal size of every client session with a
// PTY when the master receives SIGWINCH (a mux client forwards its
// SIGWINCH to the master's process, control_client_sigrelay in mux.c).
func (m *Master) watchWindows() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGWINCH)
	defer signal.Stop(sig)
	done := m.Done()
	for {
		select {
		case <-done:
			return
		case <-sig:
		}
		m.mu.Lock()
		var ps []*passenger
		for _, p := range m.ttys {
			ps = append(ps, p)
		}
		m.mu.Unlock()
		for _, p := range ps {
			p.resize()
		}
	}
}

func (p *passenger) resize() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	cols, rows, ok := p.stdin.winsize()
	if !ok || (cols == p.cols && rows == p.rows) {
		return
	}
	p.cols, p.rows = cols, rows
	p.ch.SendRequest("window-change", false, ssh.Marshal(struct{ Cols, Rows, W, H uint32 }{uint32(cols), uint32(rows), 0, 0}))
}
