package server

import (
	"net"
	"syscall"
)

// quickAckConn acknowledges what the client sends at once, until the
// connection is authenticated (on Linux: TCP_QUICKACK after every read;
// elsewhere it does nothing).
//
// Why: OpenSSH's ssh leaves Nagle's algorithm on until the session starts,
// and during key exchange and user authentication it writes two messages
// back to back with no answer from the server in between (KEXINIT then,
// once the server's KEXINIT is in, the key exchange init; NEWKEYS then
// SERVICE_REQUEST). Nagle holds the second until the first is
// acknowledged, and Linux delays that acknowledgement (about 40 ms) when
// the server has nothing to send: ssh 10.6 → pqsshd lost two such delays
// per login (docs/benchmarks.md). sshd is slow enough between messages not
// to show it. Acknowledging at once costs one system call per read and
// some more ACK segments before authentication, where the messages are few.
type quickAckConn struct {
	net.Conn
	raw    syscall.RawConn
	authed <-chan struct{}
}

// withQuickAck wraps a TCP connection c; other connections are returned
// as they are.
func withQuickAck(c net.Conn, authed <-chan struct{}) net.Conn {
	tc, ok := c.(*net.TCPConn)
	if !ok || !quickAckSupported {
		return c
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return c
	}
	return &quickAckConn{Conn: c, raw: raw, authed: authed}
}

// Read implements net.Conn.
func (q *quickAckConn) Read(p []byte) (int, error) {
	n, err := q.Conn.Read(p)
	if n > 0 {
		select {
		case <-q.authed:
		default:
			q.raw.Control(setQuickAck)
		}
	}
	return n, err
}
