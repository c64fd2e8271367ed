// Package kex implements pqssh's hybrid post-quantum key-exchange methods
// and registers them into the x/crypto fork's ssh package.
//
// Every method is one instance of a single generic construction, the shape
// shared by RFC 9941 (sntrup761x25519-sha512), draft-ietf-sshm-mlkem-hybrid-kex
// (mlkem768x25519-sha256) and draft-josefsson-ssh-mceliece-00
// (mceliece6688128x25519-sha512), extended to more than one KEM:
//
//	C_INIT  = pk_1 || ... || pk_n || X25519 client public key (32 bytes)
//	S_REPLY = ct_1 || ... || ct_n || X25519 server public key (32 bytes)
//	K       = HASH(ss_1 || ... || ss_n || X25519 shared secret)
//
// carried in SSH_MSG_KEX_ECDH_INIT / SSH_MSG_KEX_ECDH_REPLY (RFC 5656
// section 4). K is encoded as an SSH string, not an mpint, in the exchange
// hash and in key derivation; the fork's ssh package does that encoding.
// Adding a method is adding one entry to the table in methods.go.
package kex

import (
	"crypto"
	"crypto/ecdh"
	"errors"
	"fmt"
	"io"

	"github.com/cloudflare/circl/kem"
	"golang.org/x/crypto/ssh"
)

// x25519Size is the size of an X25519 public key and of its shared secret.
const x25519Size = 32

// Hybrid is a key-exchange method combining one or more KEMs with X25519.
type Hybrid struct {
	// Name is the SSH method name.
	Name string
	// KEMs are the post-quantum KEMs, in wire order.
	KEMs []kem.Scheme
	// Digest hashes the shared secrets into K; it is also the exchange
	// hash and the key-derivation hash.
	Digest crypto.Hash
	// Spec names the document (and revision) that defines the method.
	Spec string
}

var _ ssh.KeyExchangeMethod = (*Hybrid)(nil)

// Hash returns the method's hash function.
func (h *Hybrid) Hash() crypto.Hash { return h.Digest }

// ClientInitSize is the exact length of C_INIT.
func (h *Hybrid) ClientInitSize() int {
	n := x25519Size
	for _, k := range h.KEMs {
		n += k.PublicKeySize()
	}
	return n
}

// ServerReplySize is the exact length of S_REPLY.
func (h *Hybrid) ServerReplySize() int {
	n := x25519Size
	for _, k := range h.KEMs {
		n += k.CiphertextSize()
	}
	return n
}

// combine computes K = HASH(ss_1 || ... || ss_n || x25519) and zeroes the
// inputs.
func (h *Hybrid) combine(secrets [][]byte, x []byte) []byte {
	d := h.Digest.New()
	for _, s := range secrets {
		d.Write(s)
		clear(s)
	}
	d.Write(x)
	clear(x)
	return d.Sum(nil)
}

// clearAll zeroes the KEM shared secrets. Finish and Respond defer it, so
// that an exchange failing after the KEMs have run (a low-order X25519
// key, say) does not leave their secrets behind; on success combine has
// already cleared them.
func clearAll(secrets [][]byte) {
	for _, s := range secrets {
		clear(s)
	}
}

// newX25519 reads a private key from rand (the reference implementations
// draw 32 bytes, and so do the recorded transcripts in testvectors/).
func newX25519(rand io.Reader) (*ecdh.PrivateKey, error) {
	var b [32]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return nil, fmt.Errorf("reading X25519 randomness: %w", err)
	}
	defer clear(b[:])
	return ecdh.X25519().NewPrivateKey(b[:])
}

// x25519Shared computes the raw X25519 shared secret with a peer public
// key, rejecting the all-zero result of a low-order point (RFC 7748
// section 6.1; crypto/ecdh checks it).
func x25519Shared(priv *ecdh.PrivateKey, peer []byte) ([]byte, error) {
	pub, err := ecdh.X25519().NewPublicKey(peer)
	if err != nil {
		return nil, fmt.Errorf("peer X25519 public key: %w", err)
	}
	s, err := priv.ECDH(pub)
	if err != nil {
		return nil, errors.New("X25519 shared secret is all zero")
	}
	return s, nil
}

// hybridClient is the client's state during one exchange.
type hybridClient struct {
	h     *Hybrid
	kems  []kem.PrivateKey
	x     *ecdh.PrivateKey
	cInit []byte
}

// NewClient draws the X25519 key and then one seed per KEM from rand (in
// that order), and derives the KEM key pairs from the seeds.
func (h *Hybrid) NewClient(rand io.Reader) (ssh.KeyExchangeClient, error) {
	c, err := h.newClient(rand)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (h *Hybrid) newClient(rand io.Reader) (*hybridClient, error) {
	x, err := newX25519(rand)
	if err != nil {
		return nil, err
	}
	c := &hybridClient{h: h, x: x}
	for _, s := range h.KEMs {
		seed := make([]byte, s.SeedSize())
		if _, err := io.ReadFull(rand, seed); err != nil {
			return nil, fmt.Errorf("reading %s seed: %w", s.Name(), err)
		}
		pk, sk := s.DeriveKeyPair(seed)
		clear(seed)
		b, err := pk.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("%s public key: %w", s.Name(), err)
		}
		c.cInit = append(c.cInit, b...)
		c.kems = append(c.kems, sk)
	}
	c.cInit = append(c.cInit, x.PublicKey().Bytes()...)
	return c, nil
}

func (c *hybridClient) PublicValue() []byte { return c.cInit }

func (c *hybridClient) Finish(reply []byte) ([]byte, error) {
	h := c.h
	if len(reply) != h.ServerReplySize() {
		return nil, fmt.Errorf("%s: server reply is %d bytes, want %d", h.Name, len(reply), h.ServerReplySize())
	}
	var secrets [][]byte
	defer func() { clearAll(secrets) }()
	for i, s := range h.KEMs {
		ct := reply[:s.CiphertextSize()]
		reply = reply[s.CiphertextSize():]
		ss, err := s.Decapsulate(c.kems[i], ct)
		if err != nil {
			return nil, fmt.Errorf("%s: %s decapsulation: %w", h.Name, s.Name(), err)
		}
		secrets = append(secrets, ss)
	}
	x, err := x25519Shared(c.x, reply)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.Name, err)
	}
	c.erase()
	return h.combine(secrets, x), nil
}

// erase drops the client's private keys. (circl's and crypto/ecdh's key
// types offer no way to overwrite them in place; dropping the only
// references is what the standard library does too.)
func (c *hybridClient) erase() { c.kems, c.x = nil, nil }

// Respond checks the exact length of C_INIT, encapsulates to each KEM
// public key (with seeds drawn from rand) and completes X25519.
func (h *Hybrid) Respond(rand io.Reader, clientPublic []byte) (reply, secret []byte, err error) {
	if len(clientPublic) != h.ClientInitSize() {
		return nil, nil, fmt.Errorf("%s: client public value is %d bytes, want %d", h.Name, len(clientPublic), h.ClientInitSize())
	}
	var secrets [][]byte
	defer func() { clearAll(secrets) }()
	for _, s := range h.KEMs {
		pk, err := s.UnmarshalBinaryPublicKey(clientPublic[:s.PublicKeySize()])
		if err != nil {
			return nil, nil, fmt.Errorf("%s: client %s public key: %w", h.Name, s.Name(), err)
		}
		clientPublic = clientPublic[s.PublicKeySize():]
		seed := make([]byte, s.EncapsulationSeedSize())
		if _, err := io.ReadFull(rand, seed); err != nil {
			return nil, nil, fmt.Errorf("reading %s encapsulation seed: %w", s.Name(), err)
		}
		ct, ss, err := s.EncapsulateDeterministically(pk, seed)
		clear(seed)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s encapsulation: %w", h.Name, s.Name(), err)
		}
		reply = append(reply, ct...)
		secrets = append(secrets, ss)
	}
	x, err := newX25519(rand)
	if err != nil {
		return nil, nil, err
	}
	xs, err := x25519Shared(x, clientPublic)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", h.Name, err)
	}
	reply = append(reply, x.PublicKey().Bytes()...)
	return reply, h.combine(secrets, xs), nil
}
