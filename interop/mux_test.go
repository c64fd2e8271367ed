//go:build interop && linux

package interop_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	. "github.com/pqssh/pqssh/interop/peers"
)

// TestMuxOpenSSH106 shares one connection between pqssh and Debian
// forky's OpenSSH 10.6p1 through the mux protocol, both ways: OpenSSH's
// ssh and scp over a pqssh ControlPersist master (pqssh's default key
// exchange), and pqssh over an OpenSSH master. pqsshd must see one login
// per master.
func TestMuxOpenSSH106(t *testing.T) {
	srv, cli := forkyHosts(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := startServer(t, ctx, pair{Pqssh, cli, Pqssh, srv}, "")
	logins := func() int { return strings.Count(s.Log(), "Accepted publickey") }
	run := func(args ...string) string {
		t.Helper()
		res, err := cli.Run(ctx, harness.Exec{Args: args})
		if err != nil {
			t.Fatalf("%s: %v", strings.Join(args, " "), err)
		}
		if res.ExitCode != 0 {
			t.Fatalf("%s: exit %d\n%s", strings.Join(args, " "), res.ExitCode, res.Stderr)
		}
		return string(res.Stdout)
	}
	before := logins()

	// A pqssh master that persists after its first command.
	const pctl = "/tmp/pqssh-ctl"
	res, err := lab.Connect(ctx, Pqssh, cli, s, harness.Login{Quiet: true, Command: "echo first",
		Options: []string{"ControlMaster=auto", "ControlPath=" + pctl, "ControlPersist=yes"}})
	if err != nil || res.ExitCode != 0 || string(res.Stdout) != "first\n" {
		t.Fatalf("pqssh ControlPersist master: %v %+v", err, res)
	}
	o := []string{"-F", "/dev/null", "-o", "ControlMaster=no", "-o", "ControlPath=" + pctl}
	if out := run(append(append([]string{"ssh"}, o...), "anyhost", "echo over-pqssh")...); out != "over-pqssh\n" {
		t.Fatalf("OpenSSH 10.6's ssh over pqssh's master: %q", out)
	}
	run("sh", "-c", "head -c 100000 /dev/urandom > /tmp/mux-src")
	// -O: the legacy protocol (the test pqsshd has no sftp subsystem).
	run(append(append([]string{"scp", "-O", "-q"}, o...), "/tmp/mux-src", "anyhost:/tmp/mux-dst")...)
	local := run("sh", "-c", "sha256sum < /tmp/mux-src")
	if remote := run(append(append([]string{"ssh"}, o...), "anyhost", "sha256sum < /tmp/mux-dst")...); remote != local {
		t.Fatalf("scp over pqssh's master: remote %q, local %q", remote, local)
	}
	run(append(append([]string{"ssh"}, o...), "-O", "check", "anyhost")...)
	if n := logins() - before; n != 1 {
		t.Errorf("pqsshd saw %d logins for the pqssh master and its clients, want 1", n)
	}
	run("/pqssh/bin/pqssh", "-S", pctl, "-O", "exit", "anyhost")

	// An OpenSSH 10.6 master, used by pqssh.
	const octl = "/tmp/openssh-ctl"
	before = logins()
	res, err = lab.Connect(ctx, OpenSSH106, cli, s, harness.Login{Quiet: true, Command: "echo first",
		Options: []string{"ControlMaster=auto", "ControlPath=" + octl, "ControlPersist=yes"}})
	if err != nil || res.ExitCode != 0 || string(res.Stdout) != "first\n" {
		t.Fatalf("OpenSSH ControlPersist master: %v %+v", err, res)
	}
	for i := 0; i < 3; i++ {
		if out := run("/pqssh/bin/pqssh", "-F", "/dev/null", "-S", octl, "anyhost", "echo over-openssh"); out != "over-openssh\n" {
			t.Fatalf("pqssh over OpenSSH 10.6's master: %q", out)
		}
	}
	run("/pqssh/bin/pqssh", "-S", octl, "-O", "check", "anyhost")
	if n := logins() - before; n != 1 {
		t.Errorf("pqsshd saw %d logins for the OpenSSH master and pqssh's sessions, want 1", n)
	}
	run("ssh", "-S", octl, "-O", "exit", "anyhost")
}
