// Package mux is OpenSSH's connection-multiplexing protocol
// (openssh-portable PROTOCOL.mux, version 4): a master that shares one
// SSH connection through a Unix-domain control socket (ControlMaster,
// ControlPath), and the client that uses such a master, pqssh's own or
// OpenSSH's ssh(1).
//
// The control socket is local input: every length read from it is
// bounded, a malformed message ends that control connection (never the
// master), and only the master's own user (or root) may connect.
package mux

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Version is the mux protocol version this package speaks (PROTOCOL.mux
// section 1); a peer with another version is refused.
const Version = 4

// Message types (PROTOCOL.mux section 11, and mux.c for the proxy and
// info extension numbers).
const (
	msgHello         = 0x00000001
	msgNewSession    = 0x10000002
	msgAliveCheck    = 0x10000004
	msgTerminate     = 0x10000005
	msgOpenFwd       = 0x10000006
	msgCloseFwd      = 0x10000007
	msgNewStdioFwd   = 0x10000008
	msgStopListening = 0x10000009
	msgProxy         = 0x1000000f
	msgOK            = 0x80000001
	msgPermDenied    = 0x80000002
	msgFailure       = 0x80000003
	msgExitMessage   = 0x80000004
	msgAlive         = 0x80000005
	msgSessionOpened = 0x80000006
	msgRemotePort    = 0x80000007
	msgTTYAllocFail  = 0x80000008
	fwdLocal         = 1
	fwdRemote        = 2
	fwdDynamic       = 3
	portStreamLocal  = 0xfffffffe // (unsigned)-2: the host is a Unix socket path
	noEscape         = 0xffffffff
	maxPacket        = 256 * 1024 // OpenSSH's channels.c limit on a mux packet
	maxEnv           = 4096       // MUX_MAX_ENV_VARS in mux.c
	maxExtensions    = 64
)

// errMalformed is returned for a message that does not parse.
var errMalformed = errors.New("mux: malformed message")

// readPacket reads one length-prefixed packet of at most maxPacket bytes.
func readPacket(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 || n > maxPacket {
		return nil, fmt.Errorf("mux: packet length %d out of range", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("mux: short packet: %w", err)
	}
	return b, nil
}

// writePacket writes body with its length prefix in one write.
func writePacket(w io.Writer, body []byte) error {
	if len(body) > maxPacket {
		return fmt.Errorf("mux: packet of %d bytes too long", len(body))
	}
	b := make([]byte, 4, 4+len(body))
	binary.BigEndian.PutUint32(b, uint32(len(body)))
	_, err := w.Write(append(b, body...))
	return err
}

// builder assembles a message body.
type builder struct{ b []byte }

func newMsg(typ uint32) *builder {
	m := &builder{}
	return m.u32(typ)
}

func (m *builder) u32(v uint32) *builder {
	m.b = binary.BigEndian.AppendUint32(m.b, v)
	return m
}

func (m *builder) str(s string) *builder {
	m.u32(uint32(len(s)))
	m.b = append(m.b, s...)
	return m
}

func (m *builder) bool(v bool) *builder {
	// mux.c encodes the protocol's booleans as uint32.
	if v {
		return m.u32(1)
	}
	return m.u32(0)
}

// parser reads a message body; the first error sticks.
type parser struct {
	b   []byte
	err error
}

func (p *parser) u32() uint32 {
	if p.err != nil {
		return 0
	}
	if len(p.b) < 4 {
		p.err = errMalformed
		return 0
	}
	v := binary.BigEndian.Uint32(p.b)
	p.b = p.b[4:]
	return v
}

func (p *parser) str() string {
	n := p.u32()
	if p.err != nil {
		return ""
	}
	if uint64(n) > uint64(len(p.b)) {
		p.err = errMalformed
		return ""
	}
	s := string(p.b[:n])
	p.b = p.b[n:]
	return s
}

func (p *parser) bool() bool { return p.u32() != 0 }

func (p *parser) empty() bool { return p.err == nil && len(p.b) == 0 }

// hello is the MUX_MSG_HELLO both sides send first. extensions are
// name/value pairs; none changes this package's behaviour.
func hello() []byte {
	// OpenSSH's master announces the "info" extension; pqssh's announces
	// none, so OpenSSH's client never sends MUX_C_EXT_INFO to it.
	return newMsg(msgHello).u32(Version).b
}

// parseHello checks a peer's hello and returns its extension names.
func parseHello(b []byte) ([]string, error) {
	p := &parser{b: b}
	if t := p.u32(); p.err == nil && t != msgHello {
		return nil, fmt.Errorf("mux: expected HELLO, got message 0x%08x", t)
	}
	v := p.u32()
	if p.err != nil {
		return nil, errMalformed
	}
	if v != Version {
		return nil, fmt.Errorf("mux: unsupported multiplexing protocol version %d (expected %d)", v, Version)
	}
	var ext []string
	for !p.empty() {
		name := p.str()
		p.str()
		if p.err != nil {
			return nil, errMalformed
		}
		if len(ext) < maxExtensions {
			ext = append(ext, name)
		}
	}
	return ext, nil
}
