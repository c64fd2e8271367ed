package mctiny

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pqssh/pqssh/kem/mceliece"
)

// The long-term key pair is generated once per test binary; each test gets
// its own state directory with a copy of it (and so its own cookie keys).
var (
	keyOnce sync.Once
	keyDir  string
	keyErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if keyDir != "" {
		os.RemoveAll(keyDir)
	}
	os.Exit(code)
}

func stateDir(t testing.TB) string {
	t.Helper()
	keyOnce.Do(func() {
		keyDir, keyErr = os.MkdirTemp("", "mctiny-key")
		if keyErr == nil {
			_, keyErr = loadOrCreateLongTermKey(keyDir)
		}
	})
	if keyErr != nil {
		t.Fatal(keyErr)
	}
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{PublicKeyFile, PrivateKeyFile} {
		b, err := os.ReadFile(filepath.Join(keyDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newTestServer(t testing.TB, dir string) *Server {
	t.Helper()
	s, err := NewServer(dir, &ServerConfig{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// serve runs s on conn until the returned stop function is called.
func serve(t testing.TB, s *Server, conn net.PacketConn) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, conn) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func listenUDP(t testing.TB) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// checkResult verifies that the server recovers the client's Z from C_Z.
func checkResult(t testing.TB, s *Server, res *Result) {
	t.Helper()
	var z [SessionKeySize]byte
	if err := s.CookieKeys().OpenSessionCookie(&z, res.Cookie[:], res.Nonce[:]); err != nil {
		t.Fatalf("server cannot open C_Z: %v", err)
	}
	if z != res.Z {
		t.Fatal("server's Z differs from client's")
	}
	if res.Z == [SessionKeySize]byte{} {
		t.Fatal("Z is zero")
	}
}

func TestExchangeLoopback(t *testing.T) {
	s := newTestServer(t, stateDir(t))
	sc := listenUDP(t)
	serve(t, s, sc)
	cc := listenUDP(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := Exchange(ctx, cc, sc.LocalAddr(), s.PublicKey(), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, s, res)
	st := res.Stats
	t.Logf("%+v", st)
	if got := st.BytesSent - st.RetransmittedBytes; got != BytesToServer {
		t.Errorf("bytes to server without retransmissions %d, want %d", got, BytesToServer)
	}
	if got := st.BytesReceived - st.IgnoredBytes; got != BytesToClient {
		t.Errorf("bytes to client without duplicates %d, want %d", got, BytesToClient)
	}
	if st.MaxDatagram != Q1Size {
		t.Errorf("largest datagram %d, want Q1's %d", st.MaxDatagram, Q1Size)
	}
	if st.PacketsSent != Queries+st.Retransmissions {
		t.Errorf("sent %d packets with %d retransmissions, want %d+%d", st.PacketsSent, st.Retransmissions, Queries, st.Retransmissions)
	}
	if r := s.Stats().Replies; r[0] < 1 || r[1] < RowBlocks*ColBlocks || r[2] < Pieces || r[3] < 1 {
		t.Errorf("server replies per phase %v", r)
	}
}

func TestExchangeLossy(t *testing.T) {
	s := newTestServer(t, stateDir(t))
	cc, sc := memPipe(0.05, 7)
	serve(t, s, sc)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := Exchange(ctx, cc, sc.LocalAddr(), s.PublicKey(), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, s, res)
	t.Logf("%+v", res.Stats)
	// 5 % of 971 queries and of their replies are lost: dozens of
	// retransmissions.
	if res.Stats.Retransmissions < 20 {
		t.Errorf("only %d retransmissions at 5 %% loss", res.Stats.Retransmissions)
	}
}

// TestExchangeFailsClearly: a server that never answers ends the exchange
// with ErrNoReply, and a cancelled context with the context's error.
func TestExchangeFailsClearly(t *testing.T) {
	pk := make([]byte, PublicKeySize)
	cc, _ := memPipe(0, 1)
	key, err := GenerateOneTimeKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ClientConfig{InitialRTO: 5 * time.Millisecond, MaxTries: 3, OneTimeKey: key}
	_, err = Exchange(context.Background(), cc, memAddr("server"), pk, cfg)
	if !errorsIs(err, ErrNoReply) {
		t.Fatalf("silent server: %v, want ErrNoReply", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	cfg.MaxTries = 1000
	_, err = Exchange(ctx, cc, memAddr("server"), pk, cfg)
	if !errorsIs(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled: %v, want DeadlineExceeded", err)
	}
	if _, err := Exchange(ctx, cc, memAddr("server"), pk[:100], cfg); err == nil {
		t.Fatal("short server key accepted")
	}
}

// TestPhase0Tries: with Phase0Tries, an unanswered phase 0 (what a server
// without the private key of serverPK does) ends the exchange after that
// many sends, well before MaxTries.
func TestPhase0Tries(t *testing.T) {
	pk := make([]byte, PublicKeySize)
	sc := listenUDP(t)
	cc := listenUDP(t)
	key, err := GenerateOneTimeKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ClientConfig{InitialRTO: 5 * time.Millisecond, MaxTries: 1000, Phase0Tries: 2, OneTimeKey: key}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = Exchange(ctx, cc, sc.LocalAddr(), pk, cfg)
	if !errorsIs(err, ErrNoReply) || !errorsIs(err, ErrNoPhase0Reply) {
		t.Fatalf("silent server: %v, want ErrNoReply in phase 0", err)
	}
	sc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	buf := make([]byte, MaxPacketSize+1)
	n := 0
	for {
		m, _, err := sc.ReadFrom(buf)
		if err != nil {
			break
		}
		if m != Q0Size {
			t.Errorf("datagram of %d bytes, want Q0's %d", m, Q0Size)
		}
		n++
	}
	if n != 2 {
		t.Errorf("phase 0 sent %d times, want 2", n)
	}
}

func TestSessionKeyMatchesMcEliece(t *testing.T) {
	// Phase 3 computes the Classic McEliece session key itself (without
	// allocating); it must equal kem/mceliece's.
	s := newServerWithoutKEM(t, t.TempDir())
	pk := make([]byte, PublicKeySize)
	c, e := fakePhase0(t, s, pk)
	for q := qPhase1; q < qPhase2; q++ {
		drive(t, s, c, q, t0)
	}
	for _, q := range c.urgent {
		drive(t, s, c, q, t0)
	}
	reply := drive(t, s, c, qPhase3, t0)
	var n [NonceSize]byte
	copy(n[:], reply[len(reply)-NonceSize:])
	msg, _ := open(nil, reply[:len(reply)-NonceSize], &n, &c.S)
	var z [SessionKeySize]byte
	if err := s.keys.OpenSessionCookie(&z, msg[:CZSize], n[:]); err != nil {
		t.Fatal(err)
	}
	if want := mceliece.SessionKey(e, msg[CZSize:]); !bytes.Equal(z[:], want) {
		t.Fatal("Z differs from mceliece.SessionKey(e, C)")
	}
	// And the syndrome the pieces add up to is mceliece.Encode's.
	he, err := mceliece.Encode(pk, e)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(he, c.he[:]) {
		t.Fatal("syndrome differs from mceliece.Encode")
	}
}

func TestParametersMatchMcEliece(t *testing.T) {
	for _, c := range [][2]int{
		{mceN, mceliece.N}, {mceT, mceliece.T}, {mceM, mceliece.M},
		{Rows, mceliece.Rows}, {Cols, mceliece.K}, {RowBytes, mceliece.RowBytes},
		{PublicKeySize, mceliece.PublicKeySize}, {CiphertextSize, mceliece.CiphertextSize},
		{SessionKeySize, mceliece.SharedKeySize},
	} {
		if c[0] != c[1] {
			t.Errorf("mctiny %d != mceliece %d", c[0], c[1])
		}
	}
}

func errorsIs(err, target error) bool { return err != nil && errors.Is(err, target) }

func TestSameAddr(t *testing.T) {
	v4 := &net.UDPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 22}
	mapped := &net.UDPAddr{IP: net.ParseIP("::ffff:192.0.2.1"), Port: 22}
	if !sameAddr(v4, mapped) || !sameAddr(mapped, v4) {
		t.Error("IPv4-mapped address not recognised")
	}
	if sameAddr(v4, &net.UDPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 23}) {
		t.Error("other port accepted")
	}
	if sameAddr(v4, &net.UDPAddr{IP: net.IPv4(192, 0, 2, 2), Port: 22}) {
		t.Error("other host accepted")
	}
	if !sameAddr(memAddr("server"), memAddr("server")) || sameAddr(memAddr("a"), memAddr("b")) {
		t.Error("non-UDP addresses compared wrongly")
	}
}
