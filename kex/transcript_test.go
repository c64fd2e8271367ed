package kex

import (
	"bytes"
	"crypto/sha3"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pqssh/pqssh/internal/sshwire"
	"golang.org/x/crypto/ssh"
)

// recording is x/crypto's recorded session of its Go client against
// OpenSSH 9.9 negotiating mlkem768x25519-sha256; it ships with the pinned
// upstream release that the fork is materialized from.
var recording = filepath.Join("..", "third_party", "x-crypto", "patched", "ssh", "testdata", "Client-KEX-mlkem768x25519-sha256")

func loadRecording(t *testing.T) (client, server []byte) {
	t.Helper()
	f, err := os.Open(recording)
	if err != nil {
		t.Fatalf("the x/crypto fork is not materialized (run `make fork`): %v", err)
	}
	defer f.Close()
	c, s, err := sshwire.ReadHexDump(f)
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

// replayConn plays the server's recorded bytes to a client and checks that
// everything the client writes equals the recorded client bytes. It stops
// (with io.EOF to the client) once the client has written `stopAfter`
// bytes, all of which matched.
type replayConn struct {
	mu        sync.Mutex
	wantOut   []byte
	serverIn  *bytes.Reader
	written   int
	stopAfter int
	mismatch  error
	done      chan struct{}
	once      sync.Once
}

func (r *replayConn) Read(b []byte) (int, error) {
	r.mu.Lock()
	if r.written >= r.stopAfter || r.mismatch != nil {
		r.mu.Unlock()
		return 0, io.EOF
	}
	r.mu.Unlock()
	if r.serverIn.Len() == 0 {
		// Like a live server, wait for the client rather than hang up.
		<-r.done
		return 0, io.EOF
	}
	return r.serverIn.Read(b)
}

func (r *replayConn) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.written >= r.stopAfter {
		// Past the proof point; later packets carry our stand-in user name.
		return len(b), nil
	}
	end := r.written + len(b)
	if end > len(r.wantOut) || !bytes.Equal(r.wantOut[r.written:end], b) {
		r.mismatch = errors.New("client wrote bytes that differ from the recording")
		r.once.Do(func() { close(r.done) })
		return 0, r.mismatch
	}
	r.written = end
	if r.written >= r.stopAfter {
		r.once.Do(func() { close(r.done) })
	}
	return len(b), nil
}

func (r *replayConn) Close() error                     { return nil }
func (r *replayConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (r *replayConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (r *replayConn) SetDeadline(time.Time) error      { return nil }
func (r *replayConn) SetReadDeadline(time.Time) error  { return nil }
func (r *replayConn) SetWriteDeadline(time.Time) error { return nil }

// TestReplayOpenSSH99Transcript drives the fork's client, with our
// mlkem768x25519-sha256 registered in place of upstream's, through the
// recorded exchange with OpenSSH 9.9. The client must write exactly the
// recorded bytes up to and including its first encrypted packet: that
// packet decrypts only under keys derived from the same K and H, so equal
// bytes prove our construction computes what OpenSSH computed.
func TestReplayOpenSSH99Transcript(t *testing.T) {
	clientBytes, serverBytes := loadRecording(t)
	cs, err := sshwire.Parse(clientBytes)
	if err != nil {
		t.Fatal(err)
	}
	ki, err := sshwire.ParseKexInit(cs.Packets[0])
	if err != nil {
		t.Fatal(err)
	}

	// Rebuild the recorded client's configuration from its KEXINIT; the
	// fork appends ext-info-c and the strict-kex marker itself.
	var kexs []string
	for _, k := range ki.KexAlgos {
		if k != "ext-info-c" && k != "kex-strict-c-v00@openssh.com" {
			kexs = append(kexs, k)
		}
	}
	if len(kexs) != 1 || kexs[0] != MLKEM768X25519SHA256 {
		t.Fatalf("recording offers %v", kexs)
	}
	conf := &ssh.ClientConfig{
		User:              "unused",
		HostKeyCallback:   ssh.InsecureIgnoreHostKey(),
		HostKeyAlgorithms: ki.ServerHostKeyAlgos,
	}
	conf.KeyExchanges = kexs
	conf.Ciphers = ki.CiphersClientServer
	conf.MACs = ki.MACsClientServer
	conf.Rand = sha3.NewSHAKE128()

	// The first encrypted client packet follows NEWKEYS; stop after it.
	// Its length field is encrypted, so allow the whole recorded rest of
	// the flow up to the first server response (the SERVICE_REQUEST).
	firstEncrypted := len(clientBytes) - len(cs.Rest) + 1
	rc := &replayConn{
		wantOut:   clientBytes,
		serverIn:  bytes.NewReader(serverBytes),
		stopAfter: firstEncrypted,
		done:      make(chan struct{}),
	}
	errc := make(chan error, 1)
	go func() {
		_, _, _, err := ssh.NewClientConn(rc, "replay", conf)
		errc <- err
	}()
	select {
	case <-rc.done:
	case err := <-errc:
		rc.mu.Lock()
		t.Fatalf("client stopped before its first encrypted packet: %v (wrote %d of %d; mismatch %v)", err, rc.written, firstEncrypted, rc.mismatch)
	case <-time.After(30 * time.Second):
		t.Fatal("replay timed out")
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.mismatch != nil {
		t.Fatalf("%v (after %d matching bytes)", rc.mismatch, rc.written)
	}
	// One write carries one whole packet: the SERVICE_REQUEST under the
	// negotiated cipher, with its authentication tag.
	if n := rc.written - (firstEncrypted - 1); n < 32 {
		t.Fatalf("first encrypted packet is %d bytes", n)
	}
}

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
