package sandbox

import (
	"errors"
	"net"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// TestScopeThreadAbstractSockets: a thread under ScopeThread (as the
// one that starts a network process) cannot connect to an abstract Unix
// socket of a process outside its domain, which another thread can;
// files stay readable. Where the kernel's Landlock is older than ABI 6
// there is no scope to test, and the test says so by failing: CI's
// kernel has it.
func TestScopeThreadAbstractSockets(t *testing.T) {
	l, err := net.Listen("unix", "@pqssh-scope-test-"+t.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	addr := &unix.SockaddrUnix{Name: "@" + l.Addr().String()[1:]}
	connect := func() error {
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		return unix.Connect(fd, addr)
	}
	if err := connect(); err != nil {
		t.Fatalf("unrestricted connect: %v", err)
	}
	type result struct {
		abi               int
		err, connErr, rdE error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: the restricted thread ends with the goroutine.
		var r result
		r.abi, r.err = ScopeThread()
		if r.err == nil {
			r.connErr = connect()
			var fd int
			fd, r.rdE = unix.Open("/proc/self/status", unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if r.rdE == nil {
				unix.Close(fd)
			}
		}
		done <- r
	}()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.abi < 6 {
		t.Fatalf("Landlock ABI %d: no abstract-socket scope on this kernel", r.abi)
	}
	if !errors.Is(r.connErr, unix.EPERM) {
		t.Fatalf("connect to an abstract socket outside the domain: %v, want EPERM", r.connErr)
	}
	if r.rdE != nil {
		t.Fatalf("reading a file under the scope: %v", r.rdE)
	}
	if err := connect(); err != nil {
		t.Fatalf("another thread's connect: %v", err)
	}
}
