package testvectors

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha3"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/kex"
)

// A recorded transcript is one connection between our side (the fork's
// ssh package with pqssh's methods, its randomness a SHAKE128 stream of a
// seed) and a peer nobody here wrote, kept as a vector file (see Load)
// with these fields:
//
//	method        the key exchange, as its name
//	role          "client" (we were the client) or "server" (hex of the word)
//	seed          the label of our SHAKE128 randomness (hex of the label)
//	client_stream everything the client sent, from its version line
//	server_stream everything the server sent
//	flows         how the two streams alternated (TapConn.Flows)
//	rand          for a method of package kex: the bytes NewClient (client
//	              role) or Respond (server role) read from our randomness
//	K             for a method of package kex: the raw shared secret our
//	              side computed (before its string or mpint encoding)
//
// The exchange's own values (V_C, V_S, I_C, I_S, K_S, C_INIT or e,
// S_REPLY or f, the signature) are parsed from the streams by the tests.
// Because our randomness is a function of the seed, replaying the peer's
// stream to our side reproduces our stream byte for byte.

// Role names for a transcript's role field.
const (
	RoleClient = "client"
	RoleServer = "server"
)

// Rand returns the randomness of our side of a transcript: SHAKE128(seed).
func Rand(seed string) io.Reader {
	s := sha3.NewSHAKE128()
	s.Write([]byte(seed))
	return s
}

// TranscriptUser is the user name our client logs in as; it offers no
// credentials, so the peer's server refuses it after the exchange.
const TranscriptUser = "pqssh-vector"

// ClientConfig is our client's configuration in a transcript: only method
// offered, randomness from seed, no authentication method (a server
// answers with SSH_MSG_USERAUTH_FAILURE, which it sends encrypted under the
// negotiated keys: the proof that both sides derived the same ones).
func ClientConfig(method, seed string, rec *Recorder) *ssh.ClientConfig {
	c := &ssh.ClientConfig{
		User:            TranscriptUser,
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	}
	c.KeyExchanges = []string{method}
	c.Rand = Rand(seed)
	if rec != nil {
		rec.install(&c.Config, method)
	}
	return c
}

// HostKey is our server's Ed25519 host key in every transcript, derived
// from a fixed label (so that a peer client can be told its fingerprint
// before the recording's retries pick a seed).
func HostKey() (ssh.Signer, error) {
	k := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(Rand("pqssh transcript host key"), k); err != nil {
		return nil, err
	}
	return ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(k))
}

// ServerConfig is our server's configuration in a transcript: only method
// offered, randomness from seed, the host key HostKey(), and every
// client let in without authentication (the client's encrypted
// SSH_MSG_SERVICE_REQUEST and USERAUTH_REQUEST, which the server must
// decrypt and authenticate, are the proof that both sides derived the
// same keys).
func ServerConfig(method, seed string, rec *Recorder) (*ssh.ServerConfig, error) {
	c := &ssh.ServerConfig{NoClientAuth: true}
	c.KeyExchanges = []string{method}
	c.Rand = Rand(seed)
	hk, err := HostKey()
	if err != nil {
		return nil, err
	}
	c.AddHostKey(hk)
	if rec != nil {
		rec.install(&c.Config, method)
	}
	return c, nil
}

// Recorder captures, for a method of package kex, the randomness the
// method read and the shared secret it computed. (Methods of the fork
// itself, such as diffie-hellman-group18-sha512, are not visible here; their
// transcripts are checked by replay alone.)
type Recorder struct {
	mu     sync.Mutex
	Rand   []byte
	Secret []byte
}

func (r *Recorder) install(c *ssh.Config, method string) {
	h, ok := kex.Lookup(method)
	if !ok {
		return
	}
	c.KeyExchangeMethods = map[string]ssh.KeyExchangeMethod{method: &recordingMethod{h, r}}
}

type recordingMethod struct {
	*kex.Hybrid
	r *Recorder
}

type teeReader struct {
	in io.Reader
	r  *Recorder
}

func (t teeReader) Read(b []byte) (int, error) {
	n, err := t.in.Read(b)
	t.r.mu.Lock()
	t.r.Rand = append(t.r.Rand, b[:n]...)
	t.r.mu.Unlock()
	return n, err
}

func (m *recordingMethod) NewClient(rand io.Reader) (ssh.KeyExchangeClient, error) {
	c, err := m.Hybrid.NewClient(teeReader{rand, m.r})
	if err != nil {
		return nil, err
	}
	return &recordingClient{c, m.r}, nil
}

type recordingClient struct {
	ssh.KeyExchangeClient
	r *Recorder
}

func (c *recordingClient) Finish(reply []byte) ([]byte, error) {
	k, err := c.KeyExchangeClient.Finish(reply)
	c.r.mu.Lock()
	c.r.Secret = bytes.Clone(k)
	c.r.mu.Unlock()
	return k, err
}

func (m *recordingMethod) Respond(rand io.Reader, clientPublic []byte) ([]byte, []byte, error) {
	reply, k, err := m.Hybrid.Respond(teeReader{rand, m.r}, clientPublic)
	m.r.mu.Lock()
	m.r.Secret = bytes.Clone(k)
	m.r.mu.Unlock()
	return reply, k, err
}

// TapConn records both directions of a connection, and the order in
// which they alternated.
type TapConn struct {
	net.Conn
	mu      sync.Mutex
	In, Out bytes.Buffer
	flows   []flow
}

// A flow is a run of bytes in one direction, before the other direction
// sent anything: out is true for our side's bytes.
type flow struct {
	out bool
	n   int
}

func (c *TapConn) note(out bool, n int) {
	if n == 0 {
		return
	}
	if k := len(c.flows); k > 0 && c.flows[k-1].out == out {
		c.flows[k-1].n += n
		return
	}
	c.flows = append(c.flows, flow{out, n})
}

func (c *TapConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	c.In.Write(b[:n])
	c.note(false, n)
	c.mu.Unlock()
	return n, err
}

func (c *TapConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.Out.Write(b)
	c.note(true, len(b))
	c.mu.Unlock()
	return c.Conn.Write(b)
}

// Flows encodes the alternation of the two directions as the "flows"
// field of a transcript: per run, one byte ('c' for the client's bytes,
// 's' for the server's) and its length as a 4-byte big-endian number. A
// replay releases the peer's next run only once our side has written its
// runs before it, as the live peer did.
func (c *TapConn) Flows(weAreClient bool) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b []byte
	for _, f := range c.flows {
		d := byte('s')
		if f.out == weAreClient {
			d = 'c'
		}
		b = append(b, d, byte(f.n>>24), byte(f.n>>16), byte(f.n>>8), byte(f.n))
	}
	return b
}

// IsNoAuth reports whether err is the end of a transcript client whose
// key exchange succeeded: the server refused the login.
func IsNoAuth(err error) bool {
	return err != nil && strings.Contains(err.Error(), "unable to authenticate")
}

// WriteTranscript writes a transcript as a vector file.
func WriteTranscript(w io.Writer, comment []string, fields map[string][]byte, method string) error {
	for _, c := range comment {
		if _, err := fmt.Fprintf(w, "# %s\n", c); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "method = %s\n", method)
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := fmt.Fprintf(w, "%s = %s\n", n, hex.EncodeToString(fields[n])); err != nil {
			return err
		}
	}
	return nil
}
