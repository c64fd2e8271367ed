package client

import (
	"maps"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/kex"
)

// prestartKex begins the client's key generation for the first method of
// KexAlgorithms, if it is one of pqssh's hybrids, so that a Classic
// McEliece key pair (≈ 50 ms) is made while the connection is set up
// (kex.Hybrid.Prestarted). The first method is the one a pqsshd picks;
// if the server picks another, the key pair is erased unused. It returns
// the per-connection methods to use and a function that erases the key
// pair if the handshake did not use it.
func (d *Dialer) prestartKex() (map[string]ssh.KeyExchangeMethod, func()) {
	algs := d.Config.KexAlgorithms
	if len(algs) == 0 {
		return d.KeyExchangeMethods, func() {}
	}
	name := algs[0]
	if _, ok := d.KeyExchangeMethods[name]; ok {
		return d.KeyExchangeMethods, func() {}
	}
	h, ok := kex.Lookup(name)
	if !ok {
		return d.KeyExchangeMethods, func() {}
	}
	p := h.Prestarted()
	m := maps.Clone(d.KeyExchangeMethods)
	if m == nil {
		m = map[string]ssh.KeyExchangeMethod{}
	}
	m[name] = p
	return m, p.Release
}
