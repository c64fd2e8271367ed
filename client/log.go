package client

import (
	"fmt"
	"io"
	"strings"
	"sync"
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
// is in raw mode, as ssh does.
type Logger struct {
	mu    sync.Mutex
	w     io.Writer
	level Level
	raw   bool
}

// NewLogger returns a Logger writing messages at or below level to w.
func NewLogger(w io.Writer, level Level) *Logger {
	return &Logger{w: w, level: level}
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
	msg := fmt.Sprintf(format, args...)
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
