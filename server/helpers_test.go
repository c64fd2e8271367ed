package server

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/config"
)

func TestMain(m *testing.M) {
	RunInternal()
	os.Exit(m.Run())
}

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitLog waits until the log contains s (the server logs asynchronously
// to the client's view of the connection).
func (b *syncBuffer) waitLog(t *testing.T, s string) {
	t.Helper()
	for i := 0; i < 1000; i++ { // up to 10 s: generous for a loaded machine
		if strings.Contains(b.String(), s) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("log does not contain %q:\n%s", s, b.String())
}

type testEnv struct {
	t    testing.TB
	dir  string
	user string
	key  gossh.Signer
	srv  *Server
	addr string
	logs *syncBuffer
}

func newSigner(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func currentUser(t testing.TB) string {
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return u.Username
}

// startServer starts an in-process server whose authorized_keys (for every
// user) is dir/<user>.keys, holding one fresh key with the given options
// prefix. extra is more sshd_config text.
func startServer(t testing.TB, keyOptions, extra string) *testEnv {
	t.Helper()
	e := &testEnv{t: t, dir: t.TempDir(), user: currentUser(t), key: newSigner(t), logs: &syncBuffer{}}
	e.authorize(e.user, keyOptions, e.key.PublicKey())
	// SHLVL=1 keeps bash from sourcing ~/.bashrc for ssh commands
	// (Debian's SSH_SOURCE_BASHRC), which only slows the tests down.
	text := fmt.Sprintf("HostKey %s\nAuthorizedKeysFile %s/%%u.keys .ssh/authorized_keys\nSetEnv SHLVL=1\n",
		filepath.Join(e.dir, "hostkey_ed25519"), e.dir)
	if !strings.Contains(extra, "PerSourcePenalties") {
		// Tests fail logins on purpose; penalties would refuse later ones.
		text += "PerSourcePenalties no\n"
	}
	text += extra + "\n"
	cfg, err := config.Parse(filepath.Join(e.dir, "sshd_config"), []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.srv, err = New(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = l.Addr().String()
	go e.srv.Serve(l)
	t.Cleanup(func() {
		e.srv.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", e.logs.String())
		}
	})
	return e
}

// authorize appends a key line for user.
func (e *testEnv) authorize(userName, options string, key gossh.PublicKey) {
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(key)))
	if options != "" {
		line = options + " " + line
	}
	p := filepath.Join(e.dir, userName+".keys")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		e.t.Fatal(err)
	}
	fmt.Fprintln(f, line)
	f.Close()
}

// authorizeHome appends a key line to a (test) user's own
// ~/.ssh/authorized_keys, owned by the user: the daemon reads it with the
// user's credentials.
func (e *testEnv) authorizeHome(userName, options string, key gossh.PublicKey) {
	a, err := lookupAccount(userName)
	if err != nil {
		e.t.Fatal(err)
	}
	dir := filepath.Join(a.Home, ".ssh")
	os.MkdirAll(dir, 0o700)
	os.Chown(dir, a.UID, a.GID)
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(key)))
	if options != "" {
		line = options + " " + line
	}
	p := filepath.Join(dir, "authorized_keys")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		e.t.Fatal(err)
	}
	fmt.Fprintln(f, line)
	f.Close()
	os.Chown(p, a.UID, a.GID)
}

func (e *testEnv) clientConfig(userName string, key gossh.Signer, kex ...string) *gossh.ClientConfig {
	return &gossh.ClientConfig{
		User:            userName,
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.FixedHostKey(e.srv.HostKeys()[0]),
		Config:          gossh.Config{KeyExchanges: kex},
		Timeout:         10 * time.Second,
	}
}

func (e *testEnv) dial(userName string, key gossh.Signer, kex ...string) (*gossh.Client, error) {
	return gossh.Dial("tcp", e.addr, e.clientConfig(userName, key, kex...))
}

func (e *testEnv) mustDial() *gossh.Client {
	e.t.Helper()
	c, err := e.dial(e.user, e.key)
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	e.t.Cleanup(func() { c.Close() })
	return c
}

// run runs a command in a new session and returns its stdout and error.
func run(t *testing.T, c *gossh.Client, cmd string) (string, error) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := s.Output(cmd)
	return string(out), err
}

func mustConfig(t testing.TB, text string) *config.Config {
	t.Helper()
	c, err := config.Parse("/test/sshd_config", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
