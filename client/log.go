package client

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/pqssh/pqssh/client/internal/termtext"
)

// Level is an OpenSSH LogLevel.
type Level int

// The OpenSSH log levels, from QUIET to DEBUG3.
const (
	Quiet Level = iota
	Fatal
	Error
	Info
	Verbose
	Debug1
	Debug2
	Debug3
)

// ParseLevel maps an ssh_config LogLevel value to a Level.
func ParseLevel(s string) Level {
	switch strings.ToLower(s) {
	case "quiet":
		return Quiet
	case "fatal":
		return Fatal
	case "error":
		return Error
	case "verbose":
		return Verbose
	case "debug", "debug1":
		return Debug1
	case "debug2":
		return Debug2
	case "debug3":
		return Debug3
	}
	return Info
}

// Logger writes OpenSSH-style diagnostics ("debug1: ...") to a writer,
// normally stderr. It switches to "\r\n" line endings while the terminal
// is in raw mode, as ssh does. Every message is passed through Sanitize,
// as OpenSSH's log.c passes each line through strnvis, because messages
// carry strings the server chose (its version, disconnect and channel
// failure reasons, exit signals).
type Logger struct {
	mu    sync.Mutex
	w     io.Writer
	level Level
	raw   bool
	utf8  bool
}

// NewLogger returns a Logger writing messages at or below level to w. The
// process's locale (LC_ALL, LC_CTYPE, LANG) decides whether printable
// UTF-8 is shown as it is or escaped.
func NewLogger(w io.Writer, level Level) *Logger {
	return &Logger{w: w, level: level, utf8: termtext.UTF8Locale(os.Getenv)}
}

// Sanitize returns s, a string the server controls, made safe to print on
// a terminal: control characters and other non-printable bytes become
// OpenSSH's octal escapes (ESC is "\033"); see package termtext.
func (l *Logger) Sanitize(s string) string {
	return termtext.Sanitize(s, l != nil && l.utf8)
}

// Level returns the logger's level.
func (l *Logger) Level() Level {
	if l == nil {
		return Quiet
	}
	return l.level
}

// SetRaw selects "\r\n" line endings (for a terminal in raw mode).
func (l *Logger) SetRaw(raw bool) {
	l.mu.Lock()
	l.raw = raw
	l.mu.Unlock()
}

// Writer returns the underlying writer.
func (l *Logger) Writer() io.Writer { return l.w }

func (l *Logger) out(prefix, format string, args ...any) {
	msg := l.Sanitize(fmt.Sprintf(format, args...))
	l.mu.Lock()
	defer l.mu.Unlock()
	eol := "\n"
	if l.raw {
		eol = "\r\n"
		msg = strings.ReplaceAll(msg, "\n", "\r\n")
	}
	fmt.Fprint(l.w, prefix+msg+eol)
}

// Debug logs at DEBUGn with OpenSSH's "debugN: " prefix.
func (l *Logger) Debug(n int, format string, args ...any) {
	if l != nil && l.level >= Debug1+Level(n-1) {
		l.out(fmt.Sprintf("debug%d: ", n), format, args...)
	}
}

// Verbose logs at VERBOSE (and above) without a prefix, like ssh's
// verbose(); at DEBUG levels OpenSSH shows such lines with "debug1: ".
func (l *Logger) Verbose(format string, args ...any) {
	if l == nil || l.level < Verbose {
		return
	}
	if l.level >= Debug1 {
		l.out("debug1: ", format, args...)
		return
	}
	l.out("", format, args...)
}

// Info logs at INFO (the default level): shown unless -q.
func (l *Logger) Info(format string, args ...any) {
	if l != nil && l.level >= Info {
		l.out("", format, args...)
	}
}

// Error logs at ERROR: shown unless -q.
func (l *Logger) Error(format string, args ...any) {
	if l != nil && l.level >= Error {
		l.out("", format, args...)
	}
}
