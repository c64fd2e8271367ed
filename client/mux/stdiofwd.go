package mux

import (
	"io"
	"net"
	"strconv"
)

// stdioFwd serves MUX_C_NEW_STDIO_FWD (ssh -W through a master): the
// client's stdin and stdout joined to a connection the server opens.
// mux.c sends the port as a uint32, not the string PROTOCOL.mux names.
func (cc *control) stdioFwd(rid uint32, p *parser) error {
	m := cc.m
	p.str() // reserved
	host := p.str()
	cport := p.u32()
	if !p.empty() {
		return errMalformed
	}
	fds, err := cc.receiveFDs(2)
	if err != nil {
		cc.fail(rid, "did not receive file descriptors")
		return err
	}
	if cc.busy {
		closeAll(fds)
		return cc.fail(rid, "Multiple sessions not supported")
	}
	network, addr := "tcp", ""
	switch {
	case cport == portStreamLocal:
		network, addr = "unix", host
		if !m.ask("Allow forward to path %s", host) {
			closeAll(fds)
			return cc.denied(rid, "Permission denied")
		}
	case cport > 65535:
		closeAll(fds)
		return cc.fail(rid, "invalid port")
	default:
		addr = net.JoinHostPort(host, strconv.Itoa(int(cport)))
		if !m.ask("Allow forward to [%s]:%d? ", host, cport) {
			closeAll(fds)
			return cc.denied(rid, "Permission denied")
		}
	}
	conn, err := m.Conn.Dial(network, addr)
	if err != nil {
		closeAll(fds)
		m.debug(1, "mux: stdio forward to %s: %v", addr, err)
		return cc.fail(rid, "Session open refused by peer")
	}
	cc.busy = true
	sid := m.sessionStarted()
	m.mu.Lock()
	cc.end = func() { conn.Close() }
	m.mu.Unlock()
	m.debug(1, "mux: stdio forward %d to %s", sid, addr)
	if err := cc.send(newMsg(msgSessionOpened).u32(rid).u32(sid).b); err != nil {
		conn.Close()
	}
	go func() {
		go func() {
			io.Copy(conn, fds[0])
			if cw, ok := conn.(interface{ CloseWrite() error }); ok {
				cw.CloseWrite()
			}
		}()
		io.Copy(fds[1], conn)
		conn.Close()
		closeAll(fds)
		m.debug(1, "mux: stdio forward %d closed", sid)
		m.sessionEnded()
		cc.c.Close()
	}()
	return nil
}
