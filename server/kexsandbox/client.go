package kexsandbox

import (
	"bufio"
	"crypto"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sandbox"
	"github.com/pqssh/pqssh/kex"
)

// respondTimeout bounds one exchange in the helper (McEliece's
// encapsulation takes well under a second).
const respondTimeout = 30 * time.Second

// Sandbox is a running helper.
type Sandbox struct {
	cmd  *exec.Cmd
	conn net.Conn
	r    *bufio.Reader

	ready    chan struct{} // closed once started (or failed to)
	exited   chan struct{} // closed once the helper has been reaped
	startErr error

	mu      sync.Mutex
	dead    error
	crashed bool // the helper crashed or broke the protocol (Crashed)

	// Landlock is the Landlock ABI version the helper runs under (0: the
	// kernel has none).
	Landlock int
	// Chroot is the helper's root ("" when the daemon is not root).
	Chroot string
	// UID is the user the helper runs as.
	UID int
}

// Start starts a helper and waits until it runs. Run as root it confines
// the helper to ChrootDir as the privilege-separation user.
func Start() (*Sandbox, error) {
	sb := Launch()
	<-sb.ready
	if sb.startErr != nil {
		return nil, sb.startErr
	}
	return sb, nil
}

// Launch starts a helper in the background: its methods may be used at
// once and wait for it (an error starting it fails their exchanges).
func Launch() *Sandbox {
	sb := &Sandbox{ready: make(chan struct{})}
	go func() {
		sb.startErr = sb.start()
		close(sb.ready)
	}()
	return sb
}

func (sb *Sandbox) start() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("kex sandbox: %w", err)
	}
	opts, err := sandbox.PrivsepOptions()
	if err != nil {
		return fmt.Errorf("kex sandbox: %w", err)
	}
	uid, gid, dir := opts.UID, opts.GID, opts.Chroot
	if dir == "" {
		dir = "-"
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("kex sandbox: socketpair: %w", err)
	}
	parent := os.NewFile(uintptr(fds[0]), "kex-sandbox")
	child := os.NewFile(uintptr(fds[1]), "kex-sandbox-child")
	defer child.Close()
	c, err := net.FileConn(parent)
	parent.Close()
	if err != nil {
		return fmt.Errorf("kex sandbox: %w", err)
	}
	cmd := &exec.Cmd{
		Path:       exe,
		Args:       []string{HelperArg0, strconv.Itoa(uid), strconv.Itoa(gid), dir},
		Env:        []string{markerEnv + "=1"},
		Dir:        "/",
		ExtraFiles: []*os.File{child},
		Stderr:     os.Stderr,
		// No Pdeathsig: it follows the starting thread, which ends at
		// once. The helper exits when its socket reaches end-of-file.
	}
	abi, err := sandbox.StartConfined(cmd, append([]string{exe}, sandbox.LoaderPaths...))
	if err != nil {
		c.Close()
		return fmt.Errorf("kex sandbox: %w", err)
	}
	sb.cmd, sb.conn, sb.r, sb.Landlock, sb.UID = cmd, c, bufio.NewReader(c), abi, os.Geteuid()
	if uid > 0 {
		sb.UID, sb.Chroot = uid, filepath.Clean(dir)
	}
	sb.exited = make(chan struct{})
	go func() {
		cmd.Wait()
		close(sb.exited)
	}()
	return nil
}

// Pid is the helper's process ID.
func (sb *Sandbox) Pid() int { return sb.cmd.Process.Pid }

// Close stops the helper.
func (sb *Sandbox) Close() error {
	<-sb.ready
	if sb.startErr != nil {
		return nil
	}
	sb.mu.Lock()
	if sb.dead == nil {
		sb.dead = errors.New("kex sandbox: closed")
	}
	sb.conn.Close()
	sb.cmd.Process.Kill()
	sb.mu.Unlock()
	// Reaped before the caller exits, so that its CPU time is counted in
	// the caller's children.
	select {
	case <-sb.exited:
	case <-time.After(5 * time.Second):
	}
	return nil
}

// respond runs one exchange in the helper.
func (sb *Sandbox) respond(name string, h *kex.Hybrid, clientPublic []byte) (reply, secret []byte, err error) {
	if len(name) > 255 || len(clientPublic) > maxRequest-256 {
		return nil, nil, errors.New("kex sandbox: request too large")
	}
	<-sb.ready
	if sb.startErr != nil {
		return nil, nil, sb.startErr
	}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.dead != nil {
		return nil, nil, sb.dead
	}
	fail := func(err error) ([]byte, []byte, error) {
		sb.crashed = sb.crashedBy(err)
		sb.dead = fmt.Errorf("kex sandbox: %w", err)
		sb.conn.Close()
		sb.cmd.Process.Kill()
		return nil, nil, sb.dead
	}
	req := append([]byte{byte(len(name))}, name...)
	req = append(req, clientPublic...)
	sb.conn.SetDeadline(time.Now().Add(respondTimeout))
	if _, err := sb.conn.Write(frame(req)); err != nil {
		return fail(err)
	}
	ans, err := readFrame(sb.r, maxReply)
	if err != nil {
		return fail(fmt.Errorf("helper: %w", err))
	}
	// From here on the helper answered: what is wrong with the answer is
	// a broken protocol.
	if len(ans) < 1 {
		return fail(fmt.Errorf("empty answer: %w", errBadAnswer))
	}
	if ans[0] == 1 {
		// The method refused the public value: the exchange fails, the
		// helper is fine.
		return nil, nil, fmt.Errorf("kex %s: %s", name, sanitize(ans[1:]))
	}
	if ans[0] != 0 || len(ans) < 5 {
		return fail(fmt.Errorf("malformed answer: %w", errBadAnswer))
	}
	n := binary.BigEndian.Uint32(ans[1:5])
	body := ans[5:]
	if uint64(n) > uint64(len(body)) || int(n) != h.ServerReplySize() || len(body)-int(n) != h.SecretSize() {
		return fail(fmt.Errorf("answer of the wrong size: %w", errBadAnswer))
	}
	return body[:n], body[n:], nil
}

// errBadAnswer marks an answer that breaks the protocol.
var errBadAnswer = errors.New("kex sandbox: answer breaks the protocol")

// crashedBy reports whether the exchange that failed with err means the
// helper crashed or was subverted: an answer that breaks the protocol
// (wrong sizes, an oversized frame), or a helper that died on its own by a
// signal or the Go runtime's fatal exit (status 2: a panic, a fault in
// assembly). A timeout is not (a loaded machine is slow), nor is a helper
// that exited cleanly.
func (sb *Sandbox) crashedBy(err error) bool {
	if errors.Is(err, errBadAnswer) || errors.Is(err, errOversized) {
		return true
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return false
	}
	select {
	case <-sb.exited:
	case <-time.After(2 * time.Second):
		return false // alive: the socket failed otherwise
	}
	ws, ok := sb.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && (ws.Signaled() || ws.Exited() && ws.ExitStatus() == 2)
}

// Crashed reports whether an exchange failed because the helper crashed
// or broke the protocol: the session process reports it to its listener,
// which gives the source PerSourcePenalties' crash (a client retrying a
// fault in the KEM code, to defeat ASLR, say, then waits).
func (sb *Sandbox) Crashed() bool {
	if sb == nil {
		return false
	}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return sb.crashed
}

// sanitize keeps an error message from the helper printable and short.
func sanitize(b []byte) string {
	if len(b) > 200 {
		b = b[:200]
	}
	out := make([]rune, 0, len(b))
	for _, r := range string(b) {
		if r < 0x20 || r == 0x7f {
			r = '?'
		}
		out = append(out, r)
	}
	return string(out)
}

// method is a key-exchange method whose server side runs in the helper.
type method struct {
	name string
	h    *kex.Hybrid
	sb   *Sandbox
}

// Method returns the method registered as name (package kex) with its
// server side computed in the helper, or false for a method kex does not
// implement.
func (sb *Sandbox) Method(name string) (gossh.KeyExchangeMethod, bool) {
	h, ok := kex.Lookup(name)
	if !ok {
		return nil, false
	}
	return &method{name: name, h: h, sb: sb}, true
}

func (m *method) Hash() crypto.Hash { return m.h.Hash() }

func (m *method) NewClient(rand io.Reader) (gossh.KeyExchangeClient, error) {
	return m.h.NewClient(rand)
}

// Respond computes the server side in the helper (the helper draws its own
// randomness; rand is not used).
func (m *method) Respond(_ io.Reader, clientPublic []byte) ([]byte, []byte, error) {
	return m.sb.respond(m.name, m.h, clientPublic)
}

// SecretIsMpint is the wrapped method's (gossh.MpintSecretMethod).
func (m *method) SecretIsMpint() bool { return m.h.SecretIsMpint() }
