package mctiny

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"
)

// recordHandler keeps every slog record.
type recordHandler struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.recs = append(h.recs, r.Clone())
	h.mu.Unlock()
	return nil
}
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordHandler) WithGroup(string) slog.Handler      { return h }

// TestDropLogIsRateLimited: thousands of invalid packets give one summary
// line per interval, carrying the count, and no reply.
func TestDropLogIsRateLimited(t *testing.T) {
	h := &recordHandler{}
	s := newServerWithoutKEM(t, t.TempDir())
	s.log = slog.New(h)
	s.logInt = 100 * time.Millisecond
	s.nwork = 2
	sc := listenUDP(t)
	serve(t, s, sc)
	fc := listenUDP(t)
	const n = 3000
	junk := make([]byte, Q1Size)
	for i := range n {
		fc.WriteTo(junk, sc.LocalAddr())
		if i%100 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	time.Sleep(350 * time.Millisecond)
	// No reply reached the sender.
	fc.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	if _, _, err := fc.ReadFrom(make([]byte, 2048)); err == nil {
		t.Error("an invalid packet was answered")
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.recs) == 0 || len(h.recs) > 6 {
		t.Fatalf("%d log records for %d invalid packets, want one per 100 ms interval", len(h.recs), n)
	}
	var total uint64
	for _, r := range h.recs {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "dropped" {
				total += a.Value.Uint64()
			}
			return true
		})
	}
	if total < n/2 {
		t.Errorf("log lines account for %d dropped packets, sent %d", total, n)
	}
}
