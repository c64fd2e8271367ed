package server

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"

	"github.com/pqssh/pqssh/internal/sshwire"
	gossh "golang.org/x/crypto/ssh"
)

// errKexGate is the read error of a connection the gate closed.
var errKexGate = errors.New("pqsshd: connection refused by the unauthenticated key-exchange memory budget")

// SSH message numbers the gate looks at (RFC 4253 section 12).
const (
	gateMsgKexInit     = sshwire.MsgKexInit
	gateMsgNewKeys     = 21
	gateMsgKexECDHInit = 30
)

// maxKexInitPacket is the largest packet_length of a client's KEXINIT:
// x/crypto's bound on the payload (gossh.MaxKexInitSize) with the
// padding_length byte and the most padding.
const maxKexInitPacket = gossh.MaxKexInitSize + 1 + 255

// Parser states of the gate.
const (
	gateVersion = iota // version exchange lines (RFC 4253 section 4.2)
	gateLength         // the 4-byte packet_length of a packet
	gateBody           // the rest of a packet
	gateOpaque         // after the client's first NEWKEYS: encrypted, passed through
)

// kexGate reads what a client sends before its first NEWKEYS, the
// cleartext part of an SSH connection, on its way from the socket to
// x/crypto/ssh (see kexbudget.go). It follows the stream — version lines,
// then binary packets of packet_length, padding_length, payload and
// padding with no MAC (RFC 4253 section 6) — and:
//
//   - refuses a packet longer than the connection's limit before x/crypto
//     has seen its length (so before it allocates a buffer for it);
//   - reads the client's KEXINIT and, when the method it selects (the
//     client's first name the server offers, RFC 4253 section 7.1) is
//     large, reserves its cost and then only admits a longer packet;
//   - gives the reservation back at the client's NEWKEYS and then passes
//     the (now encrypted) stream through untouched.
//
// Read is called by one goroutine (x/crypto's reader); the reservation is
// also released from others (authentication, close), hence mu.
type kexGate struct {
	net.Conn
	budget kexLedger
	log    *slog.Logger

	source string // source address block, for PerSourceKexMemory

	mu       sync.Mutex
	offered  []string
	reserved int64
	limit    uint32 // largest packet_length accepted now
	refused  bool

	// Parser state, used by Read only.
	state     int
	line      []byte // start of the current version line (up to 4 bytes)
	lenBuf    [4]byte
	lenN      int
	remaining uint32 // bytes of the current packet still to read
	msgType   int    // -1 until the packet's second byte has been read
	pos       uint32 // bytes of the current packet read so far
	collect   bool   // keep the packet's bytes (a small KEXINIT)
	body      []byte
}

func newKexGate(c net.Conn, b kexLedger, log *slog.Logger) *kexGate {
	return &kexGate{Conn: c, budget: b, log: log, limit: smallPacketLimit}
}

// start records the connection's offer.
func (g *kexGate) start(offered []string) {
	g.mu.Lock()
	g.offered = offered
	g.mu.Unlock()
}

// refuse makes the next Read fail (the connection is closed).
func (g *kexGate) refuse() {
	g.mu.Lock()
	g.refused = true
	g.mu.Unlock()
}

// release gives the reservation back (once) and limits later cleartext
// packets to smallPacketLimit.
func (g *kexGate) release() {
	g.mu.Lock()
	n := g.reserved
	g.reserved = 0
	g.limit = smallPacketLimit
	g.mu.Unlock()
	if n > 0 {
		g.budget.release(g.source, n)
	}
}

// Read reads from the socket and checks the bytes before x/crypto sees
// them.
func (g *kexGate) Read(p []byte) (int, error) {
	g.mu.Lock()
	refused := g.refused
	g.mu.Unlock()
	if refused {
		g.Conn.Close()
		return 0, errKexGate
	}
	n, err := g.Conn.Read(p)
	if g.state != gateOpaque && n > 0 {
		if ferr := g.scan(p[:n]); ferr != nil {
			g.log.Info("closing connection: "+ferr.Error(), "unauthenticatedkexmemory_reserved", g.reservedNow())
			g.release()
			g.refuse()
			g.Conn.Close()
			return 0, fmt.Errorf("%w: %v", errKexGate, ferr)
		}
	}
	return n, err
}

func (g *kexGate) reservedNow() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.reserved
}

// scan advances the parser over b.
func (g *kexGate) scan(b []byte) error {
	for len(b) > 0 {
		switch g.state {
		case gateVersion:
			i := bytes.IndexByte(b, '\n')
			chunk := b
			if i >= 0 {
				chunk = b[:i+1]
			}
			if len(g.line) < 4 {
				g.line = append(g.line, chunk[:min(len(chunk), 4-len(g.line))]...)
			}
			b = b[len(chunk):]
			if i >= 0 {
				if bytes.HasPrefix(g.line, []byte("SSH-")) {
					g.state = gateLength
				}
				g.line = g.line[:0]
			}
		case gateLength:
			k := copy(g.lenBuf[g.lenN:], b)
			g.lenN += k
			b = b[k:]
			if g.lenN < 4 {
				continue
			}
			g.lenN = 0
			length := binary.BigEndian.Uint32(g.lenBuf[:])
			g.mu.Lock()
			limit := g.limit
			g.mu.Unlock()
			if length > limit {
				if limit == smallPacketLimit {
					return fmt.Errorf("client sent a %d-byte packet before its first NEWKEYS without a large key exchange (limit %d; UnauthenticatedKexMemory)", length, limit)
				}
				return fmt.Errorf("client sent a %d-byte packet before its first NEWKEYS (limit %d)", length, limit)
			}
			if length < 5 {
				// x/crypto rejects it too; nothing to follow.
				return fmt.Errorf("client sent a %d-byte packet", length)
			}
			g.remaining, g.pos, g.msgType, g.collect = length, 0, -1, false
			g.body = g.body[:0]
			g.state = gateBody
		case gateBody:
			k := min(uint32(len(b)), g.remaining)
			chunk := b[:k]
			b = b[k:]
			if g.msgType < 0 && g.pos+k >= 2 {
				g.msgType = int(chunk[1-g.pos])
				length := g.pos + g.remaining
				if err := checkGateMessage(g.msgType, length); err != nil {
					return err
				}
				g.collect = g.msgType == gateMsgKexInit
			}
			if g.collect || g.msgType < 0 {
				g.body = append(g.body, chunk...)
			}
			g.pos += k
			g.remaining -= k
			if g.remaining > 0 {
				continue
			}
			g.state = gateLength
			switch g.msgType {
			case gateMsgKexInit:
				if g.collect {
					if err := g.clientKexInit(g.body); err != nil {
						return err
					}
				}
			case gateMsgNewKeys:
				// The initial key exchange is over: its buffers are
				// garbage, and what follows is encrypted.
				g.release()
				g.state, g.body = gateOpaque, nil
				return nil
			}
		default:
			return nil
		}
	}
	return nil
}

// checkGateMessage refuses a cleartext packet of packet_length length and
// message number msg that no client needs to send: a KEXINIT longer than
// maxKexInitPacket (its name-lists would cost many times their size once
// split), or any packet beyond smallPacketLimit but a large key exchange's
// SSH_MSG_KEX_ECDH_INIT (the only message the reservation is for).
func checkGateMessage(msg int, length uint32) error {
	switch {
	case msg == gateMsgKexInit && length > maxKexInitPacket:
		return fmt.Errorf("client sent a %d-byte KEXINIT (limit %d)", length, maxKexInitPacket)
	case msg != gateMsgKexECDHInit && length > smallPacketLimit:
		return fmt.Errorf("client sent a %d-byte packet of message type %d before its first NEWKEYS; only a large key exchange's SSH_MSG_KEX_ECDH_INIT may exceed %d", length, msg, smallPacketLimit)
	}
	return nil
}

// clientKexInit reads the kex_algorithms of the client's KEXINIT
// (sshwire.ParseKexInit; packet holds padding_length, payload, padding)
// and, if the method it selects is
// large, reserves its cost and admits packets up to largePacketLimit. A
// malformed KEXINIT reserves nothing (x/crypto fails the connection). It
// fails if the budget has no room any more.
func (g *kexGate) clientKexInit(packet []byte) error {
	pad := int(packet[0])
	if 1+pad > len(packet) {
		return nil
	}
	ki, err := sshwire.ParseKexInit(packet[1 : len(packet)-pad])
	if err != nil {
		return nil
	}
	g.mu.Lock()
	offered := g.offered
	g.mu.Unlock()
	chosen := ""
	for _, name := range ki.KexAlgos {
		if slices.Contains(offered, name) {
			chosen = name
			break
		}
	}
	cost, large := kexCost(chosen)
	if !large {
		return nil
	}
	g.mu.Lock()
	already := g.reserved > 0
	g.mu.Unlock()
	if already {
		return nil
	}
	if !g.budget.reserve(g.source, cost) {
		return fmt.Errorf("the client's KEXINIT selects %s but %s has no room left for it (offered when it had)", chosen, g.budget.exhausted(g.source, cost))
	}
	g.mu.Lock()
	g.reserved, g.limit = cost, largePacketLimit
	g.mu.Unlock()
	return nil
}
