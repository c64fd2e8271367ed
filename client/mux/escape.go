package mux

import (
	"fmt"
	"io"
)

// escapeFilter handles the escape character on a client session with a
// PTY, as the master does for its clients: "~." at the start of a line
// ends the session, "~~" sends one "~", "~?" lists these; any other
// character after "~" is sent with it.
type escapeFilter struct {
	r          io.Reader
	esc        byte
	lineStart  bool
	pending    bool
	stderr     io.Writer
	disconnect func()
	buf        []byte
}

func (e *escapeFilter) Read(p []byte) (int, error) {
	if len(p) < 2 {
		return e.r.Read(p)
	}
	if cap(e.buf) < len(p)-1 {
		e.buf = make([]byte, len(p)-1)
	}
	n, err := e.r.Read(e.buf[:len(p)-1])
	out := p[:0]
	for _, c := range e.buf[:n] {
		if e.pending {
			e.pending = false
			switch c {
			case '.':
				fmt.Fprintf(e.stderr, "%c.\r\n", e.esc)
				e.disconnect()
				return len(out), io.EOF
			case e.esc:
				out = append(out, c)
				e.lineStart = false
				continue
			case '?':
				fmt.Fprintf(e.stderr, "%c?\r\nSupported escape sequences:\r\n %c.  - terminate session\r\n %c?  - this message\r\n %c%c  - send the escape character by typing it twice\r\n(Note that escapes are only recognized immediately after newline.)\r\n",
					e.esc, e.esc, e.esc, e.esc, e.esc)
				continue
			default:
				out = append(out, e.esc)
			}
		} else if e.lineStart && c == e.esc {
			e.pending = true
			continue
		}
		out = append(out, c)
		e.lineStart = c == '\r' || c == '\n'
	}
	return len(out), err
}
