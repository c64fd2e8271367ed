package server

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkLogin measures a full connection: key exchange (default,
// mlkem768x25519-sha256), public-key authentication and close.
func BenchmarkLogin(b *testing.B) {
	e := startServer(b, "", "")
	for b.Loop() {
		c, err := e.dial(e.user, e.key)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkExec measures one exec session ("true") on an open connection.
func BenchmarkExec(b *testing.B) {
	e := startServer(b, "", "")
	c, err := e.dial(e.user, e.key)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for b.Loop() {
		s, err := c.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Run("true"); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkThroughput sends 16 MiB through "cat" and back.
func BenchmarkThroughput(b *testing.B) {
	e := startServer(b, "", "")
	c, err := e.dial(e.user, e.key)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	data := make([]byte, 16<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		s, _ := c.NewSession()
		s.Stdin = bytes.NewReader(data)
		s.Stdout = io.Discard
		if err := s.Run("cat"); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
