package kexsandbox

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/pqssh/pqssh/kex"
)

// fakeEnv makes the test binary a hostile helper (fakeHelperMain) that
// behaves as its value says once it has read a request.
const fakeEnv = "PQSSHD_KEX_FAKE_HELPER"

// fakeHelperMain is a subverted or crashing helper: it reads one request
// from its socket, then crashes or answers what an honest one never does.
func fakeHelperMain() {
	mode := os.Getenv(fakeEnv)
	if mode == "" {
		return
	}
	f := os.NewFile(helperFD, "fake-kex")
	if _, err := readFrame(bufio.NewReader(f), maxRequest); err != nil {
		os.Exit(0)
	}
	switch mode {
	case "segv":
		syscall.Kill(os.Getpid(), syscall.SIGSEGV)
	case "panic":
		done := make(chan struct{})
		go func() {
			defer close(done)
			panic("fault in the KEM code")
		}()
		<-done
	case "wrong-size":
		f.Write(frame(binary.BigEndian.AppendUint32([]byte{0}, 7)))
	case "huge":
		f.Write(binary.BigEndian.AppendUint32(nil, 1<<30))
	case "exit":
		os.Exit(0)
	case "silent":
		time.Sleep(time.Hour)
	}
	time.Sleep(time.Hour)
}

// startFake starts the test binary as a hostile helper (no confinement:
// what is tested is how the session process takes its answers).
func startFake(t *testing.T, mode string) *Sandbox {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	parent := os.NewFile(uintptr(fds[0]), "kex-sandbox")
	child := os.NewFile(uintptr(fds[1]), "kex-sandbox-child")
	defer child.Close()
	c, err := net.FileConn(parent)
	parent.Close()
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	cmd := &exec.Cmd{Path: exe, Args: []string{"fake-kex"}, Env: []string{fakeEnv + "=" + mode}, ExtraFiles: []*os.File{child}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sb := &Sandbox{cmd: cmd, conn: c, r: bufio.NewReader(c), ready: make(chan struct{}), exited: make(chan struct{})}
	close(sb.ready)
	go func() {
		cmd.Wait()
		close(sb.exited)
	}()
	t.Cleanup(func() { sb.Close() })
	return sb
}

// TestHostileHelper: a helper that crashes (a signal, Go's fatal exit) or
// answers what an honest one never does (a reply of the wrong size, a
// frame beyond the bound) fails the exchange without hanging or
// panicking, and Crashed reports it, for the listener's
// PerSourcePenalties crash; one that exits cleanly does not count as a
// crash, nor does a public value the method refuses. A helper that never
// answers is not tested here: respondTimeout (30 s) bounds it.
func TestHostileHelper(t *testing.T) {
	for _, tc := range []struct {
		mode    string
		crashed bool
	}{{"segv", true}, {"panic", true}, {"wrong-size", true}, {"huge", true}, {"exit", false}} {
		t.Run(tc.mode, func(t *testing.T) {
			sb := startFake(t, tc.mode)
			m, _ := sb.Method(kex.MLKEM768X25519SHA256)
			cl, _ := m.NewClient(rand.Reader)
			reply, secret, err := m.Respond(nil, cl.PublicValue())
			if err == nil {
				t.Fatalf("exchange with a %s helper succeeded: reply %d bytes, secret %d", tc.mode, len(reply), len(secret))
			}
			if got := sb.Crashed(); got != tc.crashed {
				t.Errorf("Crashed() = %v after %v, want %v", got, err, tc.crashed)
			}
			if _, _, err := m.Respond(nil, cl.PublicValue()); err == nil {
				t.Error("a second exchange with the failed helper succeeded")
			}
		})
	}
	t.Run("refused value", func(t *testing.T) {
		sb, err := Start()
		if err != nil {
			t.Fatal(err)
		}
		defer sb.Close()
		m, _ := sb.Method(kex.MLKEM768X25519SHA256)
		if _, _, err := m.Respond(nil, []byte("short")); err == nil {
			t.Fatal("a malformed public value was accepted")
		}
		if sb.Crashed() {
			t.Error("a refused public value counts as a crash")
		}
	})
}
