package cli

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pqssh/pqssh/client/internal/sshtest"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// echoServer answers every connection with "echo:" and what it read.
func echoServer(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				data, _ := io.ReadAll(c)
				c.Write(append([]byte("echo:"), data...))
			}()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// dialRetry dials addr until it answers (the forwarding is set up by a
// pqssh running in another goroutine), for at most 10 s.
func dialRetry(t *testing.T, addr string) net.Conn {
	t.Helper()
	for i := 0; i < 200; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listening on %s", addr)
	return nil
}

func roundTrip(t *testing.T, c net.Conn, msg string) string {
	t.Helper()
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte(msg))
	c.(*net.TCPConn).CloseWrite()
	got, _ := io.ReadAll(c)
	return string(got)
}

// background runs pqssh with a stdin pipe; closing the pipe ends the
// remote "cat" and so the run.
func (f *fixture) background(args ...string) (stop func() result) {
	pr, pw := io.Pipe()
	done := make(chan result, 1)
	go func() { done <- f.run(pr, args...) }()
	return func() result {
		pw.Close()
		select {
		case r := <-done:
			return r
		case <-time.After(20 * time.Second):
			f.t.Fatal("pqssh did not exit")
			return result{}
		}
	}
}

func TestLocalForward(t *testing.T) {
	f := newFixture(t)
	echo, lport := echoServer(t), freePort(t)
	stop := f.background("-L", fmt.Sprintf("%d:127.0.0.1:%d", lport, echo), "test", "cat >/dev/null")
	got := roundTrip(t, dialRetry(t, fmt.Sprintf("127.0.0.1:%d", lport)), "hello")
	if r := stop(); r.code != 0 {
		t.Fatal(r)
	}
	if got != "echo:hello" {
		t.Fatalf("-L: got %q", got)
	}
}

func TestRemoteForward(t *testing.T) {
	f := newFixture(t)
	echo, rport := echoServer(t), freePort(t)
	stop := f.background("-R", fmt.Sprintf("%d:127.0.0.1:%d", rport, echo), "test", "cat >/dev/null")
	got := roundTrip(t, dialRetry(t, fmt.Sprintf("127.0.0.1:%d", rport)), "remote")
	if r := stop(); r.code != 0 {
		t.Fatal(r)
	}
	if got != "echo:remote" {
		t.Fatalf("-R: got %q", got)
	}
}

func TestDynamicForwardSOCKS5(t *testing.T) {
	f := newFixture(t)
	echo, dport := echoServer(t), freePort(t)
	stop := f.background("-D", fmt.Sprintf("127.0.0.1:%d", dport), "test", "cat >/dev/null")
	c := dialRetry(t, fmt.Sprintf("127.0.0.1:%d", dport))
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte{5, 1, 0})
	var sel [2]byte
	io.ReadFull(c, sel[:])
	host := "localhost"
	req := append([]byte{5, 1, 0, 3, byte(len(host))}, host...)
	req = binary.BigEndian.AppendUint16(req, uint16(echo))
	c.Write(req)
	var rep [10]byte
	if _, err := io.ReadFull(c, rep[:]); err != nil || sel != [2]byte{5, 0} || rep[1] != 0 {
		t.Fatalf("SOCKS5 handshake: sel %v reply %v err %v", sel, rep, err)
	}
	got := roundTrip(t, c, "socks")
	if r := stop(); r.code != 0 {
		t.Fatal(r)
	}
	if got != "echo:socks" {
		t.Fatalf("-D: got %q", got)
	}
}

func TestStdioForward(t *testing.T) {
	f := newFixture(t)
	echo := echoServer(t)
	r := f.run(strings.NewReader("via -W"), "-W", fmt.Sprintf("127.0.0.1:%d", echo), "test")
	if r.code != 0 || r.stdout != "echo:via -W" {
		t.Fatalf("-W: %v", r)
	}
}

func TestProxyJumpTwoHops(t *testing.T) {
	f := newFixture(t)
	hop1 := sshtest.New(t, f.signer.PublicKey()).Start(t)
	hop2 := sshtest.New(t, f.signer.PublicKey()).Start(t)
	// Only hop1 is reachable by name through the config; hop2 and the
	// target are addressed through the jump hosts.
	f.writeConfig()
	cfg, _ := os.ReadFile(f.cfg)
	cfg = append([]byte(fmt.Sprintf("Host hop1\n  HostName 127.0.0.1\n  Port %d\nHost hop2\n  HostName 127.0.0.1\n  Port %d\n", hop1.Port(), hop2.Port())), cfg...)
	os.WriteFile(f.cfg, cfg, 0o600)
	r := f.run(nil, "-v", "-J", "hop1,hop2", "test", "echo through")
	if r.code != 0 || r.stdout != "through\n" {
		t.Fatalf("-J hop1,hop2: %v", r)
	}
	// Each hop's host key was checked and recorded under its own name.
	known, _ := os.ReadFile(f.known)
	for _, p := range []int{hop1.Port(), hop2.Port(), f.srv.Port()} {
		if !strings.Contains(string(known), fmt.Sprintf("[127.0.0.1]:%d ssh-ed25519", p)) {
			t.Errorf("known_hosts lacks port %d:\n%s", p, known)
		}
	}
	if strings.Count(r.stderr, "debug1: kex: algorithm: ") != 3 {
		t.Errorf("want three key exchanges:\n%s", r.stderr)
	}
	// ProxyCommand with "pqssh -W" of the built command is tested with the
	// binary in transport_test.go.
}

func TestAgentAuthAndForwarding(t *testing.T) {
	f := newFixture(t)
	// The key is only in the agent: the identity file is removed.
	keyring := agent.NewKeyring()
	data, _ := os.ReadFile(f.keyPath)
	raw, err := ssh.ParseRawPrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	keyring.Add(agent.AddedKey{PrivateKey: raw, Comment: "agent-key"})
	os.Remove(f.keyPath)
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go agent.ServeAgent(keyring, c)
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
	r := f.run(nil, "test", "echo agent-auth")
	if r.code != 0 || r.stdout != "agent-auth\n" {
		t.Fatalf("agent authentication: %v", r)
	}
	want := string(ssh.MarshalAuthorizedKey(f.signer.PublicKey()))
	r = f.run(nil, "-A", "test", "pqssh-test-agent-list")
	if r.code != 0 || !strings.Contains(r.stdout, strings.TrimSpace(want)) {
		t.Fatalf("-A: %v", r)
	}
	if r := f.run(nil, "test", "pqssh-test-agent-list"); r.code == 0 {
		t.Fatalf("agent forwarded without -A: %v", r)
	}
	// IdentitiesOnly with no matching file: the agent key is not offered.
	if r := f.run(nil, "-o", "IdentitiesOnly=yes", "test", "true"); r.code != 255 {
		t.Fatalf("IdentitiesOnly: %v", r)
	}
	// IdentityAgent none disables the agent.
	if r := f.run(nil, "-o", "IdentityAgent=none", "test", "true"); r.code != 255 {
		t.Fatalf("IdentityAgent none: %v", r)
	}
}

func TestEncryptedKeyPassphrase(t *testing.T) {
	f := newFixture(t)
	data, _ := os.ReadFile(f.keyPath)
	raw, _ := ssh.ParseRawPrivateKey(data)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(raw, "test", []byte("sesame"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(f.keyPath, pemBytes(block), 0o600)
	// BatchMode: no prompt, so the key cannot be used.
	if r := f.run(nil, "test", "true"); r.code != 255 || len(f.prompt.asked) != 0 {
		t.Fatalf("batch mode with encrypted key: %v", r)
	}
	f.prompt.answers = []string{"wrong", "sesame"}
	r := f.run(nil, "-o", "BatchMode=no", "test", "echo unlocked")
	if r.code != 0 || r.stdout != "unlocked\n" {
		t.Fatalf("passphrase: %v (asked %q)", r, f.prompt.asked)
	}
	if len(f.prompt.asked) != 2 || f.prompt.asked[0] != "Enter passphrase for key '"+f.keyPath+"': " {
		t.Fatalf("prompts: %q", f.prompt.asked)
	}
}

func TestPasswordAuth(t *testing.T) {
	f := newFixture(t)
	os.Remove(f.keyPath)
	f.srv.SetPassword("hunter2")
	f.prompt.answers = []string{"hunter2"}
	r := f.run(nil, "-o", "BatchMode=no", "test", "echo pw")
	if r.code != 0 || r.stdout != "pw\n" || len(f.prompt.asked) != 1 || f.prompt.asked[0] != "tester@127.0.0.1's password: " {
		t.Fatalf("password: %v %q", r, f.prompt.asked)
	}
}

func TestSendEnvSetEnv(t *testing.T) {
	f := newFixture(t)
	t.Setenv("PQSSH_TEST_A", "alpha")
	t.Setenv("PQSSH_OTHER", "no")
	r := f.run(nil, "-o", "SendEnv=PQSSH_TEST_*", "-o", "SetEnv=FOO=bar", "test", `echo "$PQSSH_TEST_A $FOO $PQSSH_OTHER"`)
	if r.code != 0 || r.stdout != "alpha bar \n" {
		t.Fatalf("env: %v", r)
	}
}

func TestServerAlive(t *testing.T) {
	f := newFixture(t)
	r := f.run(nil, "-o", "ServerAliveInterval=1", "test", "sleep 2; echo alive")
	if r.code != 0 || r.stdout != "alive\n" {
		t.Fatalf("keepalives answered: %v", r)
	}
}

var _ = bytes.NewReader

func TestEscapeCommandLineAndDisconnect(t *testing.T) {
	f := newFixture(t)
	echo, lport := echoServer(t), freePort(t)
	pr, pw := io.Pipe()
	done := make(chan result, 1)
	// -tt: a PTY is requested even without a local terminal, so escapes
	// are active.
	go func() { done <- f.run(pr, "-tt", "test", "cat >/dev/null") }()
	fmt.Fprintf(pw, "\r~C-L%d:127.0.0.1:%d\r", lport, echo)
	got := roundTrip(t, dialRetry(t, fmt.Sprintf("127.0.0.1:%d", lport)), "via ~C")
	if got != "echo:via ~C" {
		t.Fatalf("~C -L forward: %q", got)
	}
	fmt.Fprint(pw, "\r~.")
	var r result
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("~. did not disconnect")
	}
	pw.Close()
	if r.code != 255 || !strings.Contains(r.stderr, "Forwarding port.") || !strings.Contains(r.stderr, "Connection to 127.0.0.1 closed.") {
		t.Fatalf("~. : %v", r)
	}
}
