package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/pqssh/pqssh/client/config"
)

// escapeReader filters the terminal input for ssh's escape sequences: the
// escape character (EscapeChar, '~' by default) right after a newline
// starts a command (ssh(1), ESCAPE CHARACTERS).
type escapeReader struct {
	r           io.Reader
	s           *session
	esc         byte
	atLineStart bool
	pending     bool
	disconnect  func()
	// suspend stops pqssh with the terminal restored and returns once it
	// is continued (~^Z); nil when stdin is not a terminal.
	suspend func()
	buf     [4096]byte
	out     []byte
	cmdMode bool
	cmdLine []byte
}

func (e *escapeReader) Read(p []byte) (int, error) {
	for len(e.out) == 0 {
		n, err := e.r.Read(e.buf[:])
		for _, c := range e.buf[:n] {
			e.handle(c)
		}
		if err != nil {
			if len(e.out) > 0 {
				break
			}
			return 0, err
		}
	}
	n := copy(p, e.out)
	e.out = e.out[n:]
	return n, nil
}

func (e *escapeReader) msg(format string, a ...any) {
	fmt.Fprint(e.s.env.Stderr, strings.ReplaceAll(fmt.Sprintf(format, a...), "\n", "\r\n"))
}

func (e *escapeReader) handle(c byte) {
	if e.cmdMode {
		e.cmdChar(c)
		return
	}
	if e.pending {
		e.pending = false
		switch c {
		case '.':
			e.msg("%c.\n", e.esc)
			e.disconnect()
			return
		case '?':
			e.help()
			return
		case '#':
			e.msg("%c#\nThe following connections are open:\n", e.esc)
			e.s.fwd.mu.Lock()
			for _, fw := range e.s.fwd.items {
				e.msg("  %s\n", fw)
			}
			e.s.fwd.mu.Unlock()
			return
		case 'C':
			if !e.s.cfg.EnableEscapeCommandline {
				e.msg("commandline disabled\n")
				return
			}
			e.commandLine()
			return
		case 0x1a: // ^Z
			if e.suspend == nil {
				e.msg("%c^Z is not supported without a terminal\n", e.esc)
				return
			}
			e.msg("%c^Z [suspend ssh]\n", e.esc)
			e.suspend()
			e.atLineStart = false
			return
		case 'V', 'v', 'R', 'B', '&':
			e.msg("%c%c is not supported by pqssh\n", e.esc, c)
			return
		case e.esc:
			e.out = append(e.out, c)
			e.atLineStart = false
			return
		default:
			e.out = append(e.out, e.esc)
		}
	}
	if e.atLineStart && c == e.esc {
		e.pending = true
		return
	}
	e.out = append(e.out, c)
	e.atLineStart = c == '\r' || c == '\n'
}

func (e *escapeReader) help() {
	x := string(e.esc)
	e.msg("%s?\nSupported escape sequences:\n"+
		" %s.   - terminate connection (and any multiplexed sessions)\n"+
		" %sC   - open a command line\n"+
		" %s#   - list forwarded connections\n"+
		" %s^Z  - suspend ssh\n"+
		" %s?   - this message\n"+
		" %s%s   - send the escape character by typing it twice\n"+
		"(Note that escapes are only recognized immediately after newline.)\n", x, x, x, x, x, x, x, x)
}

// commandLine starts reading a "~C" command line in the raw terminal;
// the following bytes go to cmdChar until Enter.
func (e *escapeReader) commandLine() {
	e.msg("\nssh> ")
	e.cmdMode = true
	e.cmdLine = e.cmdLine[:0]
}

// cmdChar handles one byte of a "~C" command line, echoing it.
func (e *escapeReader) cmdChar(c byte) {
	switch c {
	case '\r', '\n':
		e.msg("\n")
		e.cmdMode = false
		e.runCommand(strings.TrimSpace(string(e.cmdLine)))
		e.atLineStart = true
	case 0x7f, 0x08:
		if len(e.cmdLine) > 0 {
			e.cmdLine = e.cmdLine[:len(e.cmdLine)-1]
			e.msg("\b \b")
		}
	case 0x03, 0x1b:
		e.msg("\n")
		e.cmdMode = false
		e.atLineStart = true
	default:
		if len(e.cmdLine) < 512 {
			e.cmdLine = append(e.cmdLine, c)
			e.msg("%c", c)
		}
	}
}

// runCommand runs an escape command line: -L, -R, -D to add forwardings
// and -KL, -KR, -KD to cancel them.
func (e *escapeReader) runCommand(cmd string) {
	if cmd == "" {
		return
	}
	if cmd == "?" || cmd == "h" || cmd == "help" {
		e.msg("Commands:\n" +
			"      -L[bind_address:]port:host:hostport    Request local forward\n" +
			"      -R[bind_address:]port:host:hostport    Request remote forward\n" +
			"      -D[bind_address:]port                  Request dynamic forward\n" +
			"      -KL[bind_address:]port                 Cancel local forward\n" +
			"      -KR[bind_address:]port                 Cancel remote forward\n" +
			"      -KD[bind_address:]port                 Cancel dynamic forward\n")
		return
	}
	if len(cmd) < 2 || cmd[0] != '-' {
		e.msg("Invalid command.\n")
		return
	}
	if cmd[1] == 'K' && len(cmd) > 2 {
		kind := cmd[2]
		spec := strings.TrimSpace(cmd[3:])
		path := ""
		if strings.Contains(spec, "/") {
			path = spec
		} else if i := strings.LastIndex(spec, ":"); i >= 0 {
			spec = spec[i+1:]
		}
		port := 0
		fmt.Sscanf(spec, "%d", &port)
		if e.s.cancelForward(kind, port, path) {
			e.msg("Canceled forwarding.\n")
		} else {
			e.msg("Unknown port forwarding.\n")
		}
		return
	}
	kind := cmd[1]
	if kind != 'L' && kind != 'R' && kind != 'D' {
		e.msg("Invalid command.\n")
		return
	}
	f, err := config.ParseForward(kind, strings.TrimSpace(cmd[2:]))
	if err != nil {
		e.msg("%v\n", err)
		return
	}
	if err := e.s.addForward(kind, f); err != nil {
		e.msg("Port forwarding failed: %v\n", err)
		return
	}
	e.msg("Forwarding port.\n")
}
