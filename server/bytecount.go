package server

import (
	"io"
	"sync/atomic"

	gossh "golang.org/x/crypto/ssh"
)

// byteCounts counts the bytes a connection or a session channel moved, for
// the "session ended" and "connection closed" log lines (OpenSSH logs a
// "Transferred: sent N, received M bytes" line at the same points).
type byteCounts struct {
	in, out atomic.Int64 // from the client, to the client
}

// countedChannel is a session channel whose data (standard output and
// standard error to the client, standard input from it) is counted.
type countedChannel struct {
	gossh.Channel
	n *byteCounts
}

func (c countedChannel) Read(p []byte) (int, error) {
	n, err := c.Channel.Read(p)
	c.n.in.Add(int64(n))
	return n, err
}

func (c countedChannel) Write(p []byte) (int, error) {
	n, err := c.Channel.Write(p)
	c.n.out.Add(int64(n))
	return n, err
}

// Stderr counts the extended-data stream as output.
func (c countedChannel) Stderr() io.ReadWriter {
	return countedRW{c.Channel.Stderr(), c.n}
}

type countedRW struct {
	io.ReadWriter
	n *byteCounts
}

func (c countedRW) Read(p []byte) (int, error) {
	n, err := c.ReadWriter.Read(p)
	c.n.in.Add(int64(n))
	return n, err
}

func (c countedRW) Write(p []byte) (int, error) {
	n, err := c.ReadWriter.Write(p)
	c.n.out.Add(int64(n))
	return n, err
}

// Read and Write count a connection's bytes on the wire (after
// encryption), for its "connection closed" line.
func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.st.bytes.in.Add(int64(n))
	return n, err
}

func (c *trackedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.st.bytes.out.Add(int64(n))
	return n, err
}
