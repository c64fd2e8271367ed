package client

import (
	"context"
	"io"
	"testing"

	"github.com/pqssh/pqssh/client/internal/sshtest"
)

// BenchmarkHandshake measures a full connection (TCP, key exchange, host
// key check, public-key authentication) over loopback, per key exchange.
func BenchmarkHandshake(b *testing.B) {
	for _, kex := range []string{"mlkem768x25519-sha256", "curve25519-sha256"} {
		b.Run(kex, func(b *testing.B) {
			signer, ag := userKey()
			srv := sshtest.New(b, signer.PublicKey()).Start(b)
			cfg := testConfigB(b, srv.Port(), "KexAlgorithms "+kex)
			for b.Loop() {
				c, err := (&Dialer{Config: cfg, Agent: ag}).Dial(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				c.Close()
			}
		})
	}
}

// BenchmarkThroughput pushes 10 MB through "cat" and back.
func BenchmarkThroughput(b *testing.B) {
	signer, ag := userKey()
	srv := sshtest.New(b, signer.PublicKey()).Start(b)
	cfg := testConfigB(b, srv.Port())
	c, err := (&Dialer{Config: cfg, Agent: ag}).Dial(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	const size = 10 << 20
	buf := make([]byte, size)
	b.SetBytes(2 * size)
	for b.Loop() {
		sess, err := c.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		in, _ := sess.StdinPipe()
		out, _ := sess.StdoutPipe()
		if err := sess.Start("cat"); err != nil {
			b.Fatal(err)
		}
		go func() { in.Write(buf); in.Close() }()
		n, _ := io.Copy(io.Discard, out)
		sess.Wait()
		if n != size {
			b.Fatalf("got %d bytes", n)
		}
	}
}
