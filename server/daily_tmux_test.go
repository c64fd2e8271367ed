package server

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxPane drives one detached tmux session (its own server socket) whose
// pane runs a client; the pane shell prints the client's exit status and
// stays, so that the status can be read after the client ends.
type tmuxPane struct {
	t    *testing.T
	c    *dailyClient
	sock string
}

func newTmuxPane(t *testing.T, c *dailyClient, label, name string, args []string) *tmuxPane {
	t.Helper()
	dailyTool(t, "tmux")
	p := &tmuxPane{t: t, c: c, sock: filepath.Join(c.home, "tmux-"+label+".sock")}
	quoted := make([]string, 0, len(args)+1)
	for _, a := range append([]string{name}, args...) {
		quoted = append(quoted, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
	}
	shell := strings.Join(quoted, " ") + `; echo "client-exit=$?"; sleep 600`
	p.tmux("-f", "/dev/null", "new-session", "-d", "-s", "daily", "-x", "80", "-y", "24", shell)
	t.Cleanup(func() {
		// Ends the tmux server this test started (its own socket).
		exec.Command("tmux", "-S", p.sock, "kill-server").Run()
		if t.Failed() {
			t.Logf("pane:\n%s", p.capture())
		}
	})
	return p
}

func (p *tmuxPane) tmux(args ...string) string {
	p.t.Helper()
	return p.c.mustRun([]string{"TERM=xterm-256color"}, "", "tmux", append([]string{"-S", p.sock}, args...)...)
}

func (p *tmuxPane) capture() string {
	cmd := exec.Command("tmux", "-S", p.sock, "capture-pane", "-p", "-J", "-t", "daily")
	cmd.Env = p.c.env("TERM=xterm-256color")
	out, _ := cmd.Output()
	return string(out)
}

// typeLine types s (literally) and Enter.
func (p *tmuxPane) typeLine(s string) {
	p.t.Helper()
	if s != "" {
		p.tmux("send-keys", "-t", "daily", "-l", "--", s)
	}
	p.tmux("send-keys", "-t", "daily", "Enter")
}

// waitFor waits up to 20 s until the pane shows want.
func (p *tmuxPane) waitFor(want string) {
	p.t.Helper()
	for i := 0; i < 400; i++ {
		if strings.Contains(p.capture(), want) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("pane never showed %q:\n%s", want, p.capture())
}

// TestDailyTmuxInteractive drives an interactive login through a real
// terminal (a tmux pane) into pqsshd, with pqssh and with OpenSSH's ssh:
// typing reaches the remote shell, ^C interrupts a remote command through
// the remote PTY, resizing the tmux window reaches the remote PTY
// (window-change), ~? lists the escapes, ~C opens a local forwarding, and
// ~. ends the client with status 255.
func TestDailyTmuxInteractive(t *testing.T) {
	c := newDailyClient(t)
	_, echo := echoTarget(t)
	for _, tr := range c.transports() {
		t.Run(tr.name, func(t *testing.T) {
			c := c.sub(t)
			e := startServer(t, "", "AllowTcpForwarding yes")
			alias := "tty-" + tr.name
			c.addHost(alias, e, e.user, false)
			name, args := tr.command("-o", "EnableEscapeCommandline=yes", alias)
			p := newTmuxPane(t, c, tr.name, name, args)

			p.typeLine("echo typed-$((6*7))")
			p.waitFor("typed-42")
			e.logs.waitLog(t, "type=shell")

			p.typeLine("sleep 300")
			time.Sleep(200 * time.Millisecond) // let the shell start sleep
			p.tmux("send-keys", "-t", "daily", "C-c")
			p.typeLine("echo after-interrupt-$((1+1))")
			p.waitFor("after-interrupt-2")

			p.typeLine("stty size")
			p.waitFor("24 80")
			p.tmux("resize-window", "-t", "daily", "-x", "100", "-y", "30")
			p.typeLine("clear; stty size")
			p.waitFor("30 100")

			p.typeLine("")
			p.tmux("send-keys", "-t", "daily", "-l", "~?")
			p.waitFor("terminate connection")

			lport := dailyFreePort(t)
			p.typeLine("")
			p.tmux("send-keys", "-t", "daily", "-l", "~C")
			p.waitFor("ssh>")
			p.typeLine(fmt.Sprintf("-L %d:127.0.0.1:%d", lport, echo))
			roundTrip(t, dailyDial(t, lport))

			p.typeLine("")
			p.tmux("send-keys", "-t", "daily", "-l", "~.")
			p.waitFor("client-exit=255")
			e.logs.waitLog(t, "connection closed")
		})
	}
}
