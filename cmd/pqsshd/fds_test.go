package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// inheritedFiles opens what a careless parent could leave open for pqsshd:
// a secret file and a pipe, neither close-on-exec in the child.
func inheritedFiles(t *testing.T) []*os.File {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("root-only secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(secret)
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close(); r.Close(); w.Close() })
	return []*os.File{f, w} // fds 3 and 4 in pqsshd
}

// sessionFDs lists the descriptors of a session's shell, as "fd target"
// lines: ls runs in a child of the shell (the ":" keeps the shell from
// exec'ing it) and reads the shell's /proc entry, so its own directory
// descriptor is not among them.
func sessionFDs(t *testing.T, c *gossh.Client, pty bool) map[int]string {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if pty {
		if err := s.RequestPty("xterm", 24, 80, nil); err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.Output(`cd /proc/$$/fd && ls -l; :`)
	if err != nil {
		t.Fatalf("ls -l /proc/$$/fd: %v %q", err, out)
	}
	fds := map[int]string{}
	for _, line := range strings.Split(strings.ReplaceAll(string(out), "\r", ""), "\n") {
		name, target, ok := strings.Cut(line, " -> ")
		if !ok {
			continue
		}
		f := strings.Fields(name)
		fd, err := strconv.Atoi(f[len(f)-1])
		if err != nil {
			t.Fatalf("unexpected ls line %q", line)
		}
		fds[fd] = target
	}
	return fds
}

// checkOnlyStdio fails unless a session (with and without a terminal)
// sees exactly descriptors 0, 1 and 2 (the terminal, with one).
func checkOnlyStdio(t *testing.T, c *gossh.Client) {
	t.Helper()
	for _, pty := range []bool{false, true} {
		fds := sessionFDs(t, c, pty)
		if len(fds) != 3 || fds[0] == "" || fds[1] == "" || fds[2] == "" {
			t.Errorf("pty=%v: the session's descriptors are %v, want only 0, 1 and 2", pty, fds)
			continue
		}
		if pty && !strings.HasPrefix(fds[0], "/dev/pts/") {
			t.Errorf("pty=%v: fd 0 is %s, want the terminal", pty, fds[0])
		}
	}
}

func TestSessionsGetNoInheritedDescriptors(t *testing.T) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	files := inheritedFiles(t)
	_, addr, _, _ := daemonWith(t, fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties no\n", kdir),
		func(cmd *exec.Cmd) { cmd.ExtraFiles = files })
	c, err := dial(addr, me(t), key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkOnlyStdio(t, c)
}

// TestDetachedDaemonGetsNoInheritedDescriptors: without -D pqsshd
// re-executes itself detached; neither copy passes on what it inherited.
func TestDetachedDaemonGetsNoInheritedDescriptors(t *testing.T) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	pidFile := filepath.Join(kdir, "pqsshd.pid")
	cfgFile := filepath.Join(kdir, "sshd_config")
	os.WriteFile(cfgFile, []byte(fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties no\nPidFile %s\nListenAddress %s\n", kdir, pidFile, addr)), 0o644)
	cmd := pqsshd(t, "-e", "-f", cfgFile, "-h", filepath.Join(kdir, "hk_ed25519"))
	cmd.ExtraFiles = inheritedFiles(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pqsshd (detaching): %v %s", err, out)
	}
	var pid int
	t.Cleanup(func() {
		if pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	var c *gossh.Client
	for i := 0; ; i++ {
		if b, err := os.ReadFile(pidFile); err == nil {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		if c, err = dial(addr, me(t), key); err == nil && pid > 0 {
			break
		}
		if i > 200 {
			t.Fatalf("the detached pqsshd did not come up: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer c.Close()
	checkOnlyStdio(t, c)
	// The daemon itself holds none of them either.
	entries, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, e := range entries {
		if target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name())); err == nil && strings.HasSuffix(target, "/secret") {
			t.Errorf("the detached pqsshd holds the inherited %s as fd %s", target, e.Name())
		}
	}
}
