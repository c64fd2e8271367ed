package testvectors

import (
	"bytes"
	"errors"
	"io"
	"math/big"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshwire"
	"github.com/pqssh/pqssh/kex"
)

// transcripts lists the recorded transcripts (testvectors/cmd/record) and
// who the peer was. Each method pqssh has that OpenSSH 10.6 does not speak
// (mlkem1024nistp384-sha384, curve448-sha512) is recorded against PuTTY
// 0.85's client instead.
var transcripts = []struct{ file, peer string }{
	{"kex/mlkem768nistp256-sha256.openssh-10.6p1.txt", "OpenSSH 10.6p1 sshd"},
	{"kex/mlkem768nistp256-sha256.openssh-10.6p1-client.txt", "OpenSSH 10.6p1 ssh"},
	{"kex/mlkem768nistp256-sha256.putty-0.85.txt", "PuTTY 0.85 plink"},
	{"kex/mlkem1024nistp384-sha384.putty-0.85.txt", "PuTTY 0.85 plink"},
	{"kex/curve448-sha512.putty-0.85.txt", "PuTTY 0.85 plink"},
	{"kex/diffie-hellman-group18-sha512.openssh-10.6p1.txt", "OpenSSH 10.6p1 sshd"},
	{"kex/diffie-hellman-group18-sha512.openssh-10.6p1-client.txt", "OpenSSH 10.6p1 ssh"},
	{"kex/diffie-hellman-group18-sha512.putty-0.85.txt", "PuTTY 0.85 plink"},
}

// exchange is the unencrypted start of a recorded connection.
type exchange struct {
	v                  map[string][]byte
	role, seed, method string
	client, server     *sshwire.Stream
	// The second packet of each side: SSH_MSG_KEX_ECDH_INIT/REPLY (or
	// KEXDH_INIT/REPLY for finite-field DH, the same layout with mpints
	// e and f in place of the strings C_INIT and S_REPLY).
	cInit, kS, sReply, sig []byte
}

func loadExchange(t *testing.T, file string) *exchange {
	t.Helper()
	v, err := Load(filepath.FromSlash(file))
	if err != nil {
		t.Fatal(err)
	}
	x := &exchange{v: v, role: string(v["role"]), seed: string(v["seed"]), method: string(v["method"])}
	if x.client, err = sshwire.Parse(v["client_stream"]); err != nil {
		t.Fatal(err)
	}
	if x.server, err = sshwire.Parse(v["server_stream"]); err != nil {
		t.Fatal(err)
	}
	if len(x.client.Packets) < 3 || len(x.server.Packets) < 3 {
		t.Fatalf("%d client and %d server packets before NEWKEYS", len(x.client.Packets), len(x.server.Packets))
	}
	init, reply := x.client.Packets[1], x.server.Packets[1]
	if init[0] != 30 || reply[0] != 31 {
		t.Fatalf("second packets are messages %d and %d, want 30 and 31", init[0], reply[0])
	}
	var rest []byte
	x.cInit, rest, err = sshwire.String(init[1:])
	if err != nil || len(rest) != 0 {
		t.Fatalf("client's exchange message: %v", err)
	}
	if x.kS, rest, err = sshwire.String(reply[1:]); err == nil {
		if x.sReply, rest, err = sshwire.String(rest); err == nil {
			x.sig, rest, err = sshwire.String(rest)
		}
	}
	if err != nil || len(rest) != 0 {
		t.Fatalf("server's exchange message: %v", err)
	}
	return x
}

// hashAndVerify computes H (RFC 4253 section 8 with the method's encoding
// of K) and checks the signature of the server's host key over it.
func (x *exchange) hashAndVerify(t *testing.T, m *kex.Hybrid, secret []byte) {
	t.Helper()
	var encK []byte
	if m.SecretIsMpint() {
		encK = new(big.Int).SetBytes(secret).Bytes()
		if len(encK) > 0 && encK[0] >= 0x80 {
			encK = append([]byte{0}, encK...)
		}
	} else {
		encK = secret
	}
	d := m.Hash().New()
	for _, f := range [][]byte{x.client.Version, x.server.Version, x.client.Packets[0], x.server.Packets[0], x.kS, x.cInit, x.sReply, encK} {
		d.Write(sshwire.AppendString(nil, f))
	}
	H := d.Sum(nil)
	hostKey, err := ssh.ParsePublicKey(x.kS)
	if err != nil {
		t.Fatal(err)
	}
	sig := new(ssh.Signature)
	if err := ssh.Unmarshal(x.sig, sig); err != nil {
		t.Fatal(err)
	}
	if err := hostKey.Verify(H, sig); err != nil {
		t.Fatalf("the server's signature does not verify over H = %x: %v", H, err)
	}
}

// TestTranscriptValues recomputes, for each recorded exchange of a method
// of package kex, our side's message and the shared secret from the
// recorded randomness and the peer's message, and H from the transcript;
// H carries the server's host-key signature. When the peer was the server
// (OpenSSH 10.6's sshd) that signature is OpenSSH's, made over the H it
// computed from its own K: it verifying proves the two implementations
// agree on C_INIT, S_REPLY and K and on their encodings. When the peer was
// the client, TestTranscriptReplay is the proof (the client's encrypted
// packets authenticate only under keys derived from the same K and H).
//
// Finite-field DH (diffie-hellman-group18-sha512) lives inside the fork,
// which exposes no K to recompute: its transcripts are proven by
// TestTranscriptReplay alone, and are left out here by name.
func TestTranscriptValues(t *testing.T) {
	for _, tr := range transcripts {
		if strings.HasPrefix(filepath.Base(tr.file), "diffie-hellman-") {
			continue
		}
		t.Run(filepath.Base(tr.file), func(t *testing.T) {
			x := loadExchange(t, tr.file)
			m, ok := kex.Lookup(x.method)
			if !ok {
				t.Fatalf("%s: no such method in package kex", x.method)
			}
			var secret []byte
			switch x.role {
			case RoleClient:
				c, err := m.NewClient(bytes.NewReader(x.v["rand"]))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(c.PublicValue(), x.cInit) {
					t.Fatal("C_INIT differs from the one we sent")
				}
				if secret, err = c.Finish(x.sReply); err != nil {
					t.Fatalf("%s's S_REPLY: %v", tr.peer, err)
				}
			case RoleServer:
				reply, k, err := m.Respond(bytes.NewReader(x.v["rand"]), x.cInit)
				if err != nil {
					t.Fatalf("%s's C_INIT: %v", tr.peer, err)
				}
				if !bytes.Equal(reply, x.sReply) {
					t.Fatal("S_REPLY differs from the one we sent")
				}
				secret = k
			default:
				t.Fatalf("role %q", x.role)
			}
			if !bytes.Equal(secret, x.v["K"]) {
				t.Fatalf("K = %x, want %x", secret, x.v["K"])
			}
			if len(x.cInit) != m.ClientInitSize() || len(x.sReply) != m.ServerReplySize() {
				t.Fatalf("message sizes %d and %d, want %d and %d", len(x.cInit), len(x.sReply), m.ClientInitSize(), m.ServerReplySize())
			}
			x.hashAndVerify(t, m, secret)
			if secret[0] < 0x80 {
				t.Logf("K starts with %#02x: this transcript cannot tell string from mpint", secret[0])
			}
		})
	}
}

// TestTranscriptReplay plays the peer's recorded bytes to our side, with
// our side's recorded randomness, and checks that our side writes exactly
// the recorded bytes: past NEWKEYS, so under keys derived from K and H.
// Our client must then have verified the peer server's signature over H
// and decrypted its SSH_MSG_USERAUTH_FAILURE; our server must have
// decrypted and authenticated the peer client's SERVICE_REQUEST and
// USERAUTH_REQUEST. Either is possible only if both sides computed the
// same K and H. This covers diffie-hellman-group18-sha512 (whose secrets
// stay inside the fork) as well as the methods of package kex.
func TestTranscriptReplay(t *testing.T) {
	for _, tr := range transcripts {
		t.Run(filepath.Base(tr.file), func(t *testing.T) {
			x := loadExchange(t, tr.file)
			rc, err := replay(t, x, -1)
			if rc.mismatch != nil {
				t.Fatalf("%v after %d matching bytes", rc.mismatch, rc.written)
			}
			if err != nil {
				t.Fatalf("our %s against %s's recorded bytes: %v (wrote %d of %d bytes)", x.role, tr.peer, err, rc.written, len(rc.want))
			}
			ours := map[bool]*sshwire.Stream{true: x.client, false: x.server}[x.role == RoleClient]
			if encrypted := len(rc.want) - len(ours.Rest); rc.written <= encrypted {
				t.Fatalf("our side wrote %d bytes, not past NEWKEYS (%d)", rc.written, encrypted)
			}
		})
	}
}

// TestTranscriptReplayTampered checks that the replay would notice a
// disagreement: one changed byte inside the peer's first encrypted packet
// makes our side fail (the packet does not authenticate).
func TestTranscriptReplayTampered(t *testing.T) {
	for _, tr := range transcripts {
		t.Run(filepath.Base(tr.file), func(t *testing.T) {
			x := loadExchange(t, tr.file)
			peer := map[bool]*sshwire.Stream{true: x.server, false: x.client}[x.role == RoleClient]
			at := len(x.v[map[bool]string{true: "server_stream", false: "client_stream"}[x.role == RoleClient]]) - len(peer.Rest) + 8
			if _, err := replay(t, x, at); err == nil {
				t.Fatal("our side accepted a tampered encrypted packet")
			}
		})
	}
}

// replay plays the peer's recorded bytes (with the byte at tamper
// flipped, if tamper >= 0) to our side and returns how our side ended.
func replay(t *testing.T, x *exchange, tamper int) (*replayConn, error) {
	t.Helper()
	ours, peers := x.v["client_stream"], x.v["server_stream"]
	if x.role == RoleServer {
		ours, peers = peers, ours
	}
	if tamper >= 0 {
		peers = bytes.Clone(peers)
		peers[tamper] ^= 0x01
	}
	rc := &replayConn{peer: bytes.NewReader(peers), peerAll: peers, want: ours,
		flows: parseFlows(t, x.v["flows"], x.role == RoleClient)}
	rc.cond = sync.NewCond(&rc.mu)
	rc.release()
	defer rc.Close()
	done := make(chan error, 1)
	go func() {
		switch x.role {
		case RoleClient:
			_, _, _, err := ssh.NewClientConn(rc, "replay", ClientConfig(x.method, x.seed, nil))
			if IsNoAuth(err) {
				err = nil
			} else if err == nil {
				err = errors.New("the login succeeded; the recording has it refused")
			}
			done <- err
		default:
			conf, err := ServerConfig(x.method, x.seed, nil)
			if err == nil {
				var c *ssh.ServerConn
				if c, _, _, err = ssh.NewServerConn(rc, conf); err == nil {
					c.Close()
				}
			}
			done <- err
		}
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("replay timed out")
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc, err
}

// replayConn gives our side the peer's recorded bytes and checks that
// what our side writes is a prefix of its recorded bytes.
type replayConn struct {
	mu       sync.Mutex
	cond     *sync.Cond
	isClosed bool
	peerAll  []byte
	flows    []replayFlow
	next     int // the first flow not yet released
	oursUpTo int // our bytes in the released flows
	allowed  int // the peer's bytes released
	peer     *bytes.Reader
	want     []byte
	written  int
	mismatch error
}

// Read returns the peer's bytes as the live peer sent them: a run of
// them only once our side has written everything it wrote before that run
// (the recorded flows). Past the last run, or while our side still owes
// bytes, it blocks, like a live peer waiting, until our side writes or
// closes the connection.
func (r *replayConn) Read(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		if r.mismatch != nil || r.isClosed {
			return 0, io.EOF
		}
		if n := r.allowed - (len(r.peerAll) - r.peer.Len()); n > 0 {
			if len(b) > n {
				b = b[:n]
			}
			return r.peer.Read(b)
		}
		r.cond.Wait()
	}
}

// release advances allowed past every peer run whose preceding runs of
// ours have been written in full.
func (r *replayConn) release() {
	for r.next < len(r.flows) {
		f := r.flows[r.next]
		if f.ours {
			if r.written < r.oursUpTo+f.n {
				return
			}
			r.oursUpTo += f.n
		} else {
			r.allowed += f.n
		}
		r.next++
	}
}

type replayFlow struct {
	ours bool
	n    int
}

// parseFlows decodes a transcript's flows field (TapConn.Flows).
func parseFlows(t *testing.T, b []byte, weAreClient bool) []replayFlow {
	t.Helper()
	var out []replayFlow
	for len(b) > 0 {
		if len(b) < 5 || (b[0] != 'c' && b[0] != 's') {
			t.Fatal("malformed flows field")
		}
		out = append(out, replayFlow{ours: (b[0] == 'c') == weAreClient, n: int(b[1])<<24 | int(b[2])<<16 | int(b[3])<<8 | int(b[4])})
		b = b[5:]
	}
	return out
}

func (r *replayConn) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	end := r.written + len(b)
	if end > len(r.want) || !bytes.Equal(r.want[r.written:end], b) {
		r.mismatch = errors.New("our side wrote bytes that differ from the recording")
		r.cond.Broadcast()
		return 0, r.mismatch
	}
	r.written = end
	r.release()
	r.cond.Broadcast()
	return len(b), nil
}

func (r *replayConn) Close() error {
	r.mu.Lock()
	r.isClosed = true
	r.cond.Broadcast()
	r.mu.Unlock()
	return nil
}

func (r *replayConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (r *replayConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (r *replayConn) SetDeadline(time.Time) error      { return nil }
func (r *replayConn) SetReadDeadline(time.Time) error  { return nil }
func (r *replayConn) SetWriteDeadline(time.Time) error { return nil }
