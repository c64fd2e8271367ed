package mux

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// Client is a connection to a master's control socket.
type Client struct {
	c   *net.UnixConn
	rid uint32
	// Extensions are the extension names the master announced.
	Extensions []string
}

// ReplyError is a master's refusal: MUX_S_PERMISSION_DENIED (Denied) or
// MUX_S_FAILURE, with the master's reason.
type ReplyError struct {
	Denied bool
	Reason string
}

func (e *ReplyError) Error() string { return e.Reason }

// Dial connects to the master at path and exchanges hellos; timeout (if
// positive) bounds the hello exchange. A connection error wraps the
// system error (ENOENT: no master; ECONNREFUSED: a stale socket).
func Dial(path string, timeout time.Duration) (*Client, error) {
	if len(path) > maxPathLen {
		return nil, fmt.Errorf("ControlPath too long ('%s' >= %d bytes)", path, maxPathLen+1)
	}
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, err
	}
	if err := checkPeer(c); err != nil {
		c.Close()
		return nil, err
	}
	if timeout > 0 {
		c.SetDeadline(time.Now().Add(timeout))
	}
	if err := writePacket(c, hello()); err != nil {
		c.Close()
		return nil, fmt.Errorf("mux: master hello exchange failed: %w", err)
	}
	b, err := readPacket(c)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("mux: master hello exchange failed: %w", err)
	}
	ext, err := parseHello(b)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return &Client{c: c, Extensions: ext}, nil
}

// Close closes the control connection.
func (c *Client) Close() error { return c.c.Close() }

// request sends a request (type, request id, body) and reads its reply,
// returning the reply's type and the parser positioned after the
// request id. Failure and permission-denied replies become ReplyError.
func (c *Client) request(m *builder) (uint32, *parser, error) {
	if err := writePacket(c.c, m.b); err != nil {
		return 0, nil, fmt.Errorf("mux: write to master: %w", err)
	}
	return c.reply()
}

func (c *Client) reply() (uint32, *parser, error) {
	b, err := readPacket(c.c)
	if err != nil {
		return 0, nil, fmt.Errorf("mux: read from master: %w", err)
	}
	p := &parser{b: b}
	typ := p.u32()
	rid := p.u32()
	if p.err != nil {
		return 0, nil, errMalformed
	}
	if rid != c.rid {
		return 0, nil, fmt.Errorf("mux: out of sequence reply: my id %d theirs %d", c.rid, rid)
	}
	c.rid++
	switch typ {
	case msgPermDenied, msgFailure:
		reason := p.str()
		if p.err != nil {
			return 0, nil, errMalformed
		}
		return typ, p, &ReplyError{Denied: typ == msgPermDenied, Reason: reason}
	}
	return typ, p, nil
}

func (c *Client) expectOK(m *builder) error {
	typ, _, err := c.request(m)
	if err != nil {
		return err
	}
	if typ != msgOK {
		return fmt.Errorf("mux: unexpected response from master 0x%08x", typ)
	}
	return nil
}

// Alive asks for the master's process ID (ssh -O check).
func (c *Client) Alive() (int, error) {
	typ, p, err := c.request(newMsg(msgAliveCheck).u32(c.rid))
	if err != nil {
		return 0, err
	}
	pid := p.u32()
	if typ != msgAlive || p.err != nil {
		return 0, fmt.Errorf("mux: unexpected response from master 0x%08x", typ)
	}
	return int(pid), nil
}

// Terminate asks the master to exit (ssh -O exit). A master that exits
// before it replies counts as success.
func (c *Client) Terminate() error {
	err := c.expectOK(newMsg(msgTerminate).u32(c.rid))
	if err != nil && isClosed(err) {
		return nil
	}
	return err
}

// StopListening asks the master to close its control socket (ssh -O
// stop).
func (c *Client) StopListening() error {
	return c.expectOK(newMsg(msgStopListening).u32(c.rid))
}

// Forward asks the master to open f, or with cancel to close it (ssh -O
// forward, ssh -O cancel). It returns the port the server allocated for
// a remote forwarding of port 0.
func (c *Client) Forward(f Forward, cancel bool) (int, error) {
	typ := uint32(msgOpenFwd)
	if cancel {
		typ = msgCloseFwd
	}
	var ftype uint32
	switch f.Kind {
	case 'L':
		ftype = fwdLocal
	case 'R':
		ftype = fwdRemote
	case 'D':
		ftype = fwdDynamic
	default:
		return 0, fmt.Errorf("mux: bad forwarding kind %q", f.Kind)
	}
	rt, p, err := c.request(newMsg(typ).u32(c.rid).u32(ftype).str(f.ListenHost).u32(uint32(f.ListenPort)).
		str(f.ConnectHost).u32(uint32(f.ConnectPort)))
	if err != nil {
		return 0, err
	}
	switch rt {
	case msgOK:
		return 0, nil
	case msgRemotePort:
		port := p.u32()
		if cancel || p.err != nil {
			return 0, errMalformed
		}
		return int(port), nil
	}
	return 0, fmt.Errorf("mux: unexpected response from master 0x%08x", rt)
}

// SessionRequest describes a new passenger session.
type SessionRequest struct {
	TTY, X11, Agent, Subsystem bool
	// EscapeChar is the escape character, or -1 for none.
	EscapeChar int
	Term       string
	Command    string
	// Env are NAME=value strings the master may pass on (it filters them
	// with its own SendEnv).
	Env []string
}

// NewSession asks the master for a session on stdin, stdout and stderr
// and returns the master's session ID.
func (c *Client) NewSession(r SessionRequest, stdin, stdout, stderr *os.File) (uint32, error) {
	esc := uint32(noEscape)
	if r.EscapeChar >= 0 {
		esc = uint32(r.EscapeChar)
	}
	m := newMsg(msgNewSession).u32(c.rid).str("").bool(r.TTY).bool(r.X11).bool(r.Agent).bool(r.Subsystem).
		u32(esc).str(r.Term).str(r.Command)
	for _, e := range r.Env {
		m.str(e)
	}
	if err := writePacket(c.c, m.b); err != nil {
		return 0, fmt.Errorf("mux: write to master: %w", err)
	}
	for _, f := range []*os.File{stdin, stdout, stderr} {
		if err := sendFD(c.c, f); err != nil {
			return 0, err
		}
	}
	return c.opened()
}

// NewStdioForward asks the master to connect stdin and stdout to
// host:port on the server's side (ssh -W); port -2 makes host a Unix
// socket path.
func (c *Client) NewStdioForward(host string, port int, stdin, stdout *os.File) (uint32, error) {
	m := newMsg(msgNewStdioFwd).u32(c.rid).str("").str(host).u32(uint32(port))
	if err := writePacket(c.c, m.b); err != nil {
		return 0, fmt.Errorf("mux: write to master: %w", err)
	}
	for _, f := range []*os.File{stdin, stdout} {
		if err := sendFD(c.c, f); err != nil {
			return 0, err
		}
	}
	return c.opened()
}

func (c *Client) opened() (uint32, error) {
	typ, p, err := c.reply()
	if err != nil {
		return 0, err
	}
	sid := p.u32()
	if typ != msgSessionOpened || p.err != nil {
		return 0, fmt.Errorf("mux: unexpected response from master 0x%08x", typ)
	}
	return sid, nil
}

// Wait waits for session sid to end and returns its exit status; ok is
// false when the master closed the connection without one (the remote
// command was killed by a signal, or the master went away). ttyFail is
// called on MUX_S_TTY_ALLOC_FAIL.
func (c *Client) Wait(sid uint32, ttyFail func()) (status int, ok bool, err error) {
	for {
		b, rerr := readPacket(c.c)
		if rerr != nil {
			return status, ok, nil
		}
		p := &parser{b: b}
		typ := p.u32()
		id := p.u32()
		if p.err != nil {
			return 0, false, errMalformed
		}
		switch typ {
		case msgTTYAllocFail:
			if id != sid {
				return 0, false, fmt.Errorf("mux: tty alloc fail on unknown session: my id %d theirs %d", sid, id)
			}
			if ttyFail != nil {
				ttyFail()
			}
		case msgExitMessage:
			code := p.u32()
			if p.err != nil || id != sid {
				return 0, false, fmt.Errorf("mux: exit on unknown session: my id %d theirs %d", sid, id)
			}
			if ok {
				return 0, false, errors.New("mux: exit value sent twice")
			}
			status, ok = int(code), true
		default:
			return 0, false, fmt.Errorf("mux: master returned unexpected message 0x%08x", typ)
		}
	}
}

// isClosed reports whether err is the master closing the connection.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}
