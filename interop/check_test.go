//go:build interop && linux

package interop_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	"github.com/pqssh/pqssh/interop/peers"
)

// A pair is one client talking to one server, each in its container.
type pair struct {
	client *harness.Peer
	cc     *harness.Container
	server *harness.Peer
	sc     *harness.Container
}

func (p pair) String() string { return p.client.Name + "→" + p.server.Name }

// payload is the 10 MiB of random data sent through every pair.
var payload = sync.OnceValue(func() []byte {
	b := make([]byte, 10<<20)
	rand.Read(b)
	return b
})

// needPqssh fails the test if a pqssh binary the pair uses is missing.
func needPqssh(t *testing.T, p pair) {
	t.Helper()
	for _, b := range []struct {
		peer *harness.Peer
		bin  string
	}{{p.client, "pqssh"}, {p.server, "pqsshd"}} {
		if b.peer != peers.Pqssh {
			continue
		}
		if _, err := os.Stat(filepath.Join(binDir, b.bin)); err != nil {
			t.Fatalf("%s is missing (%v): build it with CGO_ENABLED=0 go build -o bin/ ./cmd/... (make interop does)", b.bin, err)
		}
	}
}

// startServer starts p's server restricted to kex where it can be.
func startServer(t *testing.T, ctx context.Context, p pair, kex string) *harness.Server {
	t.Helper()
	needPqssh(t, p)
	if kex != "" && !p.server.Server.CanRestrictKex && !p.client.Client.CanRestrictKex {
		t.Fatalf("neither %s nor %s can be restricted to %s", p.client.Name, p.server.Name, kex)
	}
	if !p.server.Server.CanRestrictKex {
		kex = ""
	}
	s, err := lab.StartServer(ctx, p.server, p.sc, kex)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// connect runs one client connection and checks, from every log that
// records it, that want was negotiated.
func connect(t *testing.T, ctx context.Context, p pair, s *harness.Server, kex, want string, login harness.Login) *harness.Result {
	t.Helper()
	if p.client.Client.CanRestrictKex {
		login.Kex = kex
	}
	from := len(s.Log())
	// 10 MiB takes well under a second here; a minute means a hang.
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	res, err := lab.Connect(ctx, p.client, p.cc, s, login)
	if err != nil {
		t.Fatalf("%v\nserver log:\n%s", err, s.Log()[from:])
	}
	checkKex(t, p, s, from, res, want)
	return res
}

// checkKex asserts the negotiated method from both sides' logs where
// they print it; want == "pq" accepts any post-quantum method.
func checkKex(t *testing.T, p pair, s *harness.Server, from int, res *harness.Result, want string) {
	t.Helper()
	sides := 0
	check := func(side string, names []string) {
		if names == nil {
			return
		}
		sides++
		if len(names) != 1 {
			t.Errorf("%s log shows %d key exchanges %q, want 1\nclient stderr:\n%s\nserver log:\n%s", side, len(names), names, res.Stderr, s.Log()[from:])
			return
		}
		if !kexMatches(names[0], want) {
			t.Errorf("%s log: negotiated %q, want %q", side, names[0], want)
			return
		}
		t.Logf("%s log: kex %s", side, names[0])
	}
	if p.server.Server.Kex != nil {
		got := s.Kex(from, 1)
		if got == nil {
			got = []string{}
		}
		check(p.server.Name+" (server)", got)
	}
	check(p.client.Name+" (client)", harness.ClientKex(p.client, res.Stderr))
	if sides == 0 {
		t.Fatalf("neither %s nor %s logs the negotiated key exchange", p.client.Name, p.server.Name)
	}
	checkWarnings(t, p, s, from, res, want)
}

// checkWarnings checks the warnings about key exchanges that are not
// post-quantum: a post-quantum connection draws none from either side
// (OpenSSH's ssh since 10.1, sshd since 10.6, pqssh, pqsshd); a classical
// one draws one from every server that gives it (sshd 10.6, pqsshd).
func checkWarnings(t *testing.T, p pair, s *harness.Server, from int, res *harness.Result, want string) {
	t.Helper()
	w := peers.NotPostQuantumWarning
	if want == "pq" || peers.PostQuantum(want) {
		if i := strings.Index(res.Stderr, w); i >= 0 {
			t.Errorf("%s (client) warns of a key exchange that is not post-quantum: %q", p.client.Name, line(res.Stderr, i))
		}
		// Servers warn before the login line, which checkKex waited for.
		if log := s.Log()[from:]; strings.Contains(log, w) {
			t.Errorf("%s (server) warns of a key exchange that is not post-quantum: %q", p.server.Name, line(log, strings.Index(log, w)))
		}
		return
	}
	ws := p.server.Server.NotPostQuantumWarning
	if ws == "" {
		return
	}
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		log := s.Log()[from:]
		if i := strings.Index(log, ws); i >= 0 {
			if !strings.Contains(line(log, i), want) {
				t.Errorf("%s (server) warning does not name %s: %q", p.server.Name, want, line(log, i))
			}
			t.Logf("%s (server) warns: %s", p.server.Name, line(log, i))
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s (server) does not warn that %s is not post-quantum\nserver log:\n%s", p.server.Name, want, log)
			return
		}
	}
}

// line returns the line of s around byte offset i.
func line(s string, i int) string {
	start := strings.LastIndexByte(s[:i], '\n') + 1
	end := strings.IndexByte(s[i:], '\n')
	if end < 0 {
		return s[start:]
	}
	return s[start : i+end]
}

// kexMatches compares a logged name with the expected one; logged names
// may list alternatives separated by "|" (PuTTY cannot tell the two
// sntrup761 names apart in its log).
func kexMatches(got, want string) bool {
	for _, g := range strings.Split(got, "|") {
		if g == want || want == "pq" && peers.PostQuantum(g) {
			return true
		}
	}
	return false
}

// checkPair runs the basic interop checks of one pair with one method:
// log in and run a command (its output and exit status come back), then
// 10 MiB of random data through cat with matching SHA-256. kex restricts
// whichever sides can be restricted ("" for defaults); want is the name
// both logs must show ("pq" for any post-quantum one).
func checkPair(t *testing.T, p pair, kex, want string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := startServer(t, ctx, p, kex)

	res := connect(t, ctx, p, s, kex, want, harness.Login{Command: "uname -n; exit 7"})
	if got := string(res.Stdout); got != p.sc.Name+"\n" {
		t.Errorf("exec: stdout %q, want %q (stderr: %s)", got, p.sc.Name+"\n", res.Stderr)
	}
	if res.ExitCode != 7 {
		t.Fatalf("exec: exit status %d, want 7\nclient stderr:\n%s\nserver log:\n%s", res.ExitCode, res.Stderr, s.Log())
	}

	data := payload()
	h := &countingHash{Hash: sha256.New()}
	if p.client.Client.HalfDuplex {
		// Up in one connection, back down in another (see HalfDuplex).
		res = connect(t, ctx, p, s, kex, want, harness.Login{Command: "cat > /tmp/pqi-payload", Stdin: bytes.NewReader(data)})
		if res.ExitCode != 0 {
			t.Fatalf("upload: exit status %d\nclient stderr:\n%s", res.ExitCode, res.Stderr)
		}
		res = connect(t, ctx, p, s, kex, want, harness.Login{Command: "cat /tmp/pqi-payload && rm /tmp/pqi-payload", Stdout: h})
	} else {
		res = connect(t, ctx, p, s, kex, want, harness.Login{Command: "cat", Stdin: bytes.NewReader(data), Stdout: h})
	}
	if res.ExitCode != 0 {
		t.Fatalf("cat: exit status %d\nclient stderr:\n%s", res.ExitCode, res.Stderr)
	}
	sum := sha256.Sum256(data)
	if h.n != int64(len(data)) || !bytes.Equal(h.Sum(nil), sum[:]) {
		t.Fatalf("cat: got %d bytes with SHA-256 %x, sent %d with %x", h.n, h.Sum(nil), len(data), sum)
	}
}

// checkPTY logs in with a terminal, driven through script(1) so the
// client has one too: types a command, reads its output, exits with a
// status.
func checkPTY(t *testing.T, p pair, kex, want string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := startServer(t, ctx, p, kex)
	login := harness.Login{TTY: true}
	if p.client.Client.CanRestrictKex {
		login.Kex = kex
	}
	argv, err := lab.ClientCommand(ctx, p.client, p.cc, s, login)
	if err != nil {
		t.Fatal(err)
	}
	from := len(s.Log())

	// Type like a user: wait for the prompt, type a command, wait for its
	// output, then exit. Standard input stays open until the client is
	// done, as a terminal's would.
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer inW.Close()
	out := &watchedBuffer{}
	type ran struct {
		res *harness.Result
		err error
	}
	done := make(chan ran, 1)
	go func() {
		res, err := p.cc.Run(ctx, harness.Exec{
			Args:  []string{"script", "-qfec", shellQuote(argv), "/dev/null"},
			Stdin: inR, Stdout: out,
		})
		inR.Close()
		done <- ran{res, err}
	}()
	step := func(wait, typed string) {
		t.Helper()
		if !out.waitFor(ctx, wait) {
			t.Fatalf("terminal session: no %q in output %q\nserver log:\n%s", wait, out.String(), s.Log()[from:])
		}
		inW.WriteString(typed)
	}
	step("# ", "tty; echo pty-$((6*7))\n")
	step("pty-42", "exit 3\n")
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(out.String(), "/dev/pts/") {
		t.Errorf("terminal session output %q lacks the tty's /dev/pts/ name", out)
	}
	if r.res.ExitCode != 3 {
		t.Errorf("terminal session exit status %d, want 3\noutput: %s\nserver log:\n%s", r.res.ExitCode, out, s.Log()[from:])
	}
	// script merges the client's stderr into its output.
	checkKex(t, p, s, from, &harness.Result{Stderr: out.String()}, want)
}

// watchedBuffer collects output and lets a test wait for a string in it.
type watchedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *watchedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *watchedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// waitFor polls for s in the output until ctx ends.
func (w *watchedBuffer) waitFor(ctx context.Context, s string) bool {
	for !strings.Contains(w.String(), s) {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return true
}

type countingHash struct {
	hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.Hash.Write(p)
}

// shellQuote joins argv into one sh command line.
func shellQuote(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
