package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/pqssh/pqssh/client"
	clientconfig "github.com/pqssh/pqssh/client/config"
	"github.com/pqssh/pqssh/mctiny"
	"github.com/pqssh/pqssh/mctiny/sshkex"
)

// mctinyUser is a client identity for the McTiny tests: an agent holding
// a key the server authorizes.
type mctinyUser struct {
	home string
	ag   agent.ExtendedAgent
}

func newMcTinyUser(t testing.TB, e *testEnv) *mctinyUser {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kr := agent.NewKeyring()
	kr.Add(agent.AddedKey{PrivateKey: priv})
	s, _ := gossh.NewSignerFromKey(priv)
	e.authorize(e.user, "", s.PublicKey())
	return &mctinyUser{home: t.TempDir(), ag: kr.(agent.ExtendedAgent)}
}

// dialer returns a pqssh Dialer for addr ("host:port") with the given
// extra ssh_config lines, then McTiny=yes and StrictHostKeyChecking
// accept-new (first value wins); its diagnostics go to log.
func (u *mctinyUser) dialer(t testing.TB, addr, userName string, log *syncBuffer, extra ...string) *client.Dialer {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	opts := append([]string{
		"HostName " + host, "Port " + port, "User " + userName,
		"UserKnownHostsFile " + filepath.Join(u.home, "known_hosts"),
		"GlobalKnownHostsFile none", "BatchMode yes", "IdentityFile none",
	}, extra...)
	opts = append(opts, "McTiny yes", "StrictHostKeyChecking accept-new")
	o, err := clientconfig.Load(clientconfig.Context{Host: "test", LocalUser: userName, Home: u.home}, opts, "none")
	if err != nil {
		t.Fatal(err)
	}
	r, err := o.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	return &client.Dialer{Config: r, Agent: u.ag, Log: client.NewLogger(log, client.ParseLevel("DEBUG1"))}
}

func (u *mctinyUser) pinFile() string { return filepath.Join(u.home, ".ssh", "pqssh_mctiny_hosts") }

func startMcTinyServer(t testing.TB, extra string) *testEnv {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mctiny")
	return startServer(t, "", "McTiny yes\nMcTinyStateDirectory "+dir+"\n"+extra)
}

func dialCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustEcho(t testing.TB, c *client.Client, word string) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := s.Output("echo " + word)
	if err != nil || string(out) != word+"\n" {
		t.Fatalf("exec: %q %v", out, err)
	}
}

// TestMcTinyLogin: first contact fetches the McTiny key over SSH and pins
// it, then logs in with mctiny6688128x25519-sha512; the second login uses
// the pin without asking the server.
func TestMcTinyLogin(t *testing.T) {
	e := startMcTinyServer(t, "")
	u := newMcTinyUser(t, e)
	pk := e.srv.McTinyPublicKey()
	if len(pk) != mctiny.PublicKeySize {
		t.Fatalf("McTiny key of %d bytes", len(pk))
	}
	_, port, _ := net.SplitHostPort(e.addr)
	host := "[127.0.0.1]:" + port

	for round := 1; round <= 2; round++ {
		var log syncBuffer
		c, err := u.dialer(t, e.addr, e.user, &log).Dial(dialCtx(t))
		if err != nil {
			t.Fatalf("login %d: %v\n%s", round, err, log.String())
		}
		if c.Algorithms.KeyExchange != sshkex.Name {
			t.Errorf("login %d negotiated %q", round, c.Algorithms.KeyExchange)
		}
		if c.McTiny == nil || c.McTiny.PacketsSent < 971 || c.McTiny.MaxDatagram > mctiny.MaxPacketSize {
			t.Errorf("login %d: McTiny stats %+v", round, c.McTiny)
		}
		mustEcho(t, c, "mctiny"+strconv.Itoa(round))
		c.Close()
		out := log.String()
		if !strings.Contains(out, "debug1: kex: algorithm: "+sshkex.Name) {
			t.Errorf("login %d: no kex line in\n%s", round, out)
		}
		asked := strings.Contains(out, "asking the server over SSH")
		if round == 1 && (!asked || !strings.Contains(out, "Permanently added the McTiny key of '"+host+"'")) {
			t.Errorf("first contact did not fetch and pin:\n%s", out)
		}
		if round == 2 && (asked || !strings.Contains(out, "McTiny key for '"+host+"' is pinned")) {
			t.Errorf("second login did not use the pin:\n%s", out)
		}
	}
	pins, err := os.ReadFile(u.pinFile())
	if err != nil {
		t.Fatal(err)
	}
	if want := host + " " + mctiny.Name + " " + sshkex.Fingerprint(pk) + "\n"; string(pins) != want {
		t.Errorf("pin file %q, want %q", pins, want)
	}
	e.logs.waitLog(t, "mctiny: sent public key")
	e.logs.waitLog(t, "kex="+sshkex.Name)
	if n := strings.Count(e.logs.String(), "mctiny: sent public key"); n != 1 {
		t.Errorf("key sent %d times, want once", n)
	}
}

// TestMcTinyRekey: McTiny's result keys the first exchange only (the
// client's method refuses a second use, as the server would refuse the
// cookie once its key expired), so rekeys must negotiate another method.
// With RekeyLimit 64K a 2 MiB transfer rekeys about thirty times; the
// session survives and the data arrives whole.
func TestMcTinyRekey(t *testing.T) {
	e := startMcTinyServer(t, "")
	u := newMcTinyUser(t, e)
	var log syncBuffer
	c, err := u.dialer(t, e.addr, e.user, &log, "RekeyLimit 64K").Dial(dialCtx(t))
	if err != nil {
		t.Fatalf("login: %v\n%s", err, log.String())
	}
	defer c.Close()
	if c.Algorithms.KeyExchange != sshkex.Name {
		t.Fatalf("first exchange negotiated %q", c.Algorithms.KeyExchange)
	}
	for round := range 2 {
		s, err := c.NewSession()
		if err != nil {
			t.Fatalf("session %d: %v", round, err)
		}
		out, err := s.Output("head -c 2097152 /dev/zero")
		s.Close()
		if err != nil || len(out) != 2<<20 {
			t.Fatalf("transfer %d: %d bytes, %v\n%s", round, len(out), err, log.String())
		}
	}
	mustEcho(t, c, "after-rekeys")
}

// TestMcTinyChangedKeyRefused: a pin that does not match the server's key
// makes phase 0 go unanswered; pqssh then asks the server over SSH and
// refuses the different key loudly, without touching the pin.
func TestMcTinyChangedKeyRefused(t *testing.T) {
	e := startMcTinyServer(t, "")
	u := newMcTinyUser(t, e)
	other, err := mctiny.NewServer(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(e.addr)
	host := "[127.0.0.1]:" + port
	if err := pinMcTinyKeyForTest(u.pinFile(), host, other.PublicKey()); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(u.pinFile())
	var log syncBuffer
	d := u.dialer(t, e.addr, e.user, &log)
	d.McTinyOptions = &mctiny.ClientConfig{InitialRTO: 50 * time.Millisecond}
	c, err := d.Dial(dialCtx(t))
	if err == nil {
		c.Close()
		t.Fatal("login with a changed McTiny key")
	}
	if !errors.Is(err, client.ErrMcTinyKeyVerification) {
		t.Errorf("error %v", err)
	}
	out := log.String()
	for _, want := range []string{
		"REMOTE HOST IDENTIFICATION HAS CHANGED",
		sshkex.Fingerprint(e.srv.McTinyPublicKey()),
		"Offending McTiny key in " + u.pinFile() + ":1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if after, _ := os.ReadFile(u.pinFile()); !bytes.Equal(before, after) {
		t.Errorf("pin file changed: %q", after)
	}
}

// pinMcTinyKeyForTest writes a pin and the key store entry as pqssh does.
func pinMcTinyKeyForTest(pinFile, host string, pk []byte) error {
	sum := sshkex.Fingerprint(pk)
	raw, err := fingerprintHex(sum)
	if err != nil {
		return err
	}
	dir := filepath.Join(filepath.Dir(pinFile), "pqssh_mctiny_keys")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, raw), pk, 0o600); err != nil {
		return err
	}
	return os.WriteFile(pinFile, []byte(host+" "+mctiny.Name+" "+sum+"\n"), 0o600)
}

// TestMcTinyStrictAndOff: StrictHostKeyChecking=yes does not pin a new
// McTiny key, and a server without McTiny refuses the key request (the
// connection fails rather than falling back).
func TestMcTinyStrictAndOff(t *testing.T) {
	e := startMcTinyServer(t, "")
	u := newMcTinyUser(t, e)
	var log syncBuffer
	// The first StrictHostKeyChecking wins: yes.
	d := u.dialer(t, e.addr, e.user, &log, "StrictHostKeyChecking yes", "NoHostAuthenticationForLocalhost yes")
	if c, err := d.Dial(dialCtx(t)); err == nil {
		c.Close()
		t.Fatal("pinned under StrictHostKeyChecking=yes")
	}
	if !strings.Contains(log.String(), "No McTiny key is pinned for") {
		t.Errorf("log:\n%s", log.String())
	}
	if _, err := os.Stat(u.pinFile()); err == nil {
		t.Error("pin file written under StrictHostKeyChecking=yes")
	}

	off := startServer(t, "", "")
	uo := newMcTinyUser(t, off)
	var log2 syncBuffer
	if c, err := uo.dialer(t, off.addr, off.user, &log2).Dial(dialCtx(t)); err == nil {
		c.Close()
		t.Fatal("McTiny login against a server without McTiny")
	}
	if !strings.Contains(log2.String(), "does not offer McTiny") {
		t.Errorf("log:\n%s", log2.String())
	}
	off.logs.waitLog(t, "mctiny: public key requested but McTiny is off")
}

// TestMcTinyGlobalRequestNeedsKexMethodOnlyWhenOn: the method is offered
// only with McTiny yes, and the offer names the SSH port (McTinyPort 0).
func TestMcTinyOffer(t *testing.T) {
	e := startMcTinyServer(t, "")
	c := e.mustDial()
	ok, data, err := c.SendRequest(sshkex.GlobalRequest, true, nil)
	if err != nil || !ok {
		t.Fatalf("request: %v %v", ok, err)
	}
	o, err := sshkex.ParseKeyOffer(data)
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(e.addr)
	if strconv.Itoa(int(o.Port)) != port || !bytes.Equal(o.PublicKey, e.srv.McTinyPublicKey()) {
		t.Errorf("offer port %d (want %s), key match %v", o.Port, port, bytes.Equal(o.PublicKey, e.srv.McTinyPublicKey()))
	}
	if a := e.srv.McTinyAddrs(); len(a) != 1 || a[0].String() != e.addr {
		t.Errorf("McTiny addresses %v, want %s", a, e.addr)
	}
	// With McTinyPort, the offer names it.
	free, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	p := free.LocalAddr().(*net.UDPAddr).Port
	free.Close()
	e2 := startMcTinyServer(t, "McTinyPort "+strconv.Itoa(p))
	c2 := e2.mustDial()
	_, data, _ = c2.SendRequest(sshkex.GlobalRequest, true, nil)
	if o, err := sshkex.ParseKeyOffer(data); err != nil || int(o.Port) != p {
		t.Errorf("McTinyPort %d: offer %v %v", p, o, err)
	}
	waitUDP(t, e2.srv, "127.0.0.1:"+strconv.Itoa(p))
	// Without McTiny the method is not offered.
	plain := startServer(t, "", "")
	if _, err := plain.dial(plain.user, plain.key, sshkex.Name); err == nil {
		t.Error("mctiny method negotiated with McTiny off")
	}
}

// waitUDP waits for the McTiny socket (Serve opens it when it starts).
func waitUDP(t *testing.T, s *Server, addr string) {
	t.Helper()
	for range 500 {
		for _, a := range s.McTinyAddrs() {
			if a.String() == addr {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("McTiny not listening on %s: %v", addr, s.McTinyAddrs())
}

// recordingConn records the datagrams a client sends.
type recordingConn struct {
	net.PacketConn
	mu   sync.Mutex
	sent [][]byte
}

func (c *recordingConn) WriteTo(p []byte, a net.Addr) (int, error) {
	c.mu.Lock()
	if len(c.sent) < 4096 {
		c.sent = append(c.sent, bytes.Clone(p))
	}
	c.mu.Unlock()
	return c.PacketConn.WriteTo(p, a)
}

func (c *recordingConn) recorded() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent
}

// TestMcTinyUnderFlood: forged packets of every query length and replays
// of a previous client's queries hit pqsshd's McTiny port while a client
// completes its exchange and logs in. (The handler's zero allocations and
// flat memory under flood are proved in package mctiny; this checks the
// pqsshd binding keeps serving.)
func TestMcTinyUnderFlood(t *testing.T) {
	e := startMcTinyServer(t, "")
	u := newMcTinyUser(t, e)
	// A first login pins the key and records queries to replay.
	rec, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	rc := &recordingConn{PacketConn: rec}
	var log syncBuffer
	d := u.dialer(t, e.addr, e.user, &log)
	d.McTinyConn = rc
	c, err := d.Dial(dialCtx(t))
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	c.Close()
	replays := rc.recorded()

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var sent int
	wg.Go(func() {
		sent = flood(ctx, t, e.addr, replays, 200000)
	})
	var log2 syncBuffer
	c, err = u.dialer(t, e.addr, e.user, &log2).Dial(dialCtx(t))
	cancel()
	wg.Wait()
	if err != nil {
		t.Fatalf("login under flood: %v\n%s", err, log2.String())
	}
	defer c.Close()
	if c.Algorithms.KeyExchange != sshkex.Name {
		t.Errorf("negotiated %q", c.Algorithms.KeyExchange)
	}
	mustEcho(t, c, "flood")
	if sent < 1000 {
		t.Errorf("flood sent only %d packets", sent)
	}
	t.Logf("flood: %d packets during the login; client %+v", sent, *c.McTiny)
}

// flood sends forged datagrams (random bytes at each valid query length,
// and the recorded queries with one byte flipped) and verbatim replays to
// addr until ctx is done or max packets are sent; it returns the count.
func flood(ctx context.Context, t *testing.T, addr string, replays [][]byte, max int) int {
	conn, err := net.Dial("udp4", addr)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer conn.Close()
	go func() { // drain the answers to replays
		buf := make([]byte, 2048)
		for {
			if _, err := conn.Read(buf); err != nil {
				return
			}
		}
	}()
	lengths := []int{mctiny.Q0Size, mctiny.Q1Size, mctiny.Q2Size, mctiny.Q3Size, 1, mctiny.MaxPacketSize}
	buf := make([]byte, mctiny.MaxPacketSize)
	n := 0
	for ; n < max && ctx.Err() == nil; n++ {
		var p []byte
		switch k := n % 4; {
		case k < 2 || len(replays) == 0:
			p = buf[:lengths[n%len(lengths)]]
			rand.Read(p)
		case k == 2:
			p = bytes.Clone(replays[n%len(replays)])
			p[n%len(p)] ^= 1
		default:
			p = replays[n%len(replays)]
		}
		conn.Write(p) // ECONNREFUSED and drops are part of a flood
		if n%64 == 63 {
			time.Sleep(time.Millisecond) // leave the loopback some room
		}
	}
	return n
}

// fingerprintHex is the key store's file name for a fingerprint.
func fingerprintHex(fp string) (string, error) {
	sum, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(fp, "SHA256:"))
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sum), nil
}

// BenchmarkLoginMcTiny and BenchmarkLoginMcEliece time a login (dial,
// authenticate, run "true") with McTiny=yes (pinned key: McTiny over
// loopback UDP, then SSH with mctiny6688128x25519-sha512) and with plain
// mceliece6688128x25519-sha512, against the same in-process pqsshd:
//
//	go test ./server -run XXX -bench Login -benchtime 20x
func BenchmarkLoginMcTiny(b *testing.B) { benchmarkLogin(b, true) }

func BenchmarkLoginMcEliece(b *testing.B) { benchmarkLogin(b, false) }

func benchmarkLogin(b *testing.B, useMcTiny bool) {
	e := startMcTinyServer(b, "")
	u := newMcTinyUser(b, e)
	var log syncBuffer
	extra := []string{"KexAlgorithms mceliece6688128x25519-sha512"}
	if !useMcTiny {
		extra = append(extra, "McTiny no")
	}
	login := func() {
		// A fresh Dialer per login, as each pqssh run makes.
		c, err := u.dialer(b, e.addr, e.user, &log, extra...).Dial(dialCtx(b))
		if err != nil {
			b.Fatalf("%v\n%s", err, log.String())
		}
		s, err := c.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Run("true"); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
	login() // first contact: pins the McTiny key
	b.ResetTimer()
	for range b.N {
		login()
	}
}
