package server

import (
	"bufio"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/config"
)

// readAllTimeout reads until EOF or error; it fails the test if the server
// keeps the connection open for 10 s.
func readAllTimeout(t *testing.T, c net.Conn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("server did not close the connection (read %q)", b)
	}
	return string(b)
}

func TestGarbageClosedAndLogged(t *testing.T) {
	e := startServer(t, "", "")
	c, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A packet length of 4 GiB: far beyond the 1 MiB limit.
	c.Write([]byte("SSH-2.0-garbage\r\n\xff\xff\xff\xff\x00garbage garbage garbage"))
	got := readAllTimeout(t, c)
	if !strings.HasPrefix(got, "SSH-2.0-"+Version) {
		t.Fatalf("server version line missing: %q", got)
	}
	e.logs.waitLog(t, `msg="connection failed"`)
	// The server still serves.
	e.mustDial()
}

func TestVersionAddendum(t *testing.T) {
	e := startServer(t, "", "VersionAddendum example-host")
	c, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || l != "SSH-2.0-"+Version+" example-host\r\n" {
		t.Fatalf("version line %q %v", l, err)
	}
}

func TestLoginGraceTime(t *testing.T) {
	e := startServer(t, "", "LoginGraceTime 1")
	c, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	readAllTimeout(t, c) // idle client: closed after 1 s
	e.logs.waitLog(t, "LoginGraceTime")
}

func TestMaxStartupsDrops(t *testing.T) {
	e := startServer(t, "", "MaxStartups 1")
	first, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	// Wait until the first connection is counted (its banner arrives).
	if _, err := bufio.NewReader(first).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	second, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if got := readAllTimeout(t, second); got != "" {
		t.Fatalf("second unauthenticated connection got %q, want to be dropped", got)
	}
	e.logs.waitLog(t, "MaxStartups")
	first.Close()
	// Once the slot is free, logins work again.
	for i := 0; ; i++ {
		c, err := e.dial(e.user, e.key)
		if err == nil {
			c.Close()
			break
		}
		if i > 500 {
			t.Fatalf("login after the slot was freed: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMaxAuthTries(t *testing.T) {
	e := startServer(t, "", "MaxAuthTries 2")
	var keys []gossh.Signer
	for range 3 {
		keys = append(keys, newSigner(t))
	}
	keys = append(keys, e.key) // the good key comes after too many bad ones
	cfg := e.clientConfig(e.user, e.key)
	cfg.Auth = []gossh.AuthMethod{gossh.PublicKeys(keys...)}
	if _, err := gossh.Dial("tcp", e.addr, cfg); err == nil {
		t.Fatal("login succeeded after more than MaxAuthTries failures")
	}
	e.logs.waitLog(t, "too many authentication failures")
}

func TestUnprivilegedServesOnlyItsUser(t *testing.T) {
	e := startServer(t, "", "")
	self, err := lookupAccount(e.user)
	if err != nil {
		t.Fatal(err)
	}
	// Force unprivileged mode whatever the test runs as.
	e.srv.mu.Lock()
	e.srv.self = self
	e.srv.mu.Unlock()
	other := "nobody"
	if e.user == other {
		other = "root"
	}
	e.authorize(other, "", e.key.PublicKey())
	if _, err := e.dial(other, e.key); err == nil {
		t.Fatalf("unprivileged server accepted user %s", other)
	}
	e.logs.waitLog(t, "serves only user")
	c := e.mustDial()
	out, err := run(t, c, "id -un")
	if err != nil || strings.TrimSpace(out) != e.user {
		t.Fatalf("id -un: %q %v", out, err)
	}
}

func TestHostKeyGenerated(t *testing.T) {
	e := startServer(t, "", "")
	p := e.dir + "/hostkey_ed25519"
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %v, want 0600", fi.Mode().Perm())
	}
	pub, err := os.ReadFile(p + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	k, _, _, _, err := gossh.ParseAuthorizedKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if string(k.Marshal()) != string(e.srv.HostKeys()[0].Marshal()) || k.Type() != gossh.KeyAlgoED25519 {
		t.Fatal(".pub does not match the served host key")
	}
	// A second server reuses the key rather than generating another.
	signers, err := loadHostKeys([]string{p, e.dir + "/ssh_host_ecdsa_key"}, true, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	if string(signers[0].PublicKey().Marshal()) != string(k.Marshal()) || signers[1].PublicKey().Type() != gossh.KeyAlgoECDSA256 {
		t.Fatal("reloaded keys differ or ecdsa key not generated")
	}
}

func TestHostKeyPermissionsChecked(t *testing.T) {
	e := startServer(t, "", "")
	p := e.dir + "/hostkey_ed25519"
	os.Chmod(p, 0o644)
	if _, err := loadHostKeys([]string{p}, true, func(string, ...any) {}); err == nil || !strings.Contains(err.Error(), "too open") {
		t.Fatalf("world-readable host key: %v", err)
	}
}

func TestPenaltyAfterRepeatedFailures(t *testing.T) {
	p := newPenalties()
	now := time.Unix(1000, 0)
	p.now = func() time.Time { return now }
	c := config.DefaultPenalties()
	for i := 0; i < 2; i++ {
		p.record("192.0.2.1", penaltyAuthFail, c)
	}
	if _, bad := p.penalized("192.0.2.1"); bad {
		t.Fatal("penalized after 10 s of penalty, below the 15 s minimum")
	}
	p.record("192.0.2.1", penaltyAuthFail, c)
	if _, bad := p.penalized("192.0.2.1"); !bad {
		t.Fatal("not penalized after three failures")
	}
	if _, bad := p.penalized("192.0.2.2"); bad {
		t.Fatal("another source penalized")
	}
	now = now.Add(16 * time.Second)
	if _, bad := p.penalized("192.0.2.1"); bad {
		t.Fatal("penalty did not expire")
	}
}

func TestPenaltyRefusesSource(t *testing.T) {
	e := startServer(t, "", "PerSourcePenalties yes")
	for range 3 {
		if c, err := e.dial(e.user, newSigner(t)); err == nil {
			c.Close()
			t.Fatal("unknown key accepted")
		}
	}
	// The penalty is recorded when the server closes each failed connection.
	for i := 0; ; i++ {
		c, err := e.dial(e.user, e.key)
		if err != nil {
			break
		}
		c.Close()
		if i > 500 {
			t.Fatal("source not penalized after three failed logins")
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.logs.waitLog(t, "source penalized after repeated authentication failures")

	// An exempt source is never penalized.
	e2 := startServer(t, "", "PerSourcePenalties authfail:1m min:1s\nPerSourcePenaltyExemptList 10.0.0.0/8,127.0.0.1")
	for range 3 {
		if c, err := e2.dial(e2.user, newSigner(t)); err == nil {
			c.Close()
		}
	}
	// Each failed connection is recorded before its "connection closed" line.
	for i := 0; strings.Count(e2.logs.String(), `msg="connection closed"`) < 3; i++ {
		if i > 1000 {
			t.Fatal("failed connections not closed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	c, err := e2.dial(e2.user, e2.key)
	if err != nil {
		t.Fatalf("exempt source refused: %v", err)
	}
	c.Close()
}

func TestPanicIsContained(t *testing.T) {
	e := startServer(t, "", "")
	e.srv.SetConfigHook(func(ConnInfo, *gossh.ServerConfig) { panic("boom in hook") })
	if c, err := e.dial(e.user, e.key); err == nil {
		c.Close()
		t.Fatal("connection succeeded through a panicking hook")
	}
	e.logs.waitLog(t, `msg="panic in connection handler; connection closed"`)
	e.logs.waitLog(t, "boom in hook")
	e.srv.SetConfigHook(nil)
	e.mustDial() // the server survived
}

func TestConfigHookSeesEveryConnection(t *testing.T) {
	e := startServer(t, "", "")
	seen := make(chan ConnInfo, 1)
	e.srv.SetConfigHook(func(ci ConnInfo, sc *gossh.ServerConfig) {
		// Restrict this connection to one method: the hook's changes apply.
		sc.KeyExchanges = []string{"curve25519-sha256"}
		seen <- ci
	})
	c := e.mustDial()
	ci := <-seen
	if got := ci.RemoteAddr.String(); got != c.LocalAddr().String() {
		t.Fatalf("hook saw %s, client is %s", got, c.LocalAddr())
	}
	e.logs.waitLog(t, "kex=curve25519-sha256 ")
	select {
	case <-ci.Authenticated:
	case <-time.After(10 * time.Second):
		t.Fatal("Authenticated not closed after login")
	}
	select {
	case <-ci.Closed:
		t.Fatal("Closed before the connection ended")
	default:
	}
	c.Close()
	select {
	case <-ci.Closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Closed not closed after the connection ended")
	}
}

func TestPerSourceMaxStartups(t *testing.T) {
	e := startServer(t, "", "PerSourceMaxStartups 1")
	first, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if _, err := bufio.NewReader(first).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	second, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if got := readAllTimeout(t, second); got != "" {
		t.Fatalf("second connection from the same source got %q", got)
	}
	e.logs.waitLog(t, "PerSourceMaxStartups")
	if sourceBlock("192.0.2.77", [2]int{24, 64}) != "192.0.2.0/24" || sourceBlock("2001:db8::1", [2]int{24, 64}) != "2001:db8::/64" {
		t.Fatal("sourceBlock")
	}
}

// TestMalformedRequests sends syntactically broken requests and channel
// opens: each is refused, the connection and the server stay up.
func TestMalformedRequests(t *testing.T) {
	e := startServer(t, "", "")
	c := e.mustDial()
	junk := []byte{0xff, 0xff, 0xff, 0xff, 1, 2}
	for _, typ := range []string{"tcpip-forward", "cancel-tcpip-forward", "streamlocal-forward@openssh.com", "no-such-request"} {
		if ok, _, err := c.SendRequest(typ, true, junk); err != nil || ok {
			t.Errorf("global %s with junk: ok=%v err=%v", typ, ok, err)
		}
	}
	for _, typ := range []string{"direct-tcpip", "direct-streamlocal@openssh.com", "x11", "no-such-channel"} {
		if ch, _, err := c.OpenChannel(typ, junk); err == nil {
			ch.Close()
			t.Errorf("channel %s with junk data accepted", typ)
		}
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, typ := range []string{"pty-req", "env", "exec", "subsystem", "signal", "window-change", "x11-req", "break"} {
		if ok, err := s.SendRequest(typ, true, junk); err != nil || ok {
			t.Errorf("session %s with junk: ok=%v err=%v", typ, ok, err)
		}
	}
	// Terminal modes with a truncated entry and unknown opcodes.
	pty := gossh.Marshal(struct {
		Term          string
		Cols, Rows    uint32
		Width, Height uint32
		Modes         string
	}{"xterm", 80, 24, 0, 0, string([]byte{200, 0, 0, 0, 1, 53, 0, 0})})
	if ok, err := s.SendRequest("pty-req", true, pty); err != nil || !ok {
		t.Errorf("pty-req with odd modes: ok=%v err=%v", ok, err)
	}
	if out, err := s.Output("echo still-alive"); err != nil || !strings.Contains(string(out), "still-alive") {
		t.Fatalf("session after junk: %q %v", out, err)
	}
}

// TestMaxAuthTriesZero: as in sshd, MaxAuthTries 0 allows no attempt, so
// even the right key is refused and the client is disconnected.
func TestMaxAuthTriesZero(t *testing.T) {
	e := startServer(t, "", "MaxAuthTries 0")
	c, err := e.dial(e.user, e.key)
	if err == nil {
		c.Close()
		t.Fatal("login succeeded with MaxAuthTries 0")
	}
	if !strings.Contains(err.Error(), "too many authentication failures") {
		t.Errorf("client error %v, want a disconnect for too many authentication failures", err)
	}
	e.logs.waitLog(t, "too many authentication failures")
	if strings.Contains(e.logs.String(), "accepted publickey") {
		t.Error("a key was accepted with MaxAuthTries 0")
	}
}

// TestUserNameWithNULOrControlCharacters: sshd reads the user name as a C
// string. A name with an embedded NUL ("root\x00evil") must not log in as
// the account before the NUL: the connection is closed as malformed. One
// with control characters is an invalid user. Both are logged escaped.
func TestUserNameWithNULOrControlCharacters(t *testing.T) {
	e := startServer(t, "", "")
	if c, err := e.dial(e.user+"\x00evil", e.key); err == nil {
		c.Close()
		t.Fatalf("%q logged in", e.user+"\x00evil")
	}
	e.logs.waitLog(t, `invalid format: user name `+e.user+`\\000evil contains NUL`)
	if c, err := e.dial(e.user+"\x01evil", e.key); err == nil {
		c.Close()
		t.Fatalf("%q logged in", e.user+"\x01evil")
	}
	e.logs.waitLog(t, `Invalid user `+e.user+`\\001evil from 127.0.0.1 port `)
	if c, err := e.dial("nosuchuser-pqt", e.key); err == nil {
		c.Close()
		t.Fatal("a user without an account logged in")
	}
	e.logs.waitLog(t, `Invalid user nosuchuser-pqt from 127.0.0.1 port `)
	if l := e.logs.String(); strings.ContainsAny(l, "\x00\x01") {
		t.Errorf("raw control characters in the log:\n%q", l)
	}
	c, err := e.dial(e.user, e.key)
	if err != nil {
		t.Fatalf("the plain name: %v", err)
	}
	c.Close()
}
