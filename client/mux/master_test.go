package mux

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pqssh/pqssh/client/internal/sshtest"
	"golang.org/x/crypto/ssh"
)

// testLog collects the master's log lines.
type testLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *testLog) Debug(n int, format string, args ...any) { l.add(format, args...) }
func (l *testLog) Error(format string, args ...any)        { l.add(format, args...) }
func (l *testLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, strings.TrimSpace(fmt.Sprintf(format, args...)))
}
func (l *testLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// rig is a test server, one SSH connection to it and a master sharing
// that connection on a control socket.
type rig struct {
	srv  *sshtest.Server
	conn *ssh.Client
	m    *Master
	path string
	log  *testLog
}

func newRig(t *testing.T) *rig {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	srv := sshtest.New(t, signer.PublicKey()).Start(t)
	conn, err := ssh.Dial("tcp", srv.Addr.String(), &ssh.ClientConfig{
		User:            "tester",
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	dir := t.TempDir()
	path := filepath.Join(dir, "ctl")
	l, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	lg := &testLog{}
	m := &Master{Conn: conn, Host: "test", Log: lg, EnvPermitted: func(e string) bool { return strings.HasPrefix(e, "MUXTEST_") }}
	m.Start(l, path)
	t.Cleanup(func() { m.Close() })
	return &rig{srv: srv, conn: conn, m: m, path: path, log: lg}
}

func (r *rig) dial(t *testing.T) *Client {
	t.Helper()
	c, err := Dial(r.path, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// pipes are the three standard streams of a session run through the
// master: the test writes stdin and reads stdout and stderr.
type pipes struct {
	in, out, errw  *os.File // passed to the master
	inW            *os.File
	stdout, stderr bytes.Buffer
	wg             sync.WaitGroup
	outR, errR     *os.File
}

func newPipes(t *testing.T, input string) *pipes {
	t.Helper()
	p := &pipes{}
	var err error
	var inR, outW, errW *os.File
	if inR, p.inW, err = os.Pipe(); err != nil {
		t.Fatal(err)
	}
	if p.outR, outW, err = os.Pipe(); err != nil {
		t.Fatal(err)
	}
	if p.errR, errW, err = os.Pipe(); err != nil {
		t.Fatal(err)
	}
	p.in, p.out, p.errw = inR, outW, errW
	go func() {
		io.WriteString(p.inW, input)
		p.inW.Close()
	}()
	p.wg.Add(2)
	go func() { defer p.wg.Done(); io.Copy(&p.stdout, p.outR) }()
	go func() { defer p.wg.Done(); io.Copy(&p.stderr, p.errR) }()
	return p
}

// sent closes this process's copies of the descriptors passed to the
// master, so that the output pipes end when the master closes its own.
func (p *pipes) sent() {
	p.in.Close()
	p.out.Close()
	p.errw.Close()
}

func TestSessionExitStatusAndStreams(t *testing.T) {
	r := newRig(t)
	c := r.dial(t)
	pid, err := c.Alive()
	if err != nil || pid != os.Getpid() {
		t.Fatalf("Alive = %d, %v; want %d", pid, err, os.Getpid())
	}
	p := newPipes(t, "from stdin\n")
	sid, err := c.NewSession(SessionRequest{EscapeChar: -1, Command: `cat; echo "env=$MUXTEST_A/$OTHER"; echo oops >&2; exit 7`,
		Env: []string{"MUXTEST_A=yes", "OTHER=no"}}, p.in, p.out, p.errw)
	if err != nil {
		t.Fatal(err)
	}
	p.sent()
	code, ok, err := c.Wait(sid, nil)
	if err != nil || !ok || code != 7 {
		t.Fatalf("Wait = %d, %v, %v; want 7, true, nil", code, ok, err)
	}
	p.wg.Wait()
	if got, want := p.stdout.String(), "from stdin\nenv=yes/\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if got := p.stderr.String(); got != "oops\n" {
		t.Errorf("stderr %q", got)
	}
	if r.srv.Conns() != 1 {
		t.Errorf("server saw %d connections, want 1", r.srv.Conns())
	}
	if !strings.Contains(r.log.String(), "client session 1 opened (exec)") {
		t.Errorf("master log lacks the session:\n%s", r.log)
	}
}

func TestSocketModeAndExisting(t *testing.T) {
	r := newRig(t)
	fi, err := os.Lstat(r.path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("control socket mode %v, want socket 0600", fi.Mode())
	}
	if _, err := Listen(r.path); !errors.Is(err, ErrExists) {
		t.Errorf("second Listen: %v, want ErrExists", err)
	}
	// No temporary names are left beside the socket.
	ents, _ := os.ReadDir(filepath.Dir(r.path))
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only the socket", len(ents))
	}
}

func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open")
	os.Mkdir(open, 0o700)
	os.Chmod(open, 0o777)
	if err := CheckDir(filepath.Join(open, "ctl")); err == nil {
		t.Error("a world-writable directory without the sticky bit was accepted")
	}
	if _, err := Listen(filepath.Join(open, "ctl")); err == nil {
		t.Error("Listen accepted a world-writable directory")
	}
	sticky := filepath.Join(dir, "sticky")
	os.Mkdir(sticky, 0o700)
	os.Chmod(sticky, 0o777|os.ModeSticky)
	if err := CheckDir(filepath.Join(sticky, "ctl")); err != nil {
		t.Errorf("sticky directory refused: %v", err)
	}
	if err := CheckDir(filepath.Join(dir, "missing", "ctl")); err == nil {
		t.Error("missing directory accepted")
	}
	long := "/" + strings.Repeat("x", 120)
	if _, err := Listen(long); err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("Listen(long path) = %v", err)
	}
}

func TestStopListeningAndTerminate(t *testing.T) {
	r := newRig(t)
	terminated := make(chan struct{})
	r.m.OnTerminate = func() { close(terminated) }
	c := r.dial(t)
	if err := c.StopListening(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(r.path); !os.IsNotExist(err) {
		t.Errorf("socket still present after stop: %v", err)
	}
	if _, err := Dial(r.path, 0); err == nil {
		t.Error("a client could connect after stop")
	}
	// The connected client still works.
	if _, err := c.Alive(); err != nil {
		t.Errorf("alive after stop: %v", err)
	}
	if err := c.Terminate(); err != nil {
		t.Fatal(err)
	}
	<-terminated
	<-r.m.Done()
}

func TestMalformedInputEndsOnlyThatClient(t *testing.T) {
	r := newRig(t)
	bad := [][]byte{
		{0xff, 0xff, 0xff, 0xff},             // length out of range
		{0, 0, 0, 0},                         // empty packet
		{0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 3}, // hello, version 3
		{0, 0, 0, 4, 0x10, 0, 0, 4},          // request before hello
	}
	for _, b := range bad {
		nc, err := net.Dial("unix", r.path)
		if err != nil {
			t.Fatal(err)
		}
		nc.Write(b)
		// The master answers with its hello, then closes.
		io.Copy(io.Discard, nc)
		nc.Close()
	}
	// A hello then a truncated session request and a huge string length.
	nc, _ := net.Dial("unix", r.path)
	readPacket(nc)
	writePacket(nc, hello())
	writePacket(nc, newMsg(msgNewSession).u32(0).u32(0xfffffff0).b)
	if _, err := readPacket(nc); err == nil {
		t.Error("master answered a malformed session request")
	}
	nc.Close()
	c := r.dial(t)
	if _, err := c.Alive(); err != nil {
		t.Fatalf("master no longer serves clients: %v", err)
	}
	// An unknown request gets a failure reply and the connection goes on.
	typ, _, err := c.request(newMsg(0x10000077).u32(c.rid))
	var re *ReplyError
	if !errors.As(err, &re) || typ != msgFailure {
		t.Errorf("unknown request: %v", err)
	}
	if _, err := c.Alive(); err != nil {
		t.Errorf("alive after unknown request: %v", err)
	}
}
