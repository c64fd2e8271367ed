package mctiny

import (
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"time"
)

// memConn is one end of an in-memory datagram link that loses a given
// fraction of the datagrams written to it.
type memConn struct {
	name string
	peer *memConn
	in   chan []byte
	loss float64

	mu       sync.Mutex
	rng      *rand.Rand
	deadline time.Time
	wake     chan struct{} // closed and replaced when the deadline changes
	closed   chan struct{}
	once     sync.Once
}

type memAddr string

func (a memAddr) Network() string { return "mem" }
func (a memAddr) String() string  { return string(a) }

// memPipe returns two connected ends, each losing loss of what it sends.
func memPipe(loss float64, seed uint64) (*memConn, *memConn) {
	mk := func(name string, s uint64) *memConn {
		return &memConn{name: name, in: make(chan []byte, 4096), loss: loss,
			rng: rand.New(rand.NewPCG(seed, s)), wake: make(chan struct{}), closed: make(chan struct{})}
	}
	a, b := mk("client", 1), mk("server", 2)
	a.peer, b.peer = b, a
	return a, b
}

func (c *memConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		c.mu.Lock()
		d, wake := c.deadline, c.wake
		c.mu.Unlock()
		var timeout <-chan time.Time
		var t *time.Timer
		if !d.IsZero() {
			if !time.Now().Before(d) {
				return 0, nil, os.ErrDeadlineExceeded
			}
			t = time.NewTimer(time.Until(d))
			timeout = t.C
		}
		stop := func() {
			if t != nil {
				t.Stop()
			}
		}
		select {
		case p := <-c.in:
			stop()
			return copy(b, p), memAddr(c.peer.name), nil
		case <-timeout:
			return 0, nil, os.ErrDeadlineExceeded
		case <-wake:
			stop()
		case <-c.closed:
			stop()
			return 0, nil, net.ErrClosed
		}
	}
}

func (c *memConn) WriteTo(b []byte, _ net.Addr) (int, error) {
	c.mu.Lock()
	drop := c.rng.Float64() < c.loss
	c.mu.Unlock()
	if drop {
		return len(b), nil
	}
	p := append([]byte(nil), b...)
	select {
	case c.peer.in <- p:
	default: // queue full: lost, like a full socket buffer
	}
	return len(b), nil
}

func (c *memConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}
func (c *memConn) LocalAddr() net.Addr { return memAddr(c.name) }
func (c *memConn) SetDeadline(t time.Time) error {
	return c.SetReadDeadline(t)
}
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadline = t
	close(c.wake)
	c.wake = make(chan struct{})
	c.mu.Unlock()
	return nil
}
