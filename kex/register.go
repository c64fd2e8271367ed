package kex

import (
	"fmt"
	"slices"

	"golang.org/x/crypto/ssh"
)

// byName maps every method name (aliases included) to its Hybrid.
var byName = map[string]*Hybrid{}

func init() {
	for i := range methods {
		e := &methods[i]
		for _, name := range e.names {
			h := e.h
			h.Name = name
			byName[name] = &h
			if err := ssh.RegisterKeyExchange(name, &h); err != nil {
				panic(fmt.Sprintf("kex: registering %s: %v", name, err))
			}
		}
	}
}

// Lookup returns the hybrid method registered under name.
func Lookup(name string) (*Hybrid, bool) {
	h, ok := byName[name]
	return h, ok
}

// Names returns the names of the methods in the table (post-quantum or
// not), sorted.
func Names() []string {
	var names []string
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// classical are the non-post-quantum methods pqssh still offers, after the
// post-quantum ones, in OpenSSH 10.0's order. curve448-sha512 and
// diffie-hellman-group18-sha512 are implemented but not offered unless
// configured (docs/kex.md): neither is in OpenSSH's default list, and
// every peer that speaks them speaks one of these too.
var classical = []string{
	"curve25519-sha256",
	"curve25519-sha256@libssh.org",
	"ecdh-sha2-nistp256",
	"ecdh-sha2-nistp384",
	"ecdh-sha2-nistp521",
	"diffie-hellman-group-exchange-sha256",
	"diffie-hellman-group16-sha512",
	"diffie-hellman-group14-sha256",
}

// preference is the default order of pqssh's own methods (docs/kex.md
// explains it). The multi-hybrid comes first: it stays post-quantum if
// either Classic McEliece or sntrup761 survives, and classical if both
// fall. ML-KEM and sntrup761 follow in OpenSSH 10's order, which is what
// the servers people run speak; then ML-KEM with the NIST curves, for
// peers configured to speak only those (CNSA 2.0 or FIPS profiles: libssh,
// PuTTY, OpenSSH 10.5+ with a restricted KexAlgorithms). McEliece with X25519 alone comes last
// among the hybrids because of the unconfirmed 2026 cryptanalysis claim
// against Classic McEliece (SECURITY.md); it remains offered for peers
// that ask for it, such as OpenSSH with pull request #455.
var preference = []string{
	MCELIECE6688128SNTRUP761X25519SHA512,
	MLKEM768X25519SHA256,
	SNTRUP761X25519SHA512,
	SNTRUP761X25519SHA512OpenSSH,
	MLKEM1024NISTP384SHA384,
	MLKEM768NISTP256SHA256,
	MCELIECE6688128X25519SHA512,
	MCELIECE6688128X25519SHA512OpenSSH,
}

// McTinyName is the key exchange that follows a McTiny pre-handshake
// (mctiny/sshkex registers it per connection); listed here so that
// IsPostQuantum knows it without importing that package.
const McTinyName = "mctiny6688128x25519-sha512"

// DefaultKeyExchanges is the default KexAlgorithms of pqssh and pqsshd:
// post-quantum methods first (see docs/kex.md for the order and why), then
// the classical ones for peers without post-quantum support.
func DefaultKeyExchanges() []string {
	supported := ssh.SupportedAlgorithms().KeyExchanges
	if slices.Contains(supported, "curve25519-sha256") {
		// x/crypto implements the libssh.org alias without listing it.
		supported = append(supported, "curve25519-sha256@libssh.org")
	}
	var out []string
	for _, n := range append(slices.Clone(preference), classical...) {
		if slices.Contains(supported, n) {
			out = append(out, n)
		}
	}
	return out
}

// IsPostQuantum reports whether a method name is a post-quantum (hybrid)
// key exchange, including post-quantum methods pqssh does not implement.
func IsPostQuantum(name string) bool {
	if h, ok := byName[name]; ok {
		return h.PostQuantum()
	}
	switch name {
	case "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com",
		"mlkem768x25519-sha256", "mlkem768nistp256-sha256", "mlkem1024nistp384-sha384",
		"mceliece6688128x25519-sha512", "mceliece6688128x25519-sha512@openssh.com",
		McTinyName:
		return true
	}
	return false
}
