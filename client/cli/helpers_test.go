package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pqssh/pqssh/client/internal/sshtest"
	"golang.org/x/crypto/ssh"
)

// fixture is a HOME with a user key, a config file and a test server.
type fixture struct {
	t       *testing.T
	home    string
	cfg     string
	known   string
	keyPath string
	signer  ssh.Signer
	srv     *sshtest.Server
	prompt  *fakePrompt
}

// fakePrompt answers prompts from a script and records them.
type fakePrompt struct {
	mu      sync.Mutex
	answers []string
	asked   []string
}

func (p *fakePrompt) Prompt(prompt string, echo bool) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, prompt)
	if len(p.answers) == 0 {
		return "", fmt.Errorf("no answer scripted")
	}
	a := p.answers[0]
	p.answers = p.answers[1:]
	return a, nil
}

func newKey(t testing.TB) (ssh.Signer, *pem.Block) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "test")
	if err != nil {
		t.Fatal(err)
	}
	return s, block
}

// newFixture starts a server that accepts a fresh user key and writes a
// config with "Host test" pointing at it. extra lines go in the Host block.
func newFixture(t *testing.T, extra ...string) *fixture {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SSH_AUTH_SOCK", "")
	t.Setenv("SSH_ASKPASS", "")
	signer, block := newKey(t)
	keyPath := filepath.Join(home, "id_test")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, home: home, keyPath: keyPath, signer: signer, known: filepath.Join(home, "known_hosts"), prompt: &fakePrompt{}}
	f.srv = sshtest.New(t, signer.PublicKey()).Start(t)
	f.cfg = filepath.Join(home, "config")
	f.writeConfig(extra...)
	return f
}

func (f *fixture) writeConfig(extra ...string) {
	f.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "Host test\n  HostName 127.0.0.1\n  Port %d\n", f.srv.Port())
	for _, e := range extra {
		fmt.Fprintf(&b, "  %s\n", e)
	}
	fmt.Fprintf(&b, "Host *\n  User tester\n  IdentityFile %s\n  UserKnownHostsFile %s\n  GlobalKnownHostsFile none\n  StrictHostKeyChecking accept-new\n  BatchMode yes\n", f.keyPath, f.known)
	if err := os.WriteFile(f.cfg, []byte(b.String()), 0o600); err != nil {
		f.t.Fatal(err)
	}
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs pqssh -F config args... with stdin.
func (f *fixture) run(stdin io.Reader, args ...string) result {
	f.t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errb bytes.Buffer
	code := Run(&Env{
		Args:   append([]string{"-F", f.cfg}, args...),
		Stdin:  stdin,
		Stdout: &out,
		Stderr: &errb,
		Prompt: f.prompt,
		Prog:   "pqssh",
	})
	return result{code, out.String(), errb.String()}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout: %q\nstderr: %q", r.code, r.stdout, r.stderr)
}

func pemBytes(b interface{}) []byte { return pem.EncodeToMemory(b.(*pem.Block)) }
