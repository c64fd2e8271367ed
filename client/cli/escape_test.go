package cli

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/pqssh/pqssh/client/config"
)

func escapeRun(t *testing.T, input string) (sent string, msgs string, disconnected bool) {
	t.Helper()
	var errb bytes.Buffer
	s := &session{env: &Env{Stderr: &errb}, cfg: &config.Resolved{EnableEscapeCommandline: true}, fwd: &forwarder{}}
	e := &escapeReader{r: strings.NewReader(input), s: s, esc: '~', atLineStart: true,
		disconnect: func() { disconnected = true }}
	out, _ := io.ReadAll(e)
	return string(out), errb.String(), disconnected
}

func TestEscapeSequences(t *testing.T) {
	if sent, _, disc := escapeRun(t, "ls\r~."); !disc || sent != "ls\r" {
		t.Errorf("~. after newline: sent %q disconnected %v", sent, disc)
	}
	if sent, _, disc := escapeRun(t, "a~.b"); disc || sent != "a~.b" {
		t.Errorf("~ mid-line must pass through: %q %v", sent, disc)
	}
	if sent, _, _ := escapeRun(t, "~~x"); sent != "~x" {
		t.Errorf("~~: %q", sent)
	}
	if sent, _, _ := escapeRun(t, "\n~z"); sent != "\n~z" {
		t.Errorf("unknown escape passes both: %q", sent)
	}
	if _, msgs, _ := escapeRun(t, "~?"); !strings.Contains(msgs, "Supported escape sequences:") || !strings.Contains(msgs, "\r\n") {
		t.Errorf("~? help: %q", msgs)
	}
	if _, msgs, _ := escapeRun(t, "~#"); !strings.Contains(msgs, "The following connections are open:") {
		t.Errorf("~#: %q", msgs)
	}
	if _, msgs, _ := escapeRun(t, "~C-Z1\r"); !strings.Contains(msgs, "ssh> ") || !strings.Contains(msgs, "Invalid command.") {
		t.Errorf("~C: %q", msgs)
	}
}

// TestEscapeSuspend: ~^Z prints OpenSSH's "[suspend ssh]" line and
// suspends (restoring the terminal) without sending anything; without a
// terminal it is refused.
func TestEscapeSuspend(t *testing.T) {
	var errb bytes.Buffer
	s := &session{env: &Env{Stderr: &errb}, cfg: &config.Resolved{}, fwd: &forwarder{}}
	suspended := 0
	e := &escapeReader{r: strings.NewReader("ls\r~\x1adate\r"), s: s, esc: '~', atLineStart: true,
		disconnect: func() {}, suspend: func() { suspended++ }}
	out, _ := io.ReadAll(e)
	if suspended != 1 || string(out) != "ls\rdate\r" || errb.String() != "~^Z [suspend ssh]\r\n" {
		t.Errorf("~^Z: suspended %d, sent %q, printed %q", suspended, out, errb.String())
	}
	if _, msgs, _ := escapeRun(t, "~\x1a"); !strings.Contains(msgs, "not supported without a terminal") {
		t.Errorf("~^Z without a terminal: %q", msgs)
	}
	if _, msgs, _ := escapeRun(t, "~?"); !strings.Contains(msgs, " ~^Z  - suspend ssh\r\n") {
		t.Errorf("~? lacks ~^Z: %q", msgs)
	}
}
