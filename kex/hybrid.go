// Package kex implements pqssh's hybrid post-quantum key-exchange methods
// and registers them into the x/crypto fork's ssh package.
//
// Every method is one instance of a single generic construction, the shape
// shared by RFC 9941 (sntrup761x25519-sha512), draft-ietf-sshm-mlkem-hybrid-kex
// (mlkem768x25519-sha256, mlkem768nistp256-sha256, mlkem1024nistp384-sha384)
// and draft-josefsson-ssh-mceliece-00 (mceliece6688128x25519-sha512),
// extended to more than one KEM and parametrised by its classical part, an
// ECDH (X25519, X448, or ECDH on NIST P-256 or P-384):
//
//	C_INIT  = pk_1 || ... || pk_n || client ECDH public key
//	S_REPLY = ct_1 || ... || ct_n || server ECDH public key
//	K       = HASH(ss_1 || ... || ss_n || ECDH shared secret)
//
// carried in SSH_MSG_KEX_ECDH_INIT / SSH_MSG_KEX_ECDH_REPLY (RFC 5656
// section 4). K is encoded as an SSH string, not an mpint, in the exchange
// hash and in key derivation; the fork's ssh package does that encoding.
//
// With no KEM the construction is plain ECDH as RFC 5656 section 4 and RFC
// 8731 section 3 define it (curve448-sha512): C_INIT and S_REPLY are the
// public keys, and K is the raw shared secret read as an unsigned
// big-endian integer and encoded as an mpint (the method says so to the
// fork through SecretIsMpint).
//
// Adding a method is adding one entry to the table in methods.go.
package kex

import (
	"crypto"
	"fmt"
	"io"

	"github.com/cloudflare/circl/kem"
	"golang.org/x/crypto/ssh"
)

// Hybrid is a key-exchange method combining zero or more KEMs with one
// elliptic-curve Diffie-Hellman.
type Hybrid struct {
	// Name is the SSH method name.
	Name string
	// KEMs are the post-quantum KEMs, in wire order.
	KEMs []kem.Scheme
	// Classical is the ECDH whose public keys end C_INIT and S_REPLY.
	Classical ECDH
	// Digest hashes the shared secrets into K (when there is a KEM); it
	// is also the exchange hash and the key-derivation hash.
	Digest crypto.Hash
	// Spec names the document (and revision) that defines the method.
	Spec string
}

var (
	_ ssh.KeyExchangeMethod = (*Hybrid)(nil)
	_ ssh.MpintSecretMethod = (*Hybrid)(nil)
)

// Hash returns the method's hash function.
func (h *Hybrid) Hash() crypto.Hash { return h.Digest }

// PostQuantum reports whether the method has a post-quantum KEM.
func (h *Hybrid) PostQuantum() bool { return len(h.KEMs) > 0 }

// SecretIsMpint reports whether K is the raw ECDH shared secret, encoded
// as an mpint (a method without a KEM, RFC 8731 section 3.1), rather than
// a hash encoded as a string.
func (h *Hybrid) SecretIsMpint() bool { return !h.PostQuantum() }

// SecretSize is the length of the shared secret Finish and Respond
// return (before the fork encodes it).
func (h *Hybrid) SecretSize() int {
	if h.PostQuantum() {
		return h.Digest.Size()
	}
	return h.Classical.SharedSize()
}

// ClientInitSize is the exact length of C_INIT.
func (h *Hybrid) ClientInitSize() int {
	n := h.Classical.PublicKeySize()
	for _, k := range h.KEMs {
		n += k.PublicKeySize()
	}
	return n
}

// ServerReplySize is the exact length of S_REPLY.
func (h *Hybrid) ServerReplySize() int {
	n := h.Classical.PublicKeySize()
	for _, k := range h.KEMs {
		n += k.CiphertextSize()
	}
	return n
}

// combine computes K = HASH(ss_1 || ... || ss_n || x) and zeroes the
// inputs; without a KEM, K is x itself (RFC 8731 section 3.1).
func (h *Hybrid) combine(secrets [][]byte, x []byte) []byte {
	if !h.PostQuantum() {
		return x
	}
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

// hybridClient is the client's state during one exchange.
type hybridClient struct {
	h     *Hybrid
	kems  []kem.PrivateKey
	x     ECDHPrivateKey
	cInit []byte
}

// NewClient draws the ECDH private key and then one seed per KEM from rand
// (in that order), and derives the KEM key pairs from the seeds.
func (h *Hybrid) NewClient(rand io.Reader) (ssh.KeyExchangeClient, error) {
	c, err := h.newClient(rand)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (h *Hybrid) newClient(rand io.Reader) (*hybridClient, error) {
	x, err := h.Classical.GenerateKey(rand)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.Name, err)
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
	c.cInit = append(c.cInit, x.PublicKey()...)
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
	x, err := c.x.SharedSecret(reply)
	if err != nil {
		return nil, fmt.Errorf("%s: server's %w", h.Name, err)
	}
	c.erase()
	return h.combine(secrets, x), nil
}

// erase drops the client's private keys. (circl's KEM key types and
// crypto/ecdh's offer no way to overwrite them in place; dropping the only
// references is what the standard library does too. An X448 key is
// overwritten.)
func (c *hybridClient) erase() {
	if c.x != nil {
		c.x.Erase()
	}
	c.kems, c.x = nil, nil
}

// Respond checks the exact length of C_INIT, encapsulates to each KEM
// public key (with seeds drawn from rand) and completes the ECDH with a
// key drawn from rand after the seeds.
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
	x, err := h.Classical.GenerateKey(rand)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", h.Name, err)
	}
	defer x.Erase()
	xs, err := x.SharedSecret(clientPublic)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: client's %w", h.Name, err)
	}
	reply = append(reply, x.PublicKey()...)
	return reply, h.combine(secrets, xs), nil
}
