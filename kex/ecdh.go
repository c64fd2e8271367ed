package kex

import (
	"crypto/ecdh"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"

	"github.com/cloudflare/circl/dh/x448"
)

// ECDH is the classical (elliptic-curve Diffie-Hellman) part of a method:
// its public keys travel last in C_INIT and S_REPLY, and its raw shared
// secret is K_CL of draft-ietf-sshm-mlkem-hybrid-kex-10 section 2.4 (or,
// in a method without a KEM, the integer K of RFC 5656 section 4 and RFC
// 8731 section 3.1).
type ECDH interface {
	// Name names the function in error messages ("X25519", "P-256", ...).
	Name() string
	// PublicKeySize is the exact length of a public key on the wire.
	PublicKeySize() int
	// SharedSize is the length of the raw shared secret.
	SharedSize() int
	// GenerateKey draws a private key from rand. Only the bytes it reads
	// determine the key, so a recorded exchange can be replayed.
	GenerateKey(rand io.Reader) (ECDHPrivateKey, error)
}

// ECDHPrivateKey is one side's ephemeral key pair.
type ECDHPrivateKey interface {
	// PublicKey returns the public key in its wire encoding.
	PublicKey() []byte
	// SharedSecret validates the peer's public key and returns the raw
	// shared secret. It never returns an all-zero secret.
	SharedSecret(peer []byte) ([]byte, error)
	// Erase drops or overwrites the private key.
	Erase()
}

// The classical parts pqssh's methods use.
var (
	// X25519 is RFC 7748 X25519 with RFC 8731 section 3's encoding: 32-byte
	// public keys, the 32-byte u-coordinate as the shared secret, the
	// all-zero result of a low-order point rejected.
	X25519 ECDH = montgomery{name: "X25519", size: 32}
	// X448 is RFC 7748 X448 with RFC 8731 section 3's encoding (56 bytes).
	X448 ECDH = montgomery{name: "X448", size: x448.Size}
	// P256 and P384 are ECDH on NIST P-256 and P-384 (SP 800-186) with
	// RFC 5656 section 4's encoding: a public key is an uncompressed SEC 1
	// point (0x04 || X || Y), the shared secret is the fixed-length
	// big-endian X-coordinate of the shared point
	// (draft-ietf-sshm-mlkem-hybrid-kex-10 section 2.4).
	P256 ECDH = nist{name: "P-256", curve: ecdh.P256(), size: 32}
	P384 ECDH = nist{name: "P-384", curve: ecdh.P384(), size: 48}
)

// montgomery is X25519 or X448.
type montgomery struct {
	name string
	size int
}

func (m montgomery) Name() string       { return m.name }
func (m montgomery) PublicKeySize() int { return m.size }
func (m montgomery) SharedSize() int    { return m.size }

func (m montgomery) GenerateKey(rand io.Reader) (ECDHPrivateKey, error) {
	b := make([]byte, m.size)
	if _, err := io.ReadFull(rand, b); err != nil {
		return nil, fmt.Errorf("reading %s randomness: %w", m.name, err)
	}
	defer clear(b)
	if m.size == x448.Size {
		k := &x448Key{}
		copy(k.priv[:], b)
		x448.KeyGen(&k.pub, &k.priv)
		return k, nil
	}
	priv, err := ecdh.X25519().NewPrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("X25519 private key: %w", err)
	}
	return &stdKey{name: m.name, priv: priv}, nil
}

// x448Key is an X448 key pair from circl (which, like crypto/ecdh, runs in
// constant time).
type x448Key struct {
	priv, pub x448.Key
}

func (k *x448Key) PublicKey() []byte { return k.pub[:] }

func (k *x448Key) SharedSecret(peer []byte) ([]byte, error) {
	if len(peer) != x448.Size {
		return nil, fmt.Errorf("X448 public key is %d bytes, want %d", len(peer), x448.Size)
	}
	var pub, shared x448.Key
	copy(pub[:], peer)
	// Shared reports false for the low-order points, whose shared secret
	// is all zero (RFC 7748 section 6.2, RFC 8731 section 3).
	ok := x448.Shared(&shared, &k.priv, &pub)
	var zero x448.Key
	if !ok || subtle.ConstantTimeCompare(shared[:], zero[:]) == 1 {
		clear(shared[:])
		return nil, errors.New("X448 shared secret is all zero")
	}
	out := make([]byte, x448.Size)
	copy(out, shared[:])
	clear(shared[:])
	return out, nil
}

func (k *x448Key) Erase() { clear(k.priv[:]) }

// stdKey is a crypto/ecdh key pair (X25519 or a NIST curve).
type stdKey struct {
	name string
	priv *ecdh.PrivateKey
}

func (k *stdKey) PublicKey() []byte { return k.priv.PublicKey().Bytes() }

func (k *stdKey) SharedSecret(peer []byte) ([]byte, error) {
	c := k.priv.Curve()
	if c != ecdh.X25519() {
		if err := checkNISTPoint(k.name, peer, len(k.priv.PublicKey().Bytes())); err != nil {
			return nil, err
		}
	} else if len(peer) != 32 {
		return nil, fmt.Errorf("X25519 public key is %d bytes, want 32", len(peer))
	}
	pub, err := c.NewPublicKey(peer)
	if err != nil {
		if c == ecdh.X25519() {
			return nil, fmt.Errorf("X25519 public key: %w", err)
		}
		// Right length and form: the point is not on the curve.
		return nil, fmt.Errorf("%s public key is not a point on the curve: %w", k.name, err)
	}
	s, err := k.priv.ECDH(pub)
	if err != nil {
		// X25519: a low-order point (RFC 7748 section 6.1); NIST
		// curves: the point at infinity, impossible for a valid point
		// of a prime-order curve, but checked by crypto/ecdh.
		return nil, fmt.Errorf("%s shared secret is all zero", k.name)
	}
	return s, nil
}

// Erase drops the key: crypto/ecdh offers no way to overwrite it in place,
// and dropping the only reference is what the standard library does too.
func (k *stdKey) Erase() { k.priv = nil }

// nist is ECDH on a NIST prime curve through crypto/ecdh.
type nist struct {
	name  string
	curve ecdh.Curve
	size  int // field element and scalar size in bytes
}

func (n nist) Name() string       { return n.name }
func (n nist) PublicKeySize() int { return 1 + 2*n.size }
func (n nist) SharedSize() int    { return n.size }

// maxScalarDraws bounds the rejection sampling in GenerateKey: a draw is
// rejected with probability below 2^-32 (P-256) or 2^-190 (P-384), so only
// a broken rand source (all zeros, say) reaches the bound.
const maxScalarDraws = 16

// GenerateKey draws the private scalar by rejection sampling, as FIPS
// 186-5 appendix A.4.2 does: size bytes, big-endian, retried while zero or
// not below the group order (crypto/ecdh's NewPrivateKey refuses those).
func (n nist) GenerateKey(rand io.Reader) (ECDHPrivateKey, error) {
	b := make([]byte, n.size)
	defer clear(b)
	for range maxScalarDraws {
		if _, err := io.ReadFull(rand, b); err != nil {
			return nil, fmt.Errorf("reading %s randomness: %w", n.name, err)
		}
		if priv, err := n.curve.NewPrivateKey(b); err == nil {
			return &stdKey{name: n.name, priv: priv}, nil
		}
	}
	return nil, fmt.Errorf("%s: no valid private scalar in %d draws: broken randomness source", n.name, maxScalarDraws)
}

// checkNISTPoint checks the form of a NIST-curve public key before
// crypto/ecdh checks that it lies on the curve (RFC 5656 section 4 and
// SEC 1 section 3.2.2.1: the recipient validates the point). The method's
// messages have fixed lengths (draft-ietf-sshm-mlkem-hybrid-kex-10 section
// 2.1), and pqssh, like OpenSSH, sends and accepts uncompressed points
// only, so a compressed point is an error rather than something to
// decompress.
func checkNISTPoint(name string, p []byte, want int) error {
	switch {
	case len(p) == 1 && p[0] == 0:
		return fmt.Errorf("%s public key is the point at infinity", name)
	case len(p) == (want+1)/2 && (p[0] == 2 || p[0] == 3):
		return fmt.Errorf("%s public key is a compressed point; only uncompressed points (0x04 || X || Y) are accepted", name)
	case len(p) != want:
		return fmt.Errorf("%s public key is %d bytes, want %d (an uncompressed point)", name, len(p), want)
	case p[0] == 0:
		return fmt.Errorf("%s public key is the point at infinity", name)
	case p[0] != 4:
		return fmt.Errorf("%s public key starts with 0x%02x, want 0x04 (an uncompressed point)", name, p[0])
	}
	return nil
}
