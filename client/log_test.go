package client

import (
	"bytes"
	"strings"
	"testing"
)

func TestLoggerEscapesServerText(t *testing.T) {
	t.Setenv("LC_ALL", "C")
	var b bytes.Buffer
	log := NewLogger(&b, Debug1)
	// An exit signal name, a channel failure reason: strings the server
	// chose, logged through format arguments.
	log.Debug(1, "remote command killed by signal %s", "TERM\x1b]52;c;ZXZpbA==\a")
	log.Error("channel 0: open failed: %s", "no\r\x1b[2Kway\u00e9")
	log.SetRaw(true)
	log.Info("line\nnext\x07")
	want := `debug1: remote command killed by signal TERM\033]52;c;ZXZpbA==\007` + "\n" +
		`channel 0: open failed: no\015\033[2Kway\303\251` + "\n" +
		"line\r\nnext\\007\r\n"
	if b.String() != want {
		t.Fatalf("got  %q\nwant %q", b.String(), want)
	}
}

// recordPrompt records what it is asked and answers "x".
type recordPrompt struct{ asked []string }

func (p *recordPrompt) Prompt(prompt string, echo bool) (string, error) {
	p.asked = append(p.asked, prompt)
	return "x", nil
}

func TestKeyboardInteractiveEscaped(t *testing.T) {
	t.Setenv("LC_ALL", "en_US.UTF-8")
	var b bytes.Buffer
	p := &recordPrompt{}
	d := &Dialer{Log: NewLogger(&b, Info), Prompt: p}
	ans, err := d.keyboardInteractive("Name\x1b[2J", "Instruction\a\u202e", []string{"Pass\x1b]52;c;ZXZpbA==\x07word: "}, []bool{false})
	if err != nil || len(ans) != 1 {
		t.Fatal(ans, err)
	}
	if want := []string{`Pass\033]52;c;ZXZpbA==\007word: `}; strings.Join(p.asked, "|") != want[0] {
		t.Errorf("prompt %q, want %q", p.asked, want)
	}
	if want := `Name\033[2J` + "\n" + `Instruction\007\342\200\256` + "\n"; b.String() != want {
		t.Errorf("output %q, want %q", b.String(), want)
	}
}
