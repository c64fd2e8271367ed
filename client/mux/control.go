package mux

import (
	"fmt"
	"net"
	"os"
	"sync"
)

// control is one client's connection to the control socket.
type control struct {
	m   *Master
	c   *net.UnixConn
	wmu sync.Mutex
	// busy is set while a session or stdio forwarding of this client
	// runs: like OpenSSH, one per control connection.
	busy bool
	// end stops the running session when the client goes away.
	end func()
}

func (cc *control) send(b []byte) error {
	cc.wmu.Lock()
	defer cc.wmu.Unlock()
	return writePacket(cc.c, b)
}

func (cc *control) ok(rid uint32) error { return cc.send(newMsg(msgOK).u32(rid).b) }

func (cc *control) fail(rid uint32, reason string) error {
	return cc.send(newMsg(msgFailure).u32(rid).str(reason).b)
}

func (cc *control) denied(rid uint32, reason string) error {
	return cc.send(newMsg(msgPermDenied).u32(rid).str(reason).b)
}

func (m *Master) serve(c *net.UnixConn) {
	m.mu.Lock()
	m.conns[c] = struct{}{}
	m.mu.Unlock()
	cc := &control{m: m, c: c}
	defer func() {
		m.mu.Lock()
		delete(m.conns, c)
		end := cc.end
		m.mu.Unlock()
		if end != nil {
			end()
		}
		c.Close()
	}()
	if err := checkPeer(c); err != nil {
		m.logError("%v", err)
		return
	}
	if err := cc.send(hello()); err != nil {
		return
	}
	b, err := readPacket(c)
	if err != nil {
		return
	}
	if _, err := parseHello(b); err != nil {
		m.debug(1, "mux: %v", err)
		return
	}
	m.debug(2, "mux: client connected")
	for {
		b, err := readPacket(c)
		if err != nil {
			return
		}
		if err := cc.dispatch(b); err != nil {
			m.debug(1, "mux: control connection closed: %v", err)
			return
		}
	}
}

// dispatch handles one request; an error ends the control connection.
func (cc *control) dispatch(b []byte) error {
	p := &parser{b: b}
	typ := p.u32()
	if typ == msgHello {
		return fmt.Errorf("HELLO received twice")
	}
	rid := p.u32()
	if p.err != nil {
		return errMalformed
	}
	m := cc.m
	switch typ {
	case msgAliveCheck:
		m.debug(2, "mux: alive check")
		return cc.send(newMsg(msgAlive).u32(rid).u32(uint32(os.Getpid())).b)
	case msgTerminate:
		if !m.ask("Terminate shared connection to %s? ", m.Host) {
			return cc.denied(rid, "Permission denied")
		}
		m.debug(1, "mux: terminate request")
		err := cc.ok(rid)
		if m.OnTerminate != nil {
			m.OnTerminate()
		}
		m.Close()
		return err
	case msgStopListening:
		m.debug(1, "mux: stop listening request")
		m.StopListening()
		return cc.ok(rid)
	case msgOpenFwd, msgCloseFwd:
		return cc.forward(rid, typ == msgCloseFwd, p)
	case msgNewSession:
		return cc.newSession(rid, p)
	case msgNewStdioFwd:
		return cc.stdioFwd(rid, p)
	default:
		m.debug(1, "mux: unsupported mux message 0x%08x", typ)
		return cc.fail(rid, "unsupported request")
	}
}

// forward serves MUX_C_OPEN_FWD and MUX_C_CLOSE_FWD.
func (cc *control) forward(rid uint32, cancel bool, p *parser) error {
	ftype := p.u32()
	lhost := p.str()
	lport := p.u32()
	chost := p.str()
	cport := p.u32()
	if !p.empty() {
		return errMalformed
	}
	f := Forward{ListenHost: lhost, ConnectHost: chost}
	switch ftype {
	case fwdLocal:
		f.Kind = 'L'
	case fwdRemote:
		f.Kind = 'R'
	case fwdDynamic:
		f.Kind = 'D'
	default:
		return cc.fail(rid, "invalid forwarding type")
	}
	var ok bool
	if f.ListenPort, ok = port(lport); !ok {
		return cc.fail(rid, "invalid listen port")
	}
	if f.ConnectPort, ok = port(cport); !ok {
		return cc.fail(rid, "invalid connect port")
	}
	if (f.Kind != 'D' && f.ConnectHost == "") || len(f.ListenHost) > 1024 || len(f.ConnectHost) > 1024 {
		return cc.fail(rid, "invalid forwarding request")
	}
	m := cc.m
	if m.Forwarder == nil {
		return cc.fail(rid, "forwarding is not available")
	}
	if cancel {
		m.debug(1, "mux: cancel %s", f)
		if err := m.Forwarder.CloseForward(f); err != nil {
			return cc.fail(rid, err.Error())
		}
		return cc.ok(rid)
	}
	if !m.ask("Open %s on %s? ", f, m.Host) {
		return cc.denied(rid, "Permission denied")
	}
	m.debug(1, "mux: open %s", f)
	allocated, err := m.Forwarder.OpenForward(f)
	if err != nil {
		return cc.fail(rid, err.Error())
	}
	if f.Kind == 'R' && f.ListenPort == 0 {
		return cc.send(newMsg(msgRemotePort).u32(rid).u32(uint32(allocated)).b)
	}
	return cc.ok(rid)
}

// port checks a forwarding port: 0..65535, or -2 for a Unix socket path.
func port(v uint32) (int, bool) {
	if v == portStreamLocal {
		return -2, true
	}
	if v > 65535 {
		return 0, false
	}
	return int(v), true
}

// receiveFDs receives n descriptors for a session's standard streams;
// on failure those received are closed.
func (cc *control) receiveFDs(n int) ([]*stdio, error) {
	var fs []*stdio
	for range n {
		fd, err := recvFD(cc.c)
		if err != nil {
			closeAll(fs)
			return nil, err
		}
		fs = append(fs, adopt(fd))
	}
	return fs, nil
}

func closeAll(fs []*stdio) {
	for _, f := range fs {
		f.Close()
	}
}
