package server

// Privilege separation of one connection (docs/architecture.md, "Process
// model"). The session process becomes the connection's privileged
// monitor: it starts a network process (argv[0] NetArg0) that confines
// itself (chroot to the empty /run/sshd, the privilege-separation user, no
// new privileges, a seccomp filter where the kernel has one) before it
// reads a byte from the client, and then runs the SSH transport and the
// user authentication protocol (version exchange, KEXINIT, key exchanges,
// userauth parsing). Everything that needs a secret or a privilege is a
// request to the monitor over a socket pair:
//
//   - host-key signatures (the first exchange hash signed becomes the
//     session ID the monitor checks public-key signatures against),
//   - McTiny's SSH key exchange (its cookie keys stay in the monitor),
//   - the Banner, the public-key query, the signed public-key proof (the
//     monitor parses what was signed and verifies the signature itself),
//     passwords and keyboard-interactive rounds (PAM runs in the monitor),
//   - the authentication log (failure counts for PerSourcePenalties).
//
// The monitor keeps the authentication state (which methods may come next
// under AuthenticationMethods) and decides; the network process only
// relays. Once the monitor has seen a login complete, the network process
// hands the transport over (fork patch 0008, AuthenticatedHandoff): from
// then on it encrypts, decrypts and re-keys, and relays the connection
// protocol's packets over the same socket, and the monitor serves the
// connection protocol (ssh.ServerConfig.Resume) with the sessions,
// forwarding and PAM session it always had.
//
// The socket carries frames: a 4-byte big-endian length of what follows,
// a 1-byte type, the body. Requests and answers before the hand-over are
// JSON; after it, a frame's body is one SSH packet payload.

import (
	"bufio"
	"crypto"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// NetArg0 is argv[0] of a connection's network process, and NetProcessEnv
// the variable that marks it (with NetArg0, as for session processes).
const (
	NetArg0       = "pqsshd-auth"
	NetProcessEnv = "PQSSHD_NET_PROCESS"
)

// Descriptors of a network process: the client's TCP connection, a
// control socket to the monitor, which relays its key-exchange memory
// reservations to the listener (privsep_control.go), the
// monitor socket (authentication, then the relayed packets) and the key
// socket (host-key signatures and monitor-computed key exchanges, which
// re-keying needs at any time, also while packets are relayed).
const (
	NetConnFD    = 3
	NetControlFD = 4
	NetMonitorFD = 5
	NetKeyFD     = 6
)

// Frame types.
const (
	psHello        byte = iota + 1 // monitor → net: host keys, monitor-computed key exchanges
	psSign                         // net → monitor (key socket): sign with host key
	psKex                          // net → monitor (key socket): server side of a monitor-computed key exchange
	psBanner                       // net → monitor: the Banner for a user
	psPKQuery                      // net → monitor: may this key be used
	psPKSig                        // net → monitor: a verified public-key signature
	psPassword                     // net → monitor: a password
	psKbdStart                     // net → monitor: a keyboard-interactive attempt begins
	psKbdAnswers                   // net → monitor: the client's answers to a challenge
	psAuthLog                      // net → monitor: an authentication attempt's outcome (no answer)
	psHandoff                      // net → monitor: the transport is handed over; packets follow
	psAnswer                       // monitor → net: the answer to a request
	psKbdChallenge                 // monitor → net: a keyboard-interactive challenge
	psPacket                       // both ways after psHandoff: one SSH packet payload
	psBytes                        // net → monitor, last frame: bytes on the wire (psBytesMsg)
)

// Bounds of the monitor socket. Before the hand-over a request is small
// (the largest is a certificate with its signature); after it a frame is
// one packet, which our x/crypto fork bounds at 1 MiB (McTiny's public key
// travels in one global request reply).
const (
	maxPrivsepRequest = 256 << 10
	maxPrivsepPacket  = 1<<20 + 1024
	// maxPrivsepRequests bounds the requests of one connection before
	// authentication: a network process that loops is killed.
	maxPrivsepRequests = 4096
)

// psMeta is what the network process knows of the connection when it asks
// about authentication. The monitor uses it for logs and Match only: the
// user name it decides on is the one in the signed data (public keys) or
// of the request (passwords, PAM), and the session ID is its own.
type psMeta struct {
	User          string
	ClientVersion string
	ServerVersion string
	Algorithms    gossh.NegotiatedAlgorithms
}

// psHostKey is one host key as the network process offers it.
type psHostKey struct {
	Public []byte   // wire form (a certificate for HostCertificate)
	Algos  []string // the signature algorithms it may use; nil: all
}

type psHelloMsg struct {
	HostKeys   []psHostKey
	MonitorKex []psKexInfo // key exchanges whose server side the monitor computes
}

// psKexInfo names a key exchange the monitor computes.
type psKexInfo struct {
	Name string
	Hash crypto.Hash
}

type psSignReq struct {
	Index int
	Algo  string
	Data  []byte
}

type psKexReq struct {
	Name   string
	Client []byte
}

type psPKReq struct {
	Meta psMeta
	Key  []byte
	Data []byte           // psPKSig: what the client signed
	Sig  *gossh.Signature // psPKSig
}

type psPasswordReq struct {
	Meta     psMeta
	Password []byte
}

type psKbdReq struct {
	Meta    psMeta
	Answers []string // psKbdAnswers
	Err     string   // psKbdAnswers: the client did not answer
}

type psAuthLogReq struct {
	Meta    psMeta
	Method  string
	Err     string
	Partial bool
}

type psKbdChallengeMsg struct {
	Name        string
	Instruction string
	Questions   []string
	Echos       []bool
}

// psAnswerMsg answers every request; the fields used depend on it.
type psAnswerMsg struct {
	Err     string
	OK      bool
	Partial []string // authentication: partial success, the methods offered next
	Banner  string
	Sig     *gossh.Signature
	Reply   []byte // psKex
	Secret  []byte // psKex
	// InvalidUser: the user asked about does not exist (for sshd's log
	// lines, which the network process writes at the connection's end).
	InvalidUser bool
}

// privsepLink is one end of the monitor socket.
type privsepLink struct {
	c  net.Conn
	r  *bufio.Reader
	wm sync.Mutex
}

// privsepReadBuffer is small on purpose: a frame body at least this large
// (a relayed data packet) is read straight into its own slice, not copied
// through the buffer.
const privsepReadBuffer = 8 << 10

func newPrivsepLink(c net.Conn) *privsepLink {
	return &privsepLink{c: c, r: bufio.NewReaderSize(c, privsepReadBuffer)}
}

// write sends one frame.
func (l *privsepLink) write(typ byte, body []byte) error {
	var hdr [5]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(len(body)+1))
	hdr[4] = typ
	l.wm.Lock()
	defer l.wm.Unlock()
	bufs := net.Buffers{hdr[:], body}
	_, err := bufs.WriteTo(l.c)
	return err
}

// writeJSON sends one frame with v as its JSON body.
func (l *privsepLink) writeJSON(typ byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return l.write(typ, b)
}

// read reads one frame of at most max bytes. Only one goroutine reads.
func (l *privsepLink) read(max int) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(l.r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := int(binary.BigEndian.Uint32(hdr[:4]))
	if n < 1 || n-1 > max {
		return 0, nil, fmt.Errorf("privsep: frame of %d bytes (at most %d)", n, max+1)
	}
	body := make([]byte, n-1)
	if _, err := io.ReadFull(l.r, body); err != nil {
		return 0, nil, fmt.Errorf("privsep: truncated frame: %w", err)
	}
	return hdr[4], body, nil
}

// readJSON reads one frame that must be of type want into v.
func (l *privsepLink) readJSON(want byte, v any) error {
	typ, body, err := l.read(maxPrivsepRequest)
	if err != nil {
		return err
	}
	if typ != want {
		return fmt.Errorf("privsep: frame type %d, want %d", typ, want)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("privsep: frame type %d: %w", typ, err)
	}
	return nil
}

// psBytesMsg is the network process's count of the connection's bytes
// on the wire, its last frame when the client went away, for the
// monitor's "connection closed" line.
type psBytesMsg struct{ In, Out int64 }

// relayPackets is a gossh.PacketConn over a link after the hand-over.
// bytes, in the monitor, takes the network process's final count.
type relayPackets struct {
	l     *privsepLink
	bytes *byteCounts
}

func (p relayPackets) ReadPacket() ([]byte, error) {
	typ, body, err := p.l.read(maxPrivsepPacket)
	if err != nil {
		return nil, err
	}
	if typ == psBytes && p.bytes != nil {
		var b psBytesMsg
		if json.Unmarshal(body, &b) == nil && b.In >= 0 && b.Out >= 0 {
			p.bytes.in.Store(b.In)
			p.bytes.out.Store(b.Out)
		}
		return nil, io.EOF
	}
	if typ != psPacket || len(body) == 0 {
		return nil, fmt.Errorf("privsep: frame type %d (%d bytes) after the hand-over", typ, len(body))
	}
	return body, nil
}

func (p relayPackets) WritePacket(b []byte) error { return p.l.write(psPacket, b) }
func (p relayPackets) Close() error               { return p.l.c.Close() }

// resumedConn is the net.Conn a monitor gives gliderlabs for a connection
// resumed after the hand-over: the client's addresses, and Close, which
// ends the relay (the network process then closes the TCP connection).
// The connection protocol itself goes through the PacketConn.
type resumedConn struct {
	relay         relayPackets
	local, remote net.Addr
	closed        chan struct{}
	once          sync.Once
}

func (c *resumedConn) Read([]byte) (int, error) {
	<-c.closed
	return 0, io.EOF
}
func (c *resumedConn) Write([]byte) (int, error) {
	return 0, errors.New("privsep: the resumed connection is written through its packets")
}
func (c *resumedConn) Close() error {
	c.once.Do(func() { close(c.closed); c.relay.Close() })
	return nil
}
func (c *resumedConn) LocalAddr() net.Addr              { return c.local }
func (c *resumedConn) RemoteAddr() net.Addr             { return c.remote }
func (c *resumedConn) SetDeadline(time.Time) error      { return nil }
func (c *resumedConn) SetReadDeadline(time.Time) error  { return nil }
func (c *resumedConn) SetWriteDeadline(time.Time) error { return nil }
