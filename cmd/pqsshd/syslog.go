package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// syslogSocket is the local syslog socket pqsshd logs to without -e.
var syslogSocket = "/dev/log"

// syslogFacilities are SyslogFacility's values and their syslog(3) codes.
var syslogFacilities = map[string]int{
	"KERN": 0, "USER": 1, "MAIL": 2, "DAEMON": 3, "AUTH": 4, "SYSLOG": 5, "LPR": 6, "NEWS": 7,
	"UUCP": 8, "CRON": 9, "AUTHPRIV": 10, "FTP": 11,
	"LOCAL0": 16, "LOCAL1": 17, "LOCAL2": 18, "LOCAL3": 19, "LOCAL4": 20, "LOCAL5": 21, "LOCAL6": 22, "LOCAL7": 23,
}

// syslogSeverity maps a slog level to a syslog severity: FATAL (above
// ERROR) → LOG_CRIT, ERROR → LOG_ERR, WARN → LOG_WARNING, INFO and
// VERBOSE → LOG_INFO, DEBUG1–3 → LOG_DEBUG (sshd's mapping, with slog's
// WARN added).
func syslogSeverity(l slog.Level) int {
	switch {
	case l > slog.LevelError:
		return 2
	case l >= slog.LevelError:
		return 3
	case l >= slog.LevelWarn:
		return 4
	case l > slog.LevelDebug:
		return 6
	}
	return 7
}

// syslogSink sends one datagram per record to the syslog socket, in the
// local format of syslog(3): "<PRI>Mmm dd hh:mm:ss TAG[PID]: MESSAGE". The
// message is the record's message followed by its attributes as key=value
// pairs, so a line logged without attributes (OpenSSH's own formats,
// server.sshdLine) is exactly sshd's.
type syslogSink struct {
	mu       sync.Mutex
	conn     net.Conn
	facility int
	tag      string
	// msg and level are the record being written (set under mu by
	// syslogHandler.Handle, read by Write).
	msg   string
	level slog.Level
}

// Write receives the attributes of the current record from the text
// handler, one line, and sends the datagram (redialling once if syslogd
// was restarted).
func (s *syslogSink) Write(p []byte) (int, error) {
	text := s.msg
	if attrs := strings.TrimSpace(string(p)); attrs != "" {
		text += " " + attrs
	}
	pkt := fmt.Sprintf("<%d>%s %s[%d]: %s", s.facility*8+syslogSeverity(s.level), time.Now().Format(time.Stamp), s.tag, os.Getpid(), text)
	if _, err := s.conn.Write([]byte(pkt)); err != nil {
		c, derr := net.Dial("unixgram", syslogSocket)
		if derr != nil {
			return 0, fmt.Errorf("syslog: %w", err)
		}
		s.conn.Close()
		s.conn = c
		if _, err := c.Write([]byte(pkt)); err != nil {
			return 0, fmt.Errorf("syslog: %w", err)
		}
	}
	return len(p), nil
}

// syslogHandler is a slog.Handler writing to a syslogSink: a text handler
// renders the attributes (without time, level and message, which syslog
// carries itself) and the sink adds the message and priority.
type syslogHandler struct {
	sink  *syslogSink
	inner slog.Handler
}

// newSyslogHandler connects to the syslog socket with facility (a
// SyslogFacility name) and tag.
func newSyslogHandler(facility, tag string, opts *slog.HandlerOptions) (slog.Handler, error) {
	code, ok := syslogFacilities[strings.ToUpper(facility)]
	if !ok {
		return nil, fmt.Errorf("syslog: unknown facility %q", facility)
	}
	c, err := net.Dial("unixgram", syslogSocket)
	if err != nil {
		return nil, fmt.Errorf("syslog: %w", err)
	}
	sink := &syslogSink{conn: c, facility: code, tag: tag}
	o := *opts
	o.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey) {
			return slog.Attr{}
		}
		return a
	}
	return &syslogHandler{sink: sink, inner: slog.NewTextHandler(sink, &o)}, nil
}

func (h *syslogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *syslogHandler) Handle(ctx context.Context, r slog.Record) error {
	h.sink.mu.Lock()
	defer h.sink.mu.Unlock()
	h.sink.msg, h.sink.level = r.Message, r.Level
	return h.inner.Handle(ctx, r)
}

func (h *syslogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &syslogHandler{sink: h.sink, inner: h.inner.WithAttrs(as)}
}

func (h *syslogHandler) WithGroup(name string) slog.Handler {
	return &syslogHandler{sink: h.sink, inner: h.inner.WithGroup(name)}
}
