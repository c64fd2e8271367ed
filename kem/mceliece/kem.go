package mceliece

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"io"
	"sync"

	"github.com/cloudflare/circl/kem"
	"golang.org/x/crypto/sha3"
)

// KEMScheme is mceliece6688128 as a circl kem.Scheme. The two instances,
// returned by Scheme and PlainScheme, differ only in key generation.
type KEMScheme struct {
	name     string
	fvariant bool
}

var (
	fScheme     = &KEMScheme{name: "mceliece6688128f", fvariant: true}
	plainScheme = &KEMScheme{name: "mceliece6688128", fvariant: false}
)

// Scheme returns mceliece6688128 with the "f" (semi-systematic) key
// generation, mceliece6688128f, the default for new keys. Its keys,
// ciphertexts and session keys have the same formats as PlainScheme's, and
// either scheme decapsulates the other's ciphertexts.
func Scheme() kem.Scheme { return fScheme }

// PlainScheme returns mceliece6688128 with the plain (systematic-form) key
// generation, the one the mceliece6688128 known-answer tests use.
func PlainScheme() kem.Scheme { return plainScheme }

// PublicKey is an mceliece6688128 public key: the Rows × K matrix T.
type PublicKey struct {
	scheme *KEMScheme
	t      []byte
}

// PrivateKey is an mceliece6688128 private key in the specification's
// encoding δ ‖ c ‖ g ‖ control bits ‖ s, with the support and 1/g(α)²
// derived from it when it was made or parsed.
type PrivateKey struct {
	scheme *KEMScheme
	raw    [PrivateKeySize]byte
	dk     *decodeKey

	once sync.Once
	pk   *PublicKey
}

// Scheme returns the scheme of the key.
func (pk *PublicKey) Scheme() kem.Scheme { return pk.scheme }

// MarshalBinary returns T row-major: row i is bytes [i*RowBytes,
// (i+1)*RowBytes), bit j of the row (bit j%8 of byte j/8) is column j of T,
// that is column Rows+j of H = (I | T).
func (pk *PublicKey) MarshalBinary() ([]byte, error) { return bytes.Clone(pk.t), nil }

// Equal reports whether other is the same public key.
func (pk *PublicKey) Equal(other kem.PublicKey) bool {
	o, ok := other.(*PublicKey)
	return ok && bytes.Equal(pk.t, o.t)
}

// Scheme returns the scheme of the key.
func (sk *PrivateKey) Scheme() kem.Scheme { return sk.scheme }

// MarshalBinary returns the PrivateKeySize-byte encoding.
func (sk *PrivateKey) MarshalBinary() ([]byte, error) { return bytes.Clone(sk.raw[:]), nil }

// Equal reports, in constant time, whether other is the same private key.
func (sk *PrivateKey) Equal(other kem.PrivateKey) bool {
	o, ok := other.(*PrivateKey)
	return ok && subtle.ConstantTimeCompare(sk.raw[:], o.raw[:]) == 1
}

// Public returns the public key. For a parsed private key it is recomputed
// from the seed δ (one key-generation attempt, tens of milliseconds) and
// checked against the key; it is nil if the private key is not one key
// generation produces.
func (sk *PrivateKey) Public() kem.PublicKey {
	sk.once.Do(func() {
		if sk.pk != nil {
			return
		}
		var delta [32]byte
		copy(delta[:], sk.raw[:32])
		pk := make([]byte, PublicKeySize)
		re := make([]byte, PrivateKeySize)
		defer clear(re)
		// The f key generation reproduces plain keys too: their pivots are
		// the first μ columns.
		keyPairFromSeed(pk, re, &delta, true)
		if subtle.ConstantTimeCompare(re, sk.raw[:]) == 1 {
			sk.pk = &PublicKey{scheme: sk.scheme, t: pk}
		}
	})
	if sk.pk == nil {
		return nil
	}
	return sk.pk
}

// Clear zeroes the private key.
func (sk *PrivateKey) Clear() {
	clear(sk.raw[:])
	if sk.dk != nil {
		sk.dk.clear()
	}
}

// Name returns "mceliece6688128f" or "mceliece6688128".
func (s *KEMScheme) Name() string { return s.name }

// PublicKeySize returns PublicKeySize.
func (*KEMScheme) PublicKeySize() int { return PublicKeySize }

// PrivateKeySize returns PrivateKeySize.
func (*KEMScheme) PrivateKeySize() int { return PrivateKeySize }

// CiphertextSize returns CiphertextSize.
func (*KEMScheme) CiphertextSize() int { return CiphertextSize }

// SharedKeySize returns SharedKeySize.
func (*KEMScheme) SharedKeySize() int { return SharedKeySize }

// SeedSize returns the size of the key-generation seed δ, 32.
func (*KEMScheme) SeedSize() int { return SeedSize }

// EncapsulationSeedSize returns 32: EncapsulateDeterministically expands its
// seed with SHAKE256 into the randomness stream FixedWeight reads.
func (*KEMScheme) EncapsulationSeedSize() int { return 32 }

// GenerateKeyPair generates a key pair with randomness from crypto/rand.
func (s *KEMScheme) GenerateKeyPair() (kem.PublicKey, kem.PrivateKey, error) {
	return s.GenerateKeyPairFrom(rand.Reader)
}

// GenerateKeyPairFrom generates a key pair reading the 32-byte seed δ from
// r in one read, as the reference implementation does (so that a NIST
// CTR_DRBG reproduces the published known-answer tests). It is deterministic
// for a deterministic r: use it for tests only, with crypto/rand otherwise.
func (s *KEMScheme) GenerateKeyPairFrom(r io.Reader) (kem.PublicKey, kem.PrivateKey, error) {
	var delta [32]byte
	defer clear(delta[:])
	if _, err := io.ReadFull(r, delta[:]); err != nil {
		return nil, nil, fmt.Errorf("mceliece: reading randomness: %w", err)
	}
	pk, sk := s.derive(&delta)
	return pk, sk, nil
}

func (s *KEMScheme) derive(delta *[32]byte) (*PublicKey, *PrivateKey) {
	pk := &PublicKey{scheme: s, t: make([]byte, PublicKeySize)}
	sk := &PrivateKey{scheme: s}
	keyPairFromSeed(pk.t, sk.raw[:], delta, s.fvariant)
	sk.dk = newDecodeKey(sk.raw[:])
	sk.pk = pk
	return pk, sk
}

// DeriveKeyPair runs the seeded key generation from δ = seed (SeedSize
// bytes). It panics if the seed has the wrong length.
func (s *KEMScheme) DeriveKeyPair(seed []byte) (kem.PublicKey, kem.PrivateKey) {
	if len(seed) != SeedSize {
		panic(kem.ErrSeedSize)
	}
	var delta [32]byte
	copy(delta[:], seed)
	defer clear(delta[:])
	return s.derive(&delta)
}

// Encapsulate encapsulates a fresh session key to pk with randomness from
// crypto/rand.
func (s *KEMScheme) Encapsulate(pk kem.PublicKey) (ct, ss []byte, err error) {
	return s.EncapsulateFrom(pk, rand.Reader)
}

// EncapsulateFrom encapsulates to pk reading randomness from r in the pieces
// the reference implementation uses (repeated 512-byte reads, see
// FixedWeight). It is deterministic for a deterministic r: use it for tests
// only.
func (s *KEMScheme) EncapsulateFrom(pk kem.PublicKey, r io.Reader) (ct, ss []byte, err error) {
	p, ok := pk.(*PublicKey)
	if !ok {
		return nil, nil, kem.ErrTypeMismatch
	}
	if len(p.t) != PublicKeySize {
		return nil, nil, kem.ErrPubKeySize
	}
	return encapsulate(p.t, r)
}

// EncapsulateDeterministically encapsulates with the randomness stream
// SHAKE256(seed); seed must be EncapsulationSeedSize bytes.
func (s *KEMScheme) EncapsulateDeterministically(pk kem.PublicKey, seed []byte) (ct, ss []byte, err error) {
	if len(seed) != s.EncapsulationSeedSize() {
		return nil, nil, kem.ErrSeedSize
	}
	h := sha3.NewShake256()
	h.Write(seed)
	return s.EncapsulateFrom(pk, h)
}

// Decapsulate recovers the session key from ct. A ciphertext that does not
// decode yields the implicit-rejection key SHAKE256(0 ‖ s ‖ ct), not an
// error; only a ciphertext of the wrong length or a foreign key is an error.
func (s *KEMScheme) Decapsulate(sk kem.PrivateKey, ct []byte) ([]byte, error) {
	p, ok := sk.(*PrivateKey)
	if !ok {
		return nil, kem.ErrTypeMismatch
	}
	if len(ct) != CiphertextSize {
		return nil, kem.ErrCiphertextSize
	}
	if p.dk == nil {
		return nil, kem.ErrPrivKey
	}
	return decapsulate(p.dk, p.raw[:], ct), nil
}

// UnmarshalBinaryPublicKey parses an encoded public key (PublicKeySize
// bytes). Every bit string of that length is a valid T.
func (s *KEMScheme) UnmarshalBinaryPublicKey(b []byte) (kem.PublicKey, error) {
	if len(b) != PublicKeySize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", kem.ErrPubKeySize, len(b), PublicKeySize)
	}
	return &PublicKey{scheme: s, t: bytes.Clone(b)}, nil
}

// UnmarshalBinaryPrivateKey parses an encoded private key (PrivateKeySize
// bytes) and derives the support and 1/g(α)² from it.
func (s *KEMScheme) UnmarshalBinaryPrivateKey(b []byte) (kem.PrivateKey, error) {
	if len(b) != PrivateKeySize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", kem.ErrPrivKeySize, len(b), PrivateKeySize)
	}
	sk := &PrivateKey{scheme: s}
	copy(sk.raw[:], b)
	sk.dk = newDecodeKey(sk.raw[:])
	return sk, nil
}

// GenerateKeyPairFrom is Scheme().GenerateKeyPairFrom: the default ("f")
// key generation with the seed δ read from r. Deterministic for tests.
func GenerateKeyPairFrom(r io.Reader) (kem.PublicKey, kem.PrivateKey, error) {
	return fScheme.GenerateKeyPairFrom(r)
}

// EncapsulateFrom encapsulates to pk with randomness from r (see
// KEMScheme.EncapsulateFrom). Deterministic for tests.
func EncapsulateFrom(pk kem.PublicKey, r io.Reader) (ct, ss []byte, err error) {
	return fScheme.EncapsulateFrom(pk, r)
}
