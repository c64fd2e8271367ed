package client

import (
	"encoding/binary"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pqssh/pqssh/internal/sshwire"
)

// wireConn wraps the transport connection to count bytes (for ssh's
// "Transferred:" line) and to read the cleartext start of the protocol —
// the version lines and the first SSH_MSG_KEXINIT of each side (RFC 4253,
// sections 4.2 and 7.1) — so that the negotiated algorithms can be logged
// the moment they are known and a failed negotiation can be explained
// with the peer's offer, as OpenSSH does.
type wireConn struct {
	net.Conn
	sent, recv atomic.Int64
	rd, wr     sniffer

	mu         sync.Mutex
	peerVer    string
	client     *sshwire.KexInit // our KEXINIT
	server     *sshwire.KexInit // the peer's KEXINIT
	onKexInits func(client, server *sshwire.KexInit)
	onVersion  func(string)
}

func (c *wireConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.recv.Add(int64(n))
	if n > 0 && !c.rd.done {
		c.rd.feed(b[:n], c.peerVersion, func(k *sshwire.KexInit) { c.gotKexInit(false, k) })
	}
	return n, err
}

func (c *wireConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.sent.Add(int64(n))
	if n > 0 && !c.wr.done {
		c.wr.feed(b[:n], func(string) {}, func(k *sshwire.KexInit) { c.gotKexInit(true, k) })
	}
	return n, err
}

func (c *wireConn) peerVersion(v string) {
	c.mu.Lock()
	c.peerVer = v
	cb := c.onVersion
	c.mu.Unlock()
	if cb != nil {
		cb(v)
	}
}

func (c *wireConn) gotKexInit(ours bool, k *sshwire.KexInit) {
	c.mu.Lock()
	if ours {
		c.client = k
	} else {
		c.server = k
	}
	cl, sv, cb := c.client, c.server, c.onKexInits
	c.mu.Unlock()
	if cl != nil && sv != nil && cb != nil {
		cb(cl, sv)
	}
}

// kexInits returns the two KEXINITs seen, if both were.
func (c *wireConn) kexInits() (client, server *sshwire.KexInit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.client, c.server
}

// maxSniffPacket bounds the buffered cleartext packet; the fork's limit is
// 1 MiB, and anything larger ends sniffing (the SSH library rejects it).
const maxSniffPacket = 1<<20 + 64

// sniffer follows one direction of the cleartext phase: version line,
// then binary packets until SSH_MSG_NEWKEYS.
type sniffer struct {
	done      bool
	gotVer    bool
	buf       []byte
	kexInitOK bool
}

func (s *sniffer) feed(b []byte, onVersion func(string), onKexInit func(*sshwire.KexInit)) {
	s.buf = append(s.buf, b...)
	for !s.done {
		if !s.gotVer {
			i := strings.IndexByte(string(s.buf), '\n')
			if i < 0 {
				if len(s.buf) > 8192 {
					s.stop()
				}
				return
			}
			l := strings.TrimRight(string(s.buf[:i]), "\r")
			s.buf = s.buf[i+1:]
			if strings.HasPrefix(l, "SSH-") {
				s.gotVer = true
				onVersion(l)
			}
			continue
		}
		if len(s.buf) < 5 {
			return
		}
		plen := int(binary.BigEndian.Uint32(s.buf))
		if plen < 5 || plen > maxSniffPacket {
			s.stop()
			return
		}
		if len(s.buf) < 4+plen {
			return
		}
		pad := int(s.buf[4])
		if pad+1 > plen {
			s.stop()
			return
		}
		payload := s.buf[5 : 4+plen-pad]
		if len(payload) > 0 {
			switch payload[0] {
			case sshwire.MsgKexInit:
				if !s.kexInitOK {
					if k, err := sshwire.ParseKexInit(payload); err == nil {
						s.kexInitOK = true
						onKexInit(k)
					}
				}
			case 21: // SSH_MSG_NEWKEYS: everything after is encrypted
				s.stop()
				return
			}
		}
		s.buf = s.buf[4+plen:]
	}
}

func (s *sniffer) stop() {
	s.done = true
	s.buf = nil
}

// agree returns the first of the client's names the server also lists
// (RFC 4253, 7.1), or "".
func agree(client, server []string) string {
	for _, c := range client {
		for _, s := range server {
			if c == s {
				return c
			}
		}
	}
	return ""
}

// isAEAD reports whether a cipher carries its own integrity (the MAC is
// then "<implicit>").
func isAEAD(cipher string) bool {
	return cipher == "chacha20-poly1305@openssh.com" || strings.HasSuffix(cipher, "-gcm@openssh.com")
}

// realKex drops the pseudo-algorithms that signal extensions rather than
// name key exchanges.
func realKex(names []string) []string {
	var out []string
	for _, n := range names {
		if n == "ext-info-c" || n == "ext-info-s" || strings.HasPrefix(n, "kex-strict-") {
			continue
		}
		out = append(out, n)
	}
	return out
}
