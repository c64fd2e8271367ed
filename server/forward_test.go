package server

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pkg/sftp"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// echoServer accepts connections on l and echoes them.
func echoServer(t *testing.T, l net.Listener) {
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				io.Copy(c, c)
				c.Close()
			}()
		}
	}()
}

func echoTarget(t *testing.T) (host string, port int) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	echoServer(t, l)
	a := l.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

// roundTrip writes a message through c and checks it comes back, then
// half-closes and expects EOF.
func roundTrip(t *testing.T, c net.Conn) {
	t.Helper()
	defer c.Close()
	msg := []byte("through the tunnel")
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo: %q %v", got, err)
	}
}

func TestLocalForwarding(t *testing.T) {
	host, port := echoTarget(t)
	e := startServer(t, "", "")
	c := e.mustDial()
	d, err := c.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, d)
}

func TestLocalForwardingRefusals(t *testing.T) {
	host, port := echoTarget(t)
	target := net.JoinHostPort(host, strconv.Itoa(port))
	for _, tc := range []struct{ name, keyOpts, config, log string }{
		{"AllowTcpForwarding", "", "AllowTcpForwarding remote", "AllowTcpForwarding remote"},
		{"PermitOpen", "", "PermitOpen 127.0.0.1:1", "reason=PermitOpen"},
		{"DisableForwarding", "", "DisableForwarding yes", "reason=DisableForwarding"},
		{"no-port-forwarding", "no-port-forwarding", "", "reason=no-port-forwarding"},
		{"restrict", "restrict", "", "reason=no-port-forwarding"},
		{"permitopen=", `permitopen="127.0.0.1:1"`, "", `reason="permitopen="`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startServer(t, tc.keyOpts, tc.config)
			c := e.mustDial()
			if d, err := c.Dial("tcp", target); err == nil {
				d.Close()
				t.Fatal("forwarding allowed")
			}
			e.logs.waitLog(t, tc.log)
		})
	}
	// permitopen= naming the target allows it.
	e := startServer(t, `permitopen="`+target+`"`, "PermitOpen any")
	d, err := e.mustDial().Dial("tcp", target)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, d)
}

func TestRemoteForwarding(t *testing.T) {
	e := startServer(t, "", "")
	c := e.mustDial()
	l, err := c.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	echoServer(t, l)
	d, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, d)
	e.logs.waitLog(t, `msg="remote forwarding" `)
	if !strings.Contains(e.logs.String(), "bound=127.0.0.1:") {
		t.Fatal("GatewayPorts no must bind loopback")
	}

	e2 := startServer(t, "", "AllowTcpForwarding local")
	if _, err := e2.mustDial().Listen("tcp", "127.0.0.1:0"); err == nil {
		t.Fatal("remote forwarding allowed with AllowTcpForwarding local")
	}
}

func TestStreamLocalForwarding(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "echo.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	echoServer(t, l)
	e := startServer(t, "", "")
	c := e.mustDial()
	d, err := c.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, d)

	remote := filepath.Join(dir, "remote.sock")
	rl, err := c.Listen("unix", remote)
	if err != nil {
		t.Fatal(err)
	}
	echoServer(t, rl)
	d2, err := net.Dial("unix", remote)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, d2)

	e2 := startServer(t, "", "AllowStreamLocalForwarding no")
	if _, err := e2.mustDial().Dial("unix", sock); err == nil {
		t.Fatal("streamlocal allowed with AllowStreamLocalForwarding no")
	}
}

func TestInternalSFTP(t *testing.T) {
	e := startServer(t, "", "Subsystem sftp internal-sftp")
	c := e.mustDial()
	sc, err := sftp.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	p := filepath.Join(e.dir, "sftp-file")
	f, err := sc.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("written over sftp"))
	f.Close()
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "written over sftp" {
		t.Fatalf("%q %v", got, err)
	}
	wd, err := sc.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := lookupAccount(e.user); wd != a.Home {
		t.Fatalf("sftp starts in %q, want the home directory %q", wd, a.Home)
	}
}

func TestExternalSubsystemAndUnknown(t *testing.T) {
	e := startServer(t, "", `Subsystem upper "tr a-z A-Z"`+"\nSubsystem empty \"\"")
	c := e.mustDial()
	s, _ := c.NewSession()
	defer s.Close()
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	if err := s.RequestSubsystem("upper"); err != nil {
		t.Fatal(err)
	}
	io.WriteString(in, "shout\n")
	in.Close()
	got, _ := io.ReadAll(out)
	if string(got) != "SHOUT\n" {
		t.Fatalf("subsystem output %q", got)
	}
	s2, _ := c.NewSession()
	defer s2.Close()
	if err := s2.RequestSubsystem("nope"); err == nil {
		t.Fatal("unknown subsystem accepted")
	}
	// An empty command is the shell's problem, not a crash.
	s3, _ := c.NewSession()
	defer s3.Close()
	s3.RequestSubsystem("empty")
	if out, err := run(t, c, "echo alive"); err != nil || out != "alive\n" {
		t.Fatalf("connection after an empty subsystem command: %q %v", out, err)
	}
}

func TestAgentForwarding(t *testing.T) {
	e := startServer(t, "", "")
	c := e.mustDial()
	keyring := agent.NewKeyring()
	if err := agent.ForwardToAgent(c, keyring); err != nil {
		t.Fatal(err)
	}
	s, _ := c.NewSession()
	defer s.Close()
	if err := agent.RequestAgentForwarding(s); err != nil {
		t.Fatal(err)
	}
	// The session sees SSH_AUTH_SOCK and can talk to the client's agent
	// through it: ssh-add -l on an empty agent exits 1, on no agent 2.
	out, err := s.CombinedOutput(`test -S "$SSH_AUTH_SOCK" && echo socket-ok`)
	if err != nil || !strings.Contains(string(out), "socket-ok") {
		t.Fatalf("SSH_AUTH_SOCK: %q %v", out, err)
	}

	e2 := startServer(t, "no-agent-forwarding", "")
	c2 := e2.mustDial()
	s2, _ := c2.NewSession()
	defer s2.Close()
	if err := agent.RequestAgentForwarding(s2); err == nil {
		t.Fatal("agent forwarding allowed with no-agent-forwarding")
	}
}

// TestAgentRoundTrip lists the client's agent keys from inside the session
// with ssh-add, and checks the socket goes away with the session.
func TestAgentRoundTrip(t *testing.T) {
	if _, err := exec.LookPath("ssh-add"); err != nil {
		t.Fatal("ssh-add (openssh-client) is not installed: apt-get install openssh-client")
	}
	e := startServer(t, "", "")
	c := e.mustDial()
	keyring := agent.NewKeyring()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	if err := keyring.Add(agent.AddedKey{PrivateKey: priv, Comment: "forwarded-key"}); err != nil {
		t.Fatal(err)
	}
	agent.ForwardToAgent(c, keyring)
	s, _ := c.NewSession()
	defer s.Close()
	if err := agent.RequestAgentForwarding(s); err != nil {
		t.Fatal(err)
	}
	out, err := s.Output(`echo "$SSH_AUTH_SOCK"; ssh-add -l`)
	if err != nil {
		t.Fatalf("ssh-add -l: %v (%q)", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "forwarded-key") {
		t.Fatalf("ssh-add -l through the forwarded agent: %q", out)
	}
	if conn, err := net.Dial("unix", lines[0]); err == nil {
		conn.Close()
		t.Fatalf("agent socket %s outlives its session", lines[0])
	}
}

func newSFTP(c *gossh.Client) (*sftp.Client, error) { return sftp.NewClient(c) }

func fileOwner(fi os.FileInfo) string {
	st := fi.Sys().(*syscall.Stat_t)
	u, err := user.LookupId(strconv.Itoa(int(st.Uid)))
	if err != nil {
		return strconv.Itoa(int(st.Uid))
	}
	return u.Username
}

func TestBindAddress(t *testing.T) {
	for _, tc := range []struct{ gp, req, want string }{
		{"no", "", "127.0.0.1"}, {"no", "0.0.0.0", "127.0.0.1"}, {"no", "::1", "::1"},
		{"yes", "localhost", ""}, {"yes", "127.0.0.1", ""},
		{"clientspecified", "", ""}, {"clientspecified", "*", ""}, {"clientspecified", "localhost", "127.0.0.1"},
		{"clientspecified", "192.0.2.1", "192.0.2.1"},
	} {
		if got := bindAddress(tc.gp, tc.req); got != tc.want {
			t.Errorf("GatewayPorts %s, request %q: bind %q, want %q", tc.gp, tc.req, got, tc.want)
		}
	}
}

func TestRemoteForwardPrivilegedPortAndPermitListen(t *testing.T) {
	e := startServer(t, "", "PermitListen 127.0.0.1:1")
	if _, err := e.mustDial().Listen("tcp", "127.0.0.1:0"); err == nil {
		t.Fatal("listen allowed outside PermitListen")
	}
	e.logs.waitLog(t, "reason=PermitListen")
}

func TestForwardingChannelCap(t *testing.T) {
	host, port := echoTarget(t)
	target := net.JoinHostPort(host, strconv.Itoa(port))
	e := startServer(t, "", "")
	e.srv.maxRelays = 2
	c := e.mustDial()
	var open []net.Conn
	for range 2 {
		d, err := c.Dial("tcp", target)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, d)
	}
	if d, err := c.Dial("tcp", target); err == nil {
		d.Close()
		t.Fatal("third forwarding channel accepted with a cap of 2")
	}
	e.logs.waitLog(t, "too many open forwarding channels")
	for _, d := range open {
		d.Close()
	}
	for i := 0; ; i++ { // closing frees the slots
		d, err := c.Dial("tcp", target)
		if err == nil {
			roundTrip(t, d)
			break
		}
		if i > 500 {
			t.Fatalf("forwarding still refused after closing: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestAbstractSocketPathsRefused: abstract Unix sockets have no
// permission checks, so a forwarding request for one (Go and Linux read a
// leading '@' or NUL as the abstract namespace) fails in both directions,
// as it does with OpenSSH, even when such a socket exists.
func TestAbstractSocketPathsRefused(t *testing.T) {
	e := startServer(t, "", "")
	name := "pqsshd-abstract-test-" + strconv.Itoa(os.Getpid())
	l, err := net.Listen("unix", "@"+name)
	if err != nil {
		t.Fatal(err)
	}
	reached := make(chan struct{}, 4)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			reached <- struct{}{}
			c.Close()
		}
	}()
	c := e.mustDial()
	for _, p := range []string{"@" + name, "\x00" + name} {
		if d, err := c.Dial("unix", p); err == nil {
			d.Close()
			t.Errorf("direct-streamlocal to %q was opened", p)
		} else if !strings.Contains(err.Error(), "open failed") {
			t.Errorf("direct-streamlocal to %q: %v, want open failed", p, err)
		}
		if rl, err := c.Listen("unix", p+"-remote"); err == nil {
			rl.Close()
			t.Errorf("streamlocal-forward on %q was accepted", p)
		}
	}
	for _, p := range []string{"/tmp/a\x00b"} {
		if d, err := c.Dial("unix", p); err == nil {
			d.Close()
			t.Errorf("direct-streamlocal to %q was opened", p)
		}
	}
	e.logs.waitLog(t, "streamlocal forwarding refused: bad socket path")
	e.logs.waitLog(t, "remote streamlocal forwarding refused: bad socket path")
	select {
	case <-reached:
		t.Fatal("the abstract socket was reached")
	case <-time.After(100 * time.Millisecond):
	}
}
