// Package pqsig implements pqssh's post-quantum public key algorithms for
// SSH host and user keys: ML-DSA (FIPS 204) alone and combined with
// Ed25519. Each algorithm is one entry in a table (schemes.go), as the
// key exchanges are in package kex; importing the package registers every
// algorithm with the x/crypto fork (RegisterPublicKeyAlgorithm, fork patch
// 0007), so that ssh.ParsePublicKey, ssh.ParseAuthorizedKey,
// ssh.ParsePrivateKey, known_hosts and algorithm negotiation know them.
//
// The algorithms:
//
//   - ssh-mldsa44-ed25519: the composite of ML-DSA-44 and Ed25519 that
//     OpenSSH 10.6 implements (ssh-mldsa-eddsa.c; named
//     ssh-mldsa44-ed25519@openssh.com in OpenSSH 10.4 and 10.5), after
//     draft-miller-sshm-mldsa44-ed25519-composite-sigs-00, whose signature
//     is the MLDSA44-Ed25519-SHA512 construction of
//     draft-ietf-lamps-pq-composite-sigs-18.
//   - ssh-mldsa-44, ssh-mldsa-65, ssh-mldsa-87: pure ML-DSA as
//     draft-sfluhrer-ssh-mldsa-08 defines it (empty context, hedged
//     signing).
//
// ML-DSA comes from github.com/cloudflare/circl/sign/mldsa, Ed25519 from
// crypto/ed25519; both are constant time in their secrets.
package pqsig

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sort"

	"golang.org/x/crypto/ssh"
)

// Errors a caller may test for with errors.Is.
var (
	// ErrBadSignature: the signature does not verify.
	ErrBadSignature = errors.New("pqsig: signature does not verify")
	// ErrAlgorithmMismatch: a blob names another algorithm than expected.
	ErrAlgorithmMismatch = errors.New("pqsig: algorithm name mismatch")
	// ErrKeyLength: a key or signature has the wrong length.
	ErrKeyLength = errors.New("pqsig: wrong length")
	// ErrMalformed: a blob does not parse.
	ErrMalformed = errors.New("pqsig: malformed blob")
)

// A Scheme is one public key algorithm: its SSH name (key format and
// signature algorithm alike), its sizes, and the document it follows.
type Scheme struct {
	// Name is the SSH name, e.g. "ssh-mldsa44-ed25519".
	Name string
	// Spec names the specification followed (draft and revision).
	Spec string
	// PublicKeySize is the length of the key inside the public key blob.
	PublicKeySize int
	// SignatureSize is the length of the signature inside the signature
	// blob.
	SignatureSize int
	// PrivateKeySize is the length of the secret (seeds) stored in an
	// OpenSSH private key file.
	PrivateKeySize int
	// Composite reports whether a classical signature is combined with
	// the post-quantum one.
	Composite bool
	// CertName is the name of OpenSSH certificates of such keys, when
	// this package registers it ("" when x/crypto already knows it).
	CertName string

	alg algorithm
}

// algorithm is what a table entry implements.
type algorithm interface {
	// expand derives the public key and a signing key from the secret
	// (seeds) stored in a key file.
	expand(secret []byte) (pub []byte, k signingKey)
	// verify checks a raw signature over msg.
	verify(pub, msg, sig []byte) bool
}

// signingKey is an expanded private key.
type signingKey interface {
	sign(msg []byte) ([]byte, error)
	// zero overwrites the expanded secret.
	zero()
}

var byName = map[string]*Scheme{}

func init() {
	for _, s := range schemes {
		byName[s.Name] = s
		s := s
		err := ssh.RegisterPublicKeyAlgorithm(ssh.PublicKeyAlgorithm{
			Name: s.Name,
			ParsePublicKey: func(in []byte) (ssh.PublicKey, []byte, error) {
				key, rest, err := readString(in)
				if err != nil {
					return nil, nil, fmt.Errorf("pqsig: %s public key: %w", s.Name, err)
				}
				pk, err := s.NewPublicKey(key)
				if err != nil {
					return nil, nil, err
				}
				return pk, rest, nil
			},
			ParsePrivateKey: func(in []byte) (ssh.Signer, []byte, error) {
				k, rest, err := s.parsePrivateFields(in)
				if err != nil {
					return nil, nil, err
				}
				return k, rest, nil
			},
			CertName: s.CertName,
		})
		if err != nil {
			panic(fmt.Sprintf("pqsig: registering %s: %v", s.Name, err))
		}
	}
}

// Lookup returns the scheme named name.
func Lookup(name string) (*Scheme, bool) {
	s, ok := byName[name]
	return s, ok
}

// Names returns the names of all schemes, sorted.
func Names() []string {
	var names []string
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// DefaultOrder is pqssh's preference among these algorithms, first to
// last: the composite OpenSSH 10.6 speaks first (it stays secure if either
// ML-DSA or Ed25519 is broken), then pure ML-DSA from the smallest.
var DefaultOrder = []string{
	MLDSA44Ed25519,
	MLDSA44,
	MLDSA65,
	MLDSA87,
}

// PublicKey is a public key of one of the schemes. It implements
// ssh.PublicKey.
type PublicKey struct {
	scheme *Scheme
	key    []byte
}

// NewPublicKey checks the length of a raw public key (the content of the
// key string in the blob) and returns it as a PublicKey.
func (s *Scheme) NewPublicKey(raw []byte) (*PublicKey, error) {
	if len(raw) != s.PublicKeySize {
		return nil, fmt.Errorf("%w: %s public key is %d bytes, want %d", ErrKeyLength, s.Name, len(raw), s.PublicKeySize)
	}
	return &PublicKey{scheme: s, key: bytes.Clone(raw)}, nil
}

// Scheme returns the key's scheme.
func (k *PublicKey) Scheme() *Scheme { return k.scheme }

// Raw returns the raw public key (a copy).
func (k *PublicKey) Raw() []byte { return bytes.Clone(k.key) }

// Type returns the SSH name of the key's algorithm.
func (k *PublicKey) Type() string { return k.scheme.Name }

// Marshal returns the public key blob: string name, string key.
func (k *PublicKey) Marshal() []byte {
	return appendString(appendString(nil, []byte(k.scheme.Name)), k.key)
}

// Verify checks sig, whose blob is the raw signature, over data.
func (k *PublicKey) Verify(data []byte, sig *ssh.Signature) error {
	if sig == nil {
		return fmt.Errorf("%w: no signature", ErrMalformed)
	}
	if sig.Format != k.scheme.Name {
		return fmt.Errorf("%w: %q signature for a %s key", ErrAlgorithmMismatch, sig.Format, k.scheme.Name)
	}
	if len(sig.Rest) != 0 {
		return fmt.Errorf("%w: %d bytes after the %s signature", ErrMalformed, len(sig.Rest), k.scheme.Name)
	}
	return k.VerifyRaw(data, sig.Blob)
}

// VerifyRaw checks a raw signature (the content of the signature string in
// the blob) over data.
func (k *PublicKey) VerifyRaw(data, sig []byte) error {
	if len(sig) != k.scheme.SignatureSize {
		return fmt.Errorf("%w: %s signature is %d bytes, want %d", ErrKeyLength, k.scheme.Name, len(sig), k.scheme.SignatureSize)
	}
	if !k.scheme.alg.verify(k.key, data, sig) {
		return fmt.Errorf("%w (%s)", ErrBadSignature, k.scheme.Name)
	}
	return nil
}

// ParsePublicKeyBlob parses a public key blob (string name, string key) of
// any of the schemes; nothing may follow the key.
func ParsePublicKeyBlob(blob []byte) (*PublicKey, error) {
	name, rest, err := readString(blob)
	if err != nil {
		return nil, fmt.Errorf("pqsig: public key blob: %w", err)
	}
	s, ok := byName[string(name)]
	if !ok {
		return nil, fmt.Errorf("%w: %q is not a pqsig algorithm", ErrAlgorithmMismatch, name)
	}
	key, rest, err := readString(rest)
	if err != nil {
		return nil, fmt.Errorf("pqsig: %s public key blob: %w", s.Name, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the %s public key", ErrMalformed, len(rest), s.Name)
	}
	return s.NewPublicKey(key)
}

// ParseSignatureBlob parses a signature blob (string name, string
// signature) that must be of scheme s, and returns the raw signature.
func (s *Scheme) ParseSignatureBlob(blob []byte) ([]byte, error) {
	name, rest, err := readString(blob)
	if err != nil {
		return nil, fmt.Errorf("pqsig: signature blob: %w", err)
	}
	if string(name) != s.Name {
		return nil, fmt.Errorf("%w: %q signature, want %s", ErrAlgorithmMismatch, name, s.Name)
	}
	sig, rest, err := readString(rest)
	if err != nil {
		return nil, fmt.Errorf("pqsig: %s signature blob: %w", s.Name, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the %s signature", ErrMalformed, len(rest), s.Name)
	}
	if len(sig) != s.SignatureSize {
		return nil, fmt.Errorf("%w: %s signature is %d bytes, want %d", ErrKeyLength, s.Name, len(sig), s.SignatureSize)
	}
	return sig, nil
}

// MarshalSignature returns the signature blob of a raw signature.
func (s *Scheme) MarshalSignature(sig []byte) []byte {
	return appendString(appendString(nil, []byte(s.Name)), sig)
}

// PrivateKey is a private key of one of the schemes. It implements
// ssh.Signer and ssh.AlgorithmSigner. Call Destroy when done with it.
type PrivateKey struct {
	pub    *PublicKey
	secret []byte // the seeds, as stored in a key file
	k      signingKey
}

// GenerateKey makes a new key from rand (crypto/rand if nil).
func (s *Scheme) GenerateKey(r io.Reader) (*PrivateKey, error) {
	if r == nil {
		r = rand.Reader
	}
	secret := make([]byte, s.PrivateKeySize)
	if _, err := io.ReadFull(r, secret); err != nil {
		return nil, fmt.Errorf("pqsig: generating %s key: %w", s.Name, err)
	}
	k, err := s.NewPrivateKey(secret)
	clear(secret)
	return k, err
}

// NewPrivateKey derives a key from its secret: the seed(s) of the key file
// format (32 bytes, ξ of FIPS 204, for pure ML-DSA; ML-DSA-44's seed then
// Ed25519's for the composite, as OpenSSH stores it). secret is copied.
func (s *Scheme) NewPrivateKey(secret []byte) (*PrivateKey, error) {
	if len(secret) != s.PrivateKeySize {
		return nil, fmt.Errorf("%w: %s private key is %d bytes, want %d", ErrKeyLength, s.Name, len(secret), s.PrivateKeySize)
	}
	pub, k := s.alg.expand(secret)
	return &PrivateKey{
		pub:    &PublicKey{scheme: s, key: pub},
		secret: bytes.Clone(secret),
		k:      k,
	}, nil
}

// Scheme returns the key's scheme.
func (k *PrivateKey) Scheme() *Scheme { return k.pub.scheme }

// Public returns the public half.
func (k *PrivateKey) Public() *PublicKey { return k.pub }

// PublicKey returns the public half as an ssh.PublicKey.
func (k *PrivateKey) PublicKey() ssh.PublicKey { return k.pub }

// Sign signs data. The randomness of hedged ML-DSA comes from
// crypto/rand; the rand argument is ignored.
func (k *PrivateKey) Sign(_ io.Reader, data []byte) (*ssh.Signature, error) {
	if k.k == nil {
		return nil, fmt.Errorf("pqsig: %s key was destroyed", k.pub.scheme.Name)
	}
	sig, err := k.k.sign(data)
	if err != nil {
		return nil, fmt.Errorf("pqsig: %s sign: %w", k.pub.scheme.Name, err)
	}
	return &ssh.Signature{Format: k.pub.scheme.Name, Blob: sig}, nil
}

// SignWithAlgorithm signs data with the key's only algorithm (its name, or
// "" for the default).
func (k *PrivateKey) SignWithAlgorithm(r io.Reader, data []byte, algorithm string) (*ssh.Signature, error) {
	if algorithm != "" && algorithm != k.pub.scheme.Name {
		return nil, fmt.Errorf("%w: a %s key cannot sign as %q", ErrAlgorithmMismatch, k.pub.scheme.Name, algorithm)
	}
	return k.Sign(r, data)
}

// Destroy overwrites the key's secrets. The key cannot sign afterwards.
func (k *PrivateKey) Destroy() {
	clear(k.secret)
	if k.k != nil {
		k.k.zero()
		k.k = nil
	}
}

// Wire helpers (RFC 4251 section 5 strings).

func appendString(b, s []byte) []byte {
	n := len(s)
	b = append(b, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	return append(b, s...)
}

func readString(b []byte) (s, rest []byte, err error) {
	if len(b) < 4 {
		return nil, nil, fmt.Errorf("%w: truncated string length", ErrMalformed)
	}
	n := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
	if n > uint64(len(b)-4) {
		return nil, nil, fmt.Errorf("%w: string of %d bytes in %d", ErrMalformed, n, len(b)-4)
	}
	return b[4 : 4+n], b[4+n:], nil
}
