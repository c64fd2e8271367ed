package server

import (
	"io"
	"net"
	"testing"
)

// countingRaw is a syscall.RawConn that counts Control calls.
type countingRaw struct{ controls int }

func (r *countingRaw) Control(f func(uintptr)) error  { r.controls++; return nil }
func (r *countingRaw) Read(func(uintptr) bool) error  { return nil }
func (r *countingRaw) Write(func(uintptr) bool) error { return nil }
func (r *countingRaw) String() string                 { return "countingRaw" }

// TestQuickAck: pqsshd's TCP connections are wrapped so that every read
// with data before authentication sets TCP_QUICKACK, and no read after it
// does; other connections are left alone.
func TestQuickAck(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	authed := make(chan struct{})
	wrapped := withQuickAck(server, authed)
	q, ok := wrapped.(*quickAckConn)
	if !ok {
		t.Fatalf("a TCP connection was not wrapped: %T", wrapped)
	}
	// The real socket option on the real socket works.
	if err := q.raw.Control(setQuickAck); err != nil {
		t.Fatal(err)
	}
	raw := &countingRaw{}
	q.raw = raw

	buf := make([]byte, 16)
	read := func() {
		t.Helper()
		if _, err := client.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(q, buf[:1]); err != nil {
			t.Fatal(err)
		}
	}
	read()
	read()
	if raw.controls != 2 {
		t.Errorf("before authentication: TCP_QUICKACK set %d times for 2 reads, want 2", raw.controls)
	}
	close(authed)
	read()
	if raw.controls != 2 {
		t.Errorf("after authentication: TCP_QUICKACK set again (%d)", raw.controls)
	}

	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	if c := withQuickAck(p1, authed); c != p1 {
		t.Errorf("a pipe was wrapped: %T", c)
	}
}
