package kex

import (
	"crypto/rand"
	"io"
	"sync"

	"golang.org/x/crypto/ssh"
)

// Prestarted returns a method that behaves like h but whose client key
// generation has already begun, in the background, when Prestarted
// returns. A client calls it before connecting, so that the Classic
// McEliece key pair (≈ 50 ms to generate) is made while TCP, the version
// exchange and the KEXINITs travel, not after them.
//
// Only the first NewClient uses the key pair made in advance, drawn from
// crypto/rand (the rand passed to NewClient is ignored for it); later calls
// (rekeys) generate fresh keys from their rand as h does. Keys made in
// advance are never used twice.
//
// Release erases the key pair if the connection ends without using it.
func (h *Hybrid) Prestarted() *PrestartedMethod {
	p := &PrestartedMethod{Hybrid: h, ready: make(chan struct{})}
	go func() {
		defer close(p.ready)
		c, err := h.newClient(rand.Reader)
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.used {
			// Released before it was ready.
			if c != nil {
				c.erase()
			}
			return
		}
		p.client, p.err = c, err
	}()
	return p
}

// PrestartedMethod is a Hybrid whose first client key pair is made in
// advance; see Hybrid.Prestarted.
type PrestartedMethod struct {
	*Hybrid
	ready chan struct{}

	mu     sync.Mutex
	used   bool
	client *hybridClient
	err    error
}

// NewClient returns the key pair made in advance on its first call and a
// fresh one afterwards.
func (p *PrestartedMethod) NewClient(r io.Reader) (ssh.KeyExchangeClient, error) {
	<-p.ready
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.used {
		return p.Hybrid.NewClient(r)
	}
	p.used = true
	c, err := p.client, p.err
	p.client = nil
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Release erases the key pair made in advance if it was not used. It does
// not wait: a generation still running is erased when it ends.
func (p *PrestartedMethod) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.used = true
	if p.client != nil {
		p.client.erase()
		p.client = nil
	}
}
