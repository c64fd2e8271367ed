package proctitle

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const childEnv = "PQSSH_PROCTITLE_CHILD"

// longValue is an environment variable the child must still read after
// its environment's memory was overwritten by a title.
var longValue = strings.Repeat("environment-", 20)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(titleChild())
	}
	os.Exit(m.Run())
}

// titleChild sets the titles the test sends (a JSON array: a Sessions
// call's user and terminals, or ["listener"]), answering each with what
// it still sees of its arguments and environment.
func titleChild() int {
	if err := Init(); err != nil {
		fmt.Println(err)
		return 1
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var req []string
		if err := json.Unmarshal(in.Bytes(), &req); err != nil || len(req) == 0 {
			return 2
		}
		switch req[0] {
		case "listener":
			Listener(3, 10, 100)
		case "priv":
			Priv(req[1], req[2] == "valid")
		default:
			Sessions(req[0], req[1:])
		}
		fmt.Printf("%q %q %q\n", strings.Join(os.Args, " "), os.Getenv("PQSSH_LONG"), os.Getenv(childEnv))
	}
	return 0
}

// TestTitleInCmdline: a process that sets its title shows it in
// /proc/PID/cmdline as "argv0: title", the forms OpenSSH's sshd uses; a
// title longer than the arguments spills into the environment's memory
// while the process still sees its arguments and environment; a title
// longer than both is cut; control characters are escaped.
func TestTitleInCmdline(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := &exec.Cmd{
		Path: exe,
		Args: []string{"pqsshd-session", "-D", "-f", "/etc/pqssh/sshd_config"},
		Env:  []string{childEnv + "=1", "PQSSH_LONG=" + longValue},
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	out := bufio.NewReader(stdout)
	wantSeen := fmt.Sprintf("%q %q %q\n", "pqsshd-session -D -f /etc/pqssh/sshd_config", longValue, "1")
	title := func(req ...string) string {
		t.Helper()
		b, _ := json.Marshal(req)
		fmt.Fprintf(stdin, "%s\n", b)
		seen, err := out.ReadString('\n')
		if err != nil {
			t.Fatalf("child: %v", err)
		}
		if seen != wantSeen {
			t.Errorf("child sees %s, want %s", seen, wantSeen)
		}
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", cmd.Process.Pid))
		if err != nil {
			t.Fatal(err)
		}
		return string(bytes.TrimRight(cmdline, "\x00"))
	}
	for _, c := range []struct {
		req  []string
		want string
	}{
		{[]string{"alice", "/dev/pts/0"}, "pqsshd-session: alice@pts/0"},
		{[]string{"alice"}, "pqsshd-session: alice@notty"},
		{[]string{"bob", "/dev/pts/0", "/dev/pts/3"}, "pqsshd-session: bob@pts/0,pts/3"},
		{[]string{"priv", "alice", "valid"}, "pqsshd-session: alice [priv]"},
		{[]string{"priv", "mallory", "invalid"}, "pqsshd-session: unknown [priv]"},
		{[]string{"listener"}, "pqsshd-session: pqsshd-session -D -f /etc/pqssh/sshd_config [listener] 3 of 10-100 startups"},
		{[]string{"a\tb\nc\x01d\\"}, `pqsshd-session: a\tb\nc\001d\\@notty`},
	} {
		if got := title(c.req...); got != c.want {
			t.Errorf("title %q: cmdline %q, want %q", c.req, got, c.want)
		}
	}
	long := strings.Repeat("x", 4096)
	got := title(long)
	area := len("pqsshd-session -D -f /etc/pqssh/sshd_config") + 1 + len(childEnv+"=1") + 1 + len("PQSSH_LONG="+longValue) + 1
	if want := ("pqsshd-session: " + long + "@notty")[:area-1]; got != want {
		t.Errorf("long title: cmdline of %d bytes, want the first %d bytes of the title", len(got), len(want))
	}
	stdin.Close()
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
}
