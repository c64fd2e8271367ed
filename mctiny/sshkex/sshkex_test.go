package sshkex

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"errors"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/mctiny"
)

// mctinyRun runs a McTiny exchange over loopback UDP against a fresh
// server and returns the server and the client's result.
func mctinyRun(t *testing.T) (*mctiny.Server, *mctiny.Result) {
	t.Helper()
	srv, err := mctiny.NewServer(t.TempDir(), &mctiny.ServerConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, sc) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	cc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ectx, ecancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer ecancel()
	res, err := mctiny.Exchange(ectx, cc, sc.LocalAddr(), srv.PublicKey(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv, res
}

// handshake runs an SSH handshake over loopback TCP with the client and server
// methods and returns the negotiated method or the client's error.
func handshake(t *testing.T, cm ssh.KeyExchangeMethod, sm ssh.KeyExchangeMethod) (string, error) {
	t.Helper()
	_, hk, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := ssh.NewSignerFromKey(hk)
	if err != nil {
		t.Fatal(err)
	}
	scfg := &ssh.ServerConfig{NoClientAuth: true}
	scfg.KeyExchanges = []string{Name}
	scfg.KeyExchangeMethods = map[string]ssh.KeyExchangeMethod{Name: sm}
	scfg.AddHostKey(signer)
	ccfg := &ssh.ClientConfig{HostKeyCallback: ssh.InsecureIgnoreHostKey(), User: "u"}
	ccfg.KeyExchanges = []string{Name}
	ccfg.KeyExchangeMethods = map[string]ssh.KeyExchangeMethod{Name: cm}
	c1, c2 := connPair(t)
	defer c1.Close()
	defer c2.Close()
	serr := make(chan error, 1)
	go func() {
		conn, chans, reqs, err := ssh.NewServerConn(c1, scfg)
		if err != nil {
			serr <- err
			return
		}
		go ssh.DiscardRequests(reqs)
		go func() {
			for ch := range chans {
				ch.Reject(ssh.Prohibited, "test")
			}
		}()
		serr <- nil
		conn.Wait()
	}()
	conn, _, _, err := ssh.NewClientConn(c2, "", ccfg)
	if err != nil {
		c2.Close()
		<-serr
		return "", err
	}
	defer conn.Close()
	if err := <-serr; err != nil {
		t.Fatalf("server: %v", err)
	}
	// The transport works: a global request round-trips.
	if _, _, err := conn.SendRequest("ping@pqssh", true, nil); err != nil {
		t.Fatalf("request over the new transport: %v", err)
	}
	return conn.(ssh.AlgorithmsConnMetadata).Algorithms().KeyExchange, nil
}

func TestSSHHandshakeAfterMcTiny(t *testing.T) {
	srv, res := mctinyRun(t)
	sm := NewServerMethod(srv.CookieKeys())
	got, err := handshake(t, NewClientMethod(res), sm)
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if got != Name {
		t.Fatalf("negotiated %q, want %q", got, Name)
	}

	// A client whose Z is not the one in its cookie fails the handshake
	// (the two sides derive different keys).
	bad := NewClientMethod(res)
	bad.z[0] ^= 1
	if _, err := handshake(t, bad, sm); err == nil {
		t.Fatal("handshake with a wrong Z succeeded")
	}
	// A server with other cookie keys cannot open the cookie.
	other, err := mctiny.OpenCookieKeys("", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := handshake(t, NewClientMethod(res), NewServerMethod(other)); err == nil {
		t.Fatal("handshake with a foreign server's cookie keys succeeded")
	}
}

func TestRespondRejects(t *testing.T) {
	keys, err := mctiny.OpenCookieKeys("", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sm := NewServerMethod(keys)
	// A valid C_INIT needs a cookie the server made; without the McTiny
	// run, the length and cookie checks come first.
	for _, n := range []int{0, ClientSize - 1, ClientSize + 1} {
		if _, _, err := sm.Respond(rand.Reader, make([]byte, n)); !errors.Is(err, ErrMalformed) {
			t.Errorf("C_INIT of %d bytes: %v", n, err)
		}
	}
	if _, _, err := sm.Respond(rand.Reader, make([]byte, ClientSize)); !errors.Is(err, mctiny.ErrBadCookie) {
		t.Errorf("forged cookie: %v", err)
	}
}

func TestClientFinishRejects(t *testing.T) {
	var res mctiny.Result
	rand.Read(res.Z[:])
	cm := NewClientMethod(&res)
	kc, err := cm.NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	init := kc.PublicValue()
	if len(init) != ClientSize || !bytes.Equal(init[:mctiny.CZSize], res.Cookie[:]) {
		t.Fatalf("C_INIT layout wrong")
	}
	if _, err := kc.Finish(make([]byte, 31)); !errors.Is(err, ErrMalformed) {
		t.Errorf("short S_REPLY: %v", err)
	}
	// The all-zero point (and other low-order points) give the all-zero
	// X25519 output, which must be refused.
	if _, err := kc.Finish(make([]byte, 32)); !errors.Is(err, ErrMalformed) {
		t.Errorf("zero S_REPLY: %v", err)
	}
	// A valid reply: the secret is SHA-512(Z ‖ X25519).
	kc2, err := NewClientMethod(&res).NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := ecdh.X25519().GenerateKey(rand.Reader)
	k1, err := kc2.Finish(priv.PublicKey().Bytes())
	if err != nil {
		t.Fatal(err)
	}
	clientPub, err := ecdh.X25519().NewPublicKey(kc2.PublicValue()[mctiny.CZSize+mctiny.NonceSize:])
	if err != nil {
		t.Fatal(err)
	}
	ss, _ := priv.ECDH(clientPub)
	want := sha512.Sum512(append(res.Z[:], ss...))
	if !bytes.Equal(k1, want[:]) {
		t.Fatalf("secret is not SHA-512(Z || X25519)")
	}
}

// TestClientMethodKeysOneExchange: Z keys one exchange; a second
// NewClient (a rekey offering the method again) fails with ErrUsed, as
// does NewClient after Wipe, and the method's copy of Z is erased.
func TestClientMethodKeysOneExchange(t *testing.T) {
	var res mctiny.Result
	rand.Read(res.Z[:])
	cm := NewClientMethod(&res)
	if _, err := cm.NewClient(rand.Reader); err != nil {
		t.Fatal(err)
	}
	if cm.z != [zSize]byte{} {
		t.Error("Z not erased from the method after the first exchange")
	}
	if _, err := cm.NewClient(rand.Reader); !errors.Is(err, ErrUsed) {
		t.Errorf("second NewClient: %v, want ErrUsed", err)
	}
	wiped := NewClientMethod(&res)
	wiped.Wipe()
	if wiped.z != [zSize]byte{} {
		t.Error("Wipe left Z")
	}
	if _, err := wiped.NewClient(rand.Reader); !errors.Is(err, ErrUsed) {
		t.Errorf("NewClient after Wipe: %v, want ErrUsed", err)
	}
}

// connPair returns the two ends of a loopback TCP connection (net.Pipe is
// unbuffered, and both SSH sides write their version line first), with a
// deadline so that a broken handshake fails instead of hanging.
func connPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	acc := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			acc <- nil
			return
		}
		acc <- c
	}()
	c2, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c1 := <-acc
	if c1 == nil {
		t.Fatal("accept failed")
	}
	dl := time.Now().Add(30 * time.Second)
	c1.SetDeadline(dl)
	c2.SetDeadline(dl)
	return c1, c2
}
