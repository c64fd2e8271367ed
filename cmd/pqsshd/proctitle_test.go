package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// cmdline is process pid's command line as ps shows it (NULs between
// arguments as spaces, the padding after a title left out).
func cmdline(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return string(bytes.ReplaceAll(bytes.TrimRight(b, "\x00"), []byte{0}, []byte{' '}))
}

// waitTitle waits (a bounded number of times) for pid's title to be want.
func waitTitle(t *testing.T, pid int, want string) {
	t.Helper()
	for range 500 {
		if cmdline(pid) == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d shows %q, want %q", pid, cmdline(pid), want)
}

// TestProcessTitles: ps shows pqsshd's processes as OpenSSH's: the
// listener with its command line and the unauthenticated connections
// against MaxStartups, a session process "[accepted]" before the client
// names a user, the user once authenticated, and "user@pts/N" while a
// terminal session runs ("user@notty" for one without).
func TestProcessTitles(t *testing.T) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	cmd, addr, _, _ := daemon(t, fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties no\nMaxStartups 4:50:20\n", kdir))
	var args string
	for _, e := range cmd.Env {
		if v, ok := strings.CutPrefix(e, "PQSSHD_ARGS="); ok {
			args = v
		}
	}
	listener := "pqsshd: pqsshd " + args + " [listener] %d of 4-20 startups"
	waitTitle(t, cmd.Process.Pid, fmt.Sprintf(listener, 0))

	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	waitTitle(t, cmd.Process.Pid, fmt.Sprintf(listener, 1))
	var accepted int
	for range 500 {
		if s := sessionChildren(t, cmd.Process.Pid); len(s) == 1 {
			accepted = s[0]
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if accepted == 0 {
		t.Fatal("no session process for the connection")
	}
	waitTitle(t, accepted, "pqsshd-session: [accepted]")
	raw.Close()
	waitTitle(t, cmd.Process.Pid, fmt.Sprintf(listener, 0))

	c, err := dial(addr, me(t), key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sessions := slices.DeleteFunc(sessionChildren(t, cmd.Process.Pid), func(p int) bool { return p == accepted })
	if len(sessions) != 1 {
		t.Fatalf("session processes %v, want one for the login", sessions)
	}
	sp := sessions[0]
	waitTitle(t, sp, "pqsshd-session: "+me(t))
	// An authenticated connection no longer counts toward MaxStartups.
	waitTitle(t, cmd.Process.Pid, fmt.Sprintf(listener, 0))

	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm", 24, 80, nil); err != nil {
		t.Fatal(err)
	}
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	if err := s.Start("stty -echo; tty; cat"); err != nil {
		t.Fatal(err)
	}
	tty, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	tty = strings.TrimPrefix(strings.TrimSpace(tty), "/dev/")
	waitTitle(t, sp, "pqsshd-session: "+me(t)+"@"+tty)

	s2, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	in2, _ := s2.StdinPipe()
	if err := s2.Start("cat"); err != nil {
		t.Fatal(err)
	}
	in.Close()
	s.Close()
	waitTitle(t, sp, "pqsshd-session: "+me(t)+"@notty")
	in2.Close()
	s2.Wait()
}
