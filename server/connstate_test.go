package server

import (
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	glssh "github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// noStateCtx is a gliderlabs context that carries a connection but no
// connection state: only Value is answered.
type noStateCtx struct {
	glssh.Context
	vals map[any]any
}

func (c *noStateCtx) Value(k any) any { return c.vals[k] }

// closeCountConn records Close.
type closeCountConn struct {
	gossh.Conn
	closed atomic.Int32
}

func (c *closeCountConn) Close() error { c.closed.Add(1); return nil }

// rejectRecorder records Reject and fails the test on Accept.
type rejectRecorder struct {
	gossh.NewChannel
	rejected bool
}

func (n *rejectRecorder) Reject(gossh.RejectionReason, string) error { n.rejected = true; return nil }

// A handler reached without connection state does not run (and does not
// panic): the channel is rejected, the connection closed and the reason
// logged.
func TestHandlerWithoutStateClosesConnection(t *testing.T) {
	e := startServer(t, "", "")
	gl := e.srv.gl
	for name, h := range gl.RequestHandlers {
		if name != "tcpip-forward" && name != "cancel-tcpip-forward" && name != "streamlocal-forward@openssh.com" &&
			name != "cancel-streamlocal-forward@openssh.com" && name != noMoreSessionsRequest {
			continue
		}
		c := &closeCountConn{}
		ctx := &noStateCtx{vals: map[any]any{glssh.ContextKeyConn: c}}
		ok, _ := h(ctx, gl, &gossh.Request{Type: name, Payload: gossh.Marshal(struct {
			Addr string
			Port uint32
		}{"127.0.0.1", 0})})
		if ok {
			t.Errorf("%s: request accepted without connection state", name)
		}
		if c.closed.Load() != 1 {
			t.Errorf("%s: connection closed %d times, want 1", name, c.closed.Load())
		}
	}
	for name, h := range gl.ChannelHandlers {
		c := &closeCountConn{}
		ctx := &noStateCtx{vals: map[any]any{glssh.ContextKeyConn: c}}
		nc := &rejectRecorder{}
		h(gl, nil, nc, ctx)
		if !nc.rejected || c.closed.Load() != 1 {
			t.Errorf("%s channel: rejected %v, connection closed %d times; want rejected and closed once", name, nc.rejected, c.closed.Load())
		}
	}
	ctx := &noStateCtx{vals: map[any]any{}}
	if gl.PublicKeyHandler(ctx, e.key.PublicKey()) {
		t.Error("public key accepted without connection state")
	}
	if sc := gl.ServerConfigCallback(ctx); sc.VerifiedPublicKeyCallback != nil || sc.PasswordCallback != nil {
		t.Error("server config without connection state offers authentication")
	}
	e.logs.waitLog(t, `msg="connection state missing; closing connection" handler=tcpip-forward`)
	e.logs.waitLog(t, `handler=session`)
	e.logs.waitLog(t, `handler=publickey`)
}

// A connection that reaches gliderlabs without state (not through
// handleConn) is closed before the SSH handshake starts.
func TestConnectionWithoutStateRefused(t *testing.T) {
	e := startServer(t, "", "")
	server, client := net.Pipe()
	defer client.Close()
	done := make(chan struct{})
	go func() { e.srv.gl.HandleConn(server); close(done) }()
	b, err := io.ReadAll(client)
	<-done
	if err != nil || len(b) != 0 {
		t.Fatalf("read %q, %v: want EOF before any version line", b, err)
	}
	e.logs.waitLog(t, "connection without state refused")
	if strings.Contains(e.logs.String(), "panic") {
		t.Fatalf("panic logged:\n%s", e.logs.String())
	}
}

// Connection IDs are counted per server, from 1.
func TestConnIDsPerServer(t *testing.T) {
	e1, e2 := startServer(t, "", ""), startServer(t, "", "")
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	a, _ := e1.srv.newConnState(c1)
	b, _ := e1.srv.newConnState(c2)
	c, _ := e2.srv.newConnState(c1)
	if a.id != 1 || b.id != 2 || c.id != 1 {
		t.Fatalf("connection IDs %d, %d and %d on another server: want 1, 2 and 1", a.id, b.id, c.id)
	}
}
