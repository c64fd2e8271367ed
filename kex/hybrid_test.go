package kex

import (
	"bytes"
	"crypto/rand"
	"crypto/sha3"
	"encoding/binary"
	"errors"
	"math/big"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/pqssh/pqssh/internal/sshwire"
	"golang.org/x/crypto/ssh"
)

// testRand is a deterministic stream for tests: SHAKE128(label).
func testRand(label string) *sha3.SHAKE {
	s := sha3.NewSHAKE128()
	s.Write([]byte(label))
	return s
}

func allMethods(t *testing.T) []*Hybrid {
	var hs []*Hybrid
	for _, n := range Names() {
		h, _ := Lookup(n)
		hs = append(hs, h)
	}
	if len(hs) == 0 {
		t.Fatal("no methods registered")
	}
	return hs
}

func TestRoundTripEveryMethod(t *testing.T) {
	for _, h := range allMethods(t) {
		t.Run(h.Name, func(t *testing.T) {
			c, err := h.NewClient(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.PublicValue()) != h.ClientInitSize() {
				t.Fatalf("C_INIT is %d bytes, want %d", len(c.PublicValue()), h.ClientInitSize())
			}
			reply, serverK, err := h.Respond(rand.Reader, c.PublicValue())
			if err != nil {
				t.Fatal(err)
			}
			if len(reply) != h.ServerReplySize() {
				t.Fatalf("S_REPLY is %d bytes, want %d", len(reply), h.ServerReplySize())
			}
			clientK, err := c.Finish(reply)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(clientK, serverK) || len(clientK) != h.SecretSize() {
				t.Fatalf("client K %x, server K %x", clientK, serverK)
			}
		})
	}
}

func TestWrongLengthsRejected(t *testing.T) {
	for _, h := range allMethods(t) {
		t.Run(h.Name, func(t *testing.T) {
			c, err := h.NewClient(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			cInit := c.PublicValue()
			for _, n := range []int{0, len(cInit) - 1, len(cInit) + 1} {
				in := make([]byte, n)
				copy(in, cInit)
				if _, _, err := h.Respond(rand.Reader, in); err == nil {
					t.Errorf("server accepted a %d-byte C_INIT", n)
				}
			}
			reply, _, err := h.Respond(rand.Reader, cInit)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []int{0, len(reply) - 1, len(reply) + 1} {
				in := make([]byte, n)
				copy(in, reply)
				if _, err := c.Finish(in); err == nil {
					t.Errorf("client accepted a %d-byte S_REPLY", n)
				}
			}
		})
	}
}

// An all-zero public key is invalid for every classical part: for X25519
// and X448 a low-order point, whose shared secret would be all zero (RFC
// 7748 section 6.1 and 6.2 say to reject it), for the NIST curves not an
// encoding of a point (RFC 5656 section 4). Both sides refuse it, naming
// the curve.
func TestZeroECDHKeyRejected(t *testing.T) {
	for _, h := range allMethods(t) {
		t.Run(h.Name, func(t *testing.T) {
			n := h.Classical.PublicKeySize()
			c, err := h.NewClient(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			in := bytes.Clone(c.PublicValue())
			clear(in[len(in)-n:])
			if _, _, err := h.Respond(rand.Reader, in); err == nil || !strings.Contains(err.Error(), h.Classical.Name()) {
				t.Errorf("server accepted an all-zero %s key: %v", h.Classical.Name(), err)
			}
			reply, _, err := h.Respond(rand.Reader, c.PublicValue())
			if err != nil {
				t.Fatal(err)
			}
			clear(reply[len(reply)-n:])
			if _, err := c.Finish(reply); err == nil || !strings.Contains(err.Error(), h.Classical.Name()) {
				t.Errorf("client accepted an all-zero %s key: %v", h.Classical.Name(), err)
			}
		})
	}
}

// recordingMethod wraps a Hybrid and remembers the client's view of one
// exchange.
type recordingMethod struct {
	*Hybrid
	cInit, reply, secret []byte
}

type recordingClient struct {
	ssh.KeyExchangeClient
	m *recordingMethod
}

func (r *recordingMethod) NewClient(rnd ioReader) (ssh.KeyExchangeClient, error) {
	c, err := r.Hybrid.NewClient(rnd)
	if err != nil {
		return nil, err
	}
	return &recordingClient{c, r}, nil
}

func (r *recordingClient) Finish(reply []byte) ([]byte, error) {
	s, err := r.KeyExchangeClient.Finish(reply)
	r.m.cInit = bytes.Clone(r.PublicValue())
	r.m.reply = bytes.Clone(reply)
	r.m.secret = bytes.Clone(s)
	return s, err
}

// tapConn records what is read from the server.
type tapConn struct {
	net.Conn
	in, out bytes.Buffer
}

func (c *tapConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.in.Write(b[:n])
	return n, err
}

func (c *tapConn) Write(b []byte) (int, error) {
	c.out.Write(b)
	return c.Conn.Write(b)
}

// loopbackPair returns both ends of a TCP connection on 127.0.0.1. A
// net.Pipe will not do: both SSH sides write their version line before
// reading, and a pipe's writes block until the other end reads.
func loopbackPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// handshake runs a fork client (with m as a per-config method) against a
// fork server over a pipe and returns the session ID (= H), and the raw
// bytes each side sent.
func handshake(t *testing.T, name string, m ssh.KeyExchangeMethod, serverRand ioReader) (sessionID []byte, tap *tapConn) {
	t.Helper()
	_, hostPriv, _ := ed25519Key(t)
	signer, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	sc := &ssh.ServerConfig{NoClientAuth: true}
	sc.KeyExchanges = []string{name}
	sc.Rand = serverRand
	sc.AddHostKey(signer)
	cc := &ssh.ClientConfig{HostKeyCallback: ssh.InsecureIgnoreHostKey()}
	cc.KeyExchanges = []string{name}
	cc.KeyExchangeMethods = map[string]ssh.KeyExchangeMethod{name: m}
	a, b := loopbackPair(t)
	tap = &tapConn{Conn: b}
	done := make(chan error, 1)
	go func() {
		conn, _, _, err := ssh.NewServerConn(a, sc)
		if err == nil {
			conn.Close()
		}
		done <- err
	}()
	conn, _, _, err := ssh.NewClientConn(tap, "pipe", cc)
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	if got := conn.(ssh.AlgorithmsConnMetadata).Algorithms().KeyExchange; got != name {
		t.Fatalf("negotiated %s, want %s", got, name)
	}
	sessionID = conn.SessionID()
	conn.Close()
	if err := <-done; err != nil {
		t.Fatalf("server: %v", err)
	}
	return sessionID, tap
}

// TestSharedSecretIsEncodedAsString finds a handshake whose K has its top
// bit set, where the string and mpint encodings of RFC 4251 differ (an
// mpint would gain a leading zero byte), and checks that H is computed
// with the string encoding the hybrid drafts require, or, for a method
// without a KEM (curve448-sha512), with the mpint encoding RFC 8731
// section 3.1 requires.
func TestSharedSecretIsEncodedAsString(t *testing.T) {
	for _, h := range allMethods(t) {
		t.Run(h.Name, func(t *testing.T) {
			for i := 0; ; i++ {
				if i == 64 {
					t.Fatal("no K with its top bit set in 64 handshakes")
				}
				rec := &recordingMethod{Hybrid: h}
				sid, tap := handshake(t, h.Name, rec, testRand(h.Name+string(rune('a'+i))))
				if rec.secret[0] < 0x80 {
					continue
				}
				cs, err := sshwire.Parse(tap.out.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				ss, err := sshwire.Parse(tap.in.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				kS, _, err := sshwire.String(ss.Packets[1][1:])
				if err != nil {
					t.Fatal(err)
				}
				hashWith := func(encodedK []byte) []byte {
					d := h.Digest.New()
					for _, f := range [][]byte{cs.Version, ss.Version, cs.Packets[0], ss.Packets[0], kS, rec.cInit, rec.reply} {
						d.Write(sshwire.AppendString(nil, f))
					}
					d.Write(encodedK)
					return d.Sum(nil)
				}
				asString := sshwire.AppendString(nil, rec.secret)
				asMpint := sshwire.AppendString(nil, new(big.Int).SetBytes(rec.secret).FillBytes(make([]byte, len(rec.secret)+1)))
				want, other := asString, asMpint
				if h.SecretIsMpint() {
					want, other = asMpint, asString
				}
				if !bytes.Equal(hashWith(want), sid) {
					t.Fatalf("H was not computed with K encoded as %s", map[bool]string{false: "a string", true: "an mpint"}[h.SecretIsMpint()])
				}
				if bytes.Equal(hashWith(other), sid) {
					t.Fatal("H matches the other encoding too: the test cannot tell them apart")
				}
				return
			}
		})
	}
}

func TestRegisteredAndDefault(t *testing.T) {
	supported := ssh.SupportedAlgorithms().KeyExchanges
	def := DefaultKeyExchanges()
	for _, n := range Names() {
		if !slices.Contains(supported, n) {
			t.Errorf("%s is not in ssh.SupportedAlgorithms()", n)
		}
		h, _ := Lookup(n)
		if IsPostQuantum(n) != (len(h.KEMs) > 0) {
			t.Errorf("%s: IsPostQuantum %v with %d KEMs", n, IsPostQuantum(n), len(h.KEMs))
		}
		if IsPostQuantum(n) != slices.Contains(def, n) {
			t.Errorf("%s: post-quantum %v, in the default order %v", n, IsPostQuantum(n), slices.Contains(def, n))
		}
	}
	// Implemented, listed, never offered unless configured.
	for _, n := range []string{CURVE448SHA512, "diffie-hellman-group18-sha512"} {
		if !slices.Contains(supported, n) {
			t.Errorf("%s is not in ssh.SupportedAlgorithms()", n)
		}
		if slices.Contains(def, n) || IsPostQuantum(n) {
			t.Errorf("%s is in the default order or reported post-quantum", n)
		}
	}
	if len(def) == 0 || !IsPostQuantum(def[0]) {
		t.Fatalf("default order %v does not start with a post-quantum method", def)
	}
	if IsPostQuantum("curve25519-sha256") {
		t.Error("curve25519-sha256 reported post-quantum")
	}
	var sawClassical bool
	for _, n := range def {
		if !IsPostQuantum(n) {
			sawClassical = true
		} else if sawClassical {
			t.Errorf("post-quantum %s after a classical method in %v", n, def)
		}
	}
}

var _ = binary.BigEndian

// TestPrestarted checks that a prestarted method's first client uses the
// key pair made in advance (a fresh one each time Prestarted is called),
// that a second NewClient (a rekey) makes a new key pair, and that the
// result still agrees with the server.
func TestPrestarted(t *testing.T) {
	for _, h := range allMethods(t) {
		t.Run(h.Name, func(t *testing.T) {
			p := h.Prestarted()
			first, err := p.NewClient(errReader{})
			if err != nil {
				t.Fatalf("first NewClient must not read its rand: %v", err)
			}
			reply, serverK, err := h.Respond(rand.Reader, first.PublicValue())
			if err != nil {
				t.Fatal(err)
			}
			clientK, err := first.Finish(reply)
			if err != nil || !bytes.Equal(clientK, serverK) {
				t.Fatalf("prestarted client disagrees with the server: %v", err)
			}
			if _, err := p.NewClient(errReader{}); err == nil {
				t.Fatal("second NewClient reused the key pair made in advance")
			}
			second, err := p.NewClient(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(second.PublicValue(), first.PublicValue()) {
				t.Fatal("rekey sent the same public value")
			}
			other := h.Prestarted()
			defer other.Release()
			c, err := other.NewClient(errReader{})
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(c.PublicValue(), first.PublicValue()) {
				t.Fatal("two prestarted methods made the same key pair")
			}
		})
	}
}

// TestPrestartedRelease checks that a released key pair is never handed
// out.
func TestPrestartedRelease(t *testing.T) {
	h, _ := Lookup(MLKEM768X25519SHA256)
	p := h.Prestarted()
	p.Release()
	if _, err := p.NewClient(errReader{}); err == nil {
		t.Fatal("NewClient after Release used the released key pair")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("rand must not be read") }
