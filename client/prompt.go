package client

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/term"
)

// Prompter asks the user a question: host key confirmation, passphrases,
// passwords and keyboard-interactive challenges.
type Prompter interface {
	// Prompt shows prompt and returns the answer without its newline.
	// echo says whether the answer may be shown as it is typed.
	Prompt(prompt string, echo bool) (string, error)
}

// ErrNoPrompt is returned when there is no way to ask the user.
var ErrNoPrompt = errors.New("no terminal to prompt on")

// TTYPrompter prompts on /dev/tty, or runs $SSH_ASKPASS when
// SSH_ASKPASS_REQUIRE is "force" or "prefer", or when there is no terminal
// and $DISPLAY is set (ssh(1), ENVIRONMENT).
type TTYPrompter struct{}

// Prompt implements Prompter.
func (TTYPrompter) Prompt(prompt string, echo bool) (string, error) {
	askpass := os.Getenv("SSH_ASKPASS")
	req := os.Getenv("SSH_ASKPASS_REQUIRE")
	if askpass != "" && (req == "force" || req == "prefer") {
		return runAskpass(askpass, prompt, echo)
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		if askpass != "" && req != "never" && os.Getenv("DISPLAY") != "" {
			return runAskpass(askpass, prompt, echo)
		}
		return "", ErrNoPrompt
	}
	defer tty.Close()
	if _, err := fmt.Fprint(tty, prompt); err != nil {
		return "", err
	}
	if !echo && term.IsTerminal(int(tty.Fd())) {
		b, err := term.ReadPassword(int(tty.Fd()))
		fmt.Fprint(tty, "\n")
		return string(b), err
	}
	line, err := bufio.NewReader(tty).ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func runAskpass(prog, prompt string, echo bool) (string, error) {
	cmd := exec.Command(prog, prompt)
	if echo {
		cmd.Env = append(os.Environ(), "SSH_ASKPASS_PROMPT=confirm")
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("ssh_askpass: %w", err)
	}
	return strings.TrimRight(string(out), "\r\n"), nil
}
