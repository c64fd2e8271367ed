package server

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

func TestLoginAndExitStatus(t *testing.T) {
	e := startServer(t, "", "")
	c := e.mustDial()
	out, err := run(t, c, "echo hello")
	if err != nil || out != "hello\n" {
		t.Fatalf("echo: out %q err %v", out, err)
	}
	_, err = run(t, c, "exit 3")
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 3 {
		t.Fatalf("exit 3: got %v", err)
	}
	e.logs.waitLog(t, `msg="accepted publickey" user=`+e.user)
	e.logs.waitLog(t, "key="+gossh.FingerprintSHA256(e.key.PublicKey()))
}

func TestUnauthorizedKeyRefused(t *testing.T) {
	e := startServer(t, "", "")
	_, err := e.dial(e.user, newSigner(t))
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("dial with an unknown key: %v, want an authentication failure", err)
	}
	e.logs.waitLog(t, "connection failed")
	e.logs.waitLog(t, "user="+e.user+" kex=mlkem768x25519-sha256 auth_failures=1")
}

func TestExitSignal(t *testing.T) {
	e := startServer(t, "", "")
	c := e.mustDial()
	_, err := run(t, c, "kill -TERM $$")
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.Signal() != "TERM" {
		t.Fatalf("got %v, want exit-signal TERM", err)
	}
}

func TestLogNamesKex(t *testing.T) {
	e := startServer(t, "", "")
	for _, tc := range []struct {
		kex string
		pq  bool
	}{{"mlkem768x25519-sha256", true}, {"curve25519-sha256", false}} {
		c, err := e.dial(e.user, e.key, tc.kex)
		if err != nil {
			t.Fatalf("%s: %v", tc.kex, err)
		}
		c.Close()
		e.logs.waitLog(t, fmt.Sprintf("kex=%s pq=%v ", tc.kex, tc.pq))
	}
}

// TestNotPostQuantumWarning checks the WARNING line pqsshd logs, as
// OpenSSH's sshd 10.6 does, for a connection whose key exchange is not
// post-quantum: once per connection, naming the peer and the method, for
// a failed login as for a successful one, and never for a post-quantum
// method.
func TestNotPostQuantumWarning(t *testing.T) {
	const warning = `level=WARN msg="connection is not using a post-quantum key exchange algorithm"`
	e := startServer(t, "", "KexAlgorithms mlkem768x25519-sha256,curve25519-sha256,diffie-hellman-group18-sha512")
	count := func() int { return strings.Count(e.logs.String(), warning) }

	// Post-quantum: no warning.
	c, err := e.dial(e.user, e.key, "mlkem768x25519-sha256")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, c, "true"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	e.logs.waitLog(t, "kex=mlkem768x25519-sha256 pq=true ")
	if n := count(); n != 0 {
		t.Fatalf("%d warnings for a post-quantum key exchange:\n%s", n, e.logs.String())
	}

	// Classical, successful login: one warning with the peer and the
	// method, before the login line.
	for _, name := range []string{"curve25519-sha256", "diffie-hellman-group18-sha512"} {
		c, err := e.dial(e.user, e.key, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		local := c.LocalAddr().String()
		if _, err := run(t, c, "true"); err != nil {
			t.Fatal(err)
		}
		c.Close()
		line := fmt.Sprintf(`peer=%s kex=%s`, local, name) // after warning and conn=N
		e.logs.waitLog(t, line)
		e.logs.waitLog(t, "kex="+name+" pq=false ")
		if !regexp.MustCompile(regexp.QuoteMeta(warning) + ` conn=\d+ ` + regexp.QuoteMeta(line) + "\n").MatchString(e.logs.String()) {
			t.Errorf("%s: no warning line naming peer %s", name, local)
		}
		log := e.logs.String()
		if w, l := strings.Index(log, line), strings.Index(log, "kex="+name+" pq=false "); w > l {
			t.Errorf("%s: the warning comes after the login line", name)
		}
	}
	if n := count(); n != 2 {
		t.Fatalf("%d warnings for two classical connections, want one each:\n%s", n, e.logs.String())
	}

	// Classical, failed login (several attempts): still one warning.
	cfg := e.clientConfig(e.user, newSigner(t), "curve25519-sha256")
	cfg.Auth = append(cfg.Auth, gossh.PublicKeys(newSigner(t)), gossh.PublicKeys(newSigner(t)))
	if _, err := gossh.Dial("tcp", e.addr, cfg); err == nil {
		t.Fatal("login with unknown keys succeeded")
	}
	e.logs.waitLog(t, "connection failed")
	if n := count(); n != 3 {
		t.Fatalf("%d warnings after a failed classical login, want 3:\n%s", n, e.logs.String())
	}
}

func TestStdinRoundTrip10MB(t *testing.T) {
	e := startServer(t, "", "")
	c := e.mustDial()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	data := make([]byte, 10<<20)
	rand.Read(data)
	want := sha256.Sum256(data)
	s.Stdin = bytes.NewReader(data)
	out, err := s.Output("cat | sha256sum")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(string(out)); len(got) == 0 || got[0] != fmt.Sprintf("%x", want) {
		t.Fatalf("remote sha256 %q, want %x", out, want)
	}
	// And back: 10 MB through stdin and out again.
	s2, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	s2.Stdin = bytes.NewReader(data)
	echoed, err := s2.Output("cat")
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(echoed) != want {
		t.Fatalf("echoed %d bytes with a different SHA-256", len(echoed))
	}
}

func TestHalfCloseDelivered(t *testing.T) {
	e := startServer(t, "", "")
	c := e.mustDial()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	if err := s.Start("cat; echo stdin-closed"); err != nil {
		t.Fatal(err)
	}
	io.WriteString(in, "line\n")
	r := bufio.NewReader(out)
	if l, _ := r.ReadString('\n'); l != "line\n" {
		t.Fatalf("got %q", l)
	}
	in.Close() // EOF: cat must see it and exit
	if l, _ := r.ReadString('\n'); l != "stdin-closed\n" {
		t.Fatalf("after EOF got %q", l)
	}
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestStderrSeparate(t *testing.T) {
	e := startServer(t, "", "")
	c := e.mustDial()
	s, _ := c.NewSession()
	defer s.Close()
	var stdout, stderr bytes.Buffer
	s.Stdout, s.Stderr = &stdout, &stderr
	if err := s.Run("echo out; echo err >&2"); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "out\n" || stderr.String() != "err\n" {
		t.Fatalf("stdout %q stderr %q", stdout.String(), stderr.String())
	}
}

func TestPTYAndWindowChange(t *testing.T) {
	e := startServer(t, "", "")
	c := e.mustDial()
	s, _ := c.NewSession()
	defer s.Close()
	if err := s.RequestPty("xterm", 40, 80, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
		t.Fatal(err)
	}
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	if err := s.Start(`tty; echo "term=$TERM"; stty size; read x; stty size`); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(out)
	line := func() string {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read: %v (got %q)", err, l)
		}
		return strings.TrimRight(l, "\r\n")
	}
	if l := line(); !strings.HasPrefix(l, "/dev/pts/") {
		t.Fatalf("tty: %q", l)
	}
	if l := line(); l != "term=xterm" {
		t.Fatalf("TERM: %q", l)
	}
	if l := line(); l != "40 80" {
		t.Fatalf("initial size %q, want 40 80", l)
	}
	if err := s.WindowChange(50, 132); err != nil {
		t.Fatal(err)
	}
	// window-change has no reply; a request with a reply after it is
	// handled after it (session requests are processed in order).
	s.Setenv("SYNC", "1")
	io.WriteString(in, "\n")
	if l := line(); l != "50 132" {
		t.Fatalf("size after window-change %q, want 50 132", l)
	}
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestAcceptEnv(t *testing.T) {
	e := startServer(t, "", "AcceptEnv LANG LC_* FORCED\nSetEnv FORCED=by-server")
	c := e.mustDial()
	s, _ := c.NewSession()
	defer s.Close()
	if err := s.Setenv("LANG", "C.UTF-8"); err != nil {
		t.Fatalf("LANG refused: %v", err)
	}
	if err := s.Setenv("LC_TIME", "C"); err != nil {
		t.Fatalf("LC_TIME refused: %v", err)
	}
	if err := s.Setenv("FOO", "bar"); err == nil {
		t.Fatal("FOO accepted, not in AcceptEnv")
	}
	s.Setenv("FORCED", "by-client")
	out, err := s.Output(`echo "$LANG|$LC_TIME|$FOO|$USER|$SSH_CONNECTION|$FORCED"`)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Split(strings.TrimSpace(string(out)), "|")
	if f[0] != "C.UTF-8" || f[1] != "C" || f[2] != "" || f[3] != e.user || !strings.HasPrefix(f[4], "127.0.0.1 ") || f[5] != "by-server" {
		t.Fatalf("environment %q", out)
	}
}

func TestMaxSessions(t *testing.T) {
	e := startServer(t, "", "MaxSessions 1")
	c := e.mustDial()
	s1, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.NewSession(); err == nil {
		t.Fatal("second session accepted with MaxSessions 1")
	}
	s1.Close()
	for i := 0; ; i++ { // the server frees the slot when it sees the close
		s, err := c.NewSession()
		if err == nil {
			s.Close()
			break
		}
		if i > 500 {
			t.Fatalf("session refused after the first one closed: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSignalRequest(t *testing.T) {
	e := startServer(t, "", "")
	c := e.mustDial()
	s, _ := c.NewSession()
	defer s.Close()
	out, _ := s.StdoutPipe()
	if err := s.Start("echo ready; exec sleep 30"); err != nil {
		t.Fatal(err)
	}
	if l, _ := bufio.NewReader(out).ReadString('\n'); l != "ready\n" {
		t.Fatalf("got %q", l)
	}
	// Before or after the shell execs sleep, USR1 terminates it.
	if err := s.Signal(gossh.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	var ee *gossh.ExitError
	if err := s.Wait(); !errors.As(err, &ee) || ee.Signal() != "USR1" {
		t.Fatalf("after signal USR1: %v", err)
	}
}

func TestInteractiveLoginShell(t *testing.T) {
	e := startServer(t, "", "")
	c := e.mustDial()
	s, _ := c.NewSession()
	defer s.Close()
	s.Stdin = strings.NewReader("echo \"argv0=$0\"\nexit 7\n")
	var out bytes.Buffer
	s.Stdout = &out
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	err := s.Wait()
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 7 {
		t.Fatalf("shell exit: %v", err)
	}
	a, _ := lookupAccount(e.user)
	if want := "argv0=-" + a.Shell[strings.LastIndex(a.Shell, "/")+1:]; !strings.Contains(out.String(), want) {
		t.Fatalf("login shell output %q, want %q", out.String(), want)
	}
}

// TestRekeyDuringTransfer makes the server rekey every 64 KiB (with the
// default post-quantum key exchange) while 4 MiB go through cat.
func TestRekeyDuringTransfer(t *testing.T) {
	e := startServer(t, "", "RekeyLimit 64K")
	c := e.mustDial()
	s, _ := c.NewSession()
	defer s.Close()
	data := make([]byte, 4<<20)
	rand.Read(data)
	s.Stdin = bytes.NewReader(data)
	out, err := s.Output("cat")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, data) {
		t.Fatalf("%d bytes back, different from the %d sent", len(out), len(data))
	}
}

// TestNoMoreSessions: after no-more-sessions@openssh.com, a session that
// was open before still works, and opening another one ends the
// connection, as in sshd.
func TestNoMoreSessions(t *testing.T) {
	e := startServer(t, "", "")
	c := e.mustDial()
	defer c.Close()
	before, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	ok, _, err := c.SendRequest("no-more-sessions@openssh.com", true, nil)
	if err != nil || !ok {
		t.Errorf("no-more-sessions@openssh.com: reply %v %v, want accepted", ok, err)
	}
	if out, err := before.Output("echo before"); err != nil || string(out) != "before\n" {
		t.Fatalf("session opened before the request: %q %v", out, err)
	}
	if s, err := c.NewSession(); err == nil {
		s.Close()
		t.Fatal("a session was opened after no-more-sessions@openssh.com")
	}
	e.logs.waitLog(t, "Possible attack: attempt to open a session after additional sessions disabled")
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection stayed open after the refused session")
	}
}
