package sntrup761

import (
	"crypto/sha3"
	"crypto/subtle"
	"fmt"
	"io"

	"github.com/cloudflare/circl/kem"
)

// PublicKey is an sntrup761 public key.
type PublicKey struct {
	packed [PublicKeySize]byte
	h      [p]int16        // decoded polynomial
	cache  [hashBytes]byte // Hash(4, packed)
}

// PrivateKey is an sntrup761 private key. Its encoding carries the public
// key, so Public needs no computation.
type PrivateKey struct {
	packed  [PrivateKeySize]byte
	f, ginv [p]int8
	rhoHash [hashBytes]byte // Hash(3, rho), the implicit rejection's
	pub     PublicKey
}

type scheme struct{}

var sch kem.Scheme = scheme{}

// Scheme returns the sntrup761 KEM as a circl kem.Scheme.
func Scheme() kem.Scheme { return sch }

func newPublicKey(b []byte) *PublicKey {
	pk := new(PublicKey)
	copy(pk.packed[:], b)
	rqDecode(&pk.h, pk.packed[:])
	pk.cache = hashPrefix(4, pk.packed[:])
	return pk
}

func newPrivateKey(b []byte) *PrivateKey {
	sk := new(PrivateKey)
	copy(sk.packed[:], b)
	smallDecode(&sk.f, sk.packed[skF:])
	smallDecode(&sk.ginv, sk.packed[skGinv:])
	sk.rhoHash = hashPrefix(3, sk.packed[skRho:skCache])
	pub := newPublicKey(sk.packed[skPK:skRho])
	sk.pub = *pub
	return sk
}

// Scheme returns the sntrup761 scheme.
func (*PublicKey) Scheme() kem.Scheme { return sch }

// Scheme returns the sntrup761 scheme.
func (*PrivateKey) Scheme() kem.Scheme { return sch }

// MarshalBinary returns the 1158-byte encoding of the public key, exactly as
// it was generated or unmarshalled.
func (pk *PublicKey) MarshalBinary() ([]byte, error) {
	return append([]byte(nil), pk.packed[:]...), nil
}

// MarshalBinary returns the 1763-byte encoding of the private key.
func (sk *PrivateKey) MarshalBinary() ([]byte, error) {
	return append([]byte(nil), sk.packed[:]...), nil
}

// Equal reports whether other is an sntrup761 public key with the same
// encoding.
func (pk *PublicKey) Equal(other kem.PublicKey) bool {
	o, ok := other.(*PublicKey)
	return ok && subtle.ConstantTimeCompare(pk.packed[:], o.packed[:]) == 1
}

// Equal reports, in constant time, whether other is an sntrup761 private
// key with the same encoding.
func (sk *PrivateKey) Equal(other kem.PrivateKey) bool {
	o, ok := other.(*PrivateKey)
	return ok && subtle.ConstantTimeCompare(sk.packed[:], o.packed[:]) == 1
}

// Public returns the public key embedded in the private key.
func (sk *PrivateKey) Public() kem.PublicKey {
	pub := sk.pub
	return &pub
}

// GenerateKeyPairFrom generates a key pair drawing randomness from rand in
// the "bulk" pattern of liboqs and OpenSSH: 3044 bytes per candidate g, 3044
// bytes for f, then 191 bytes for rho. It is deterministic for a
// deterministic rand and exists for tests that replay known answers; real
// keys come from Scheme().GenerateKeyPair, which uses crypto/rand through
// an AES-CTR keystream (see keystream).
func GenerateKeyPairFrom(rand io.Reader) (*PublicKey, *PrivateKey, error) {
	return generate(source{r: rand})
}

func generate(rnd source) (*PublicKey, *PrivateKey, error) {
	var pkb [PublicKeySize]byte
	var skb [PrivateKeySize]byte
	defer clear(skb[:])
	if err := keyGen(&pkb, &skb, rnd); err != nil {
		return nil, nil, err
	}
	sk := newPrivateKey(skb[:])
	pub := sk.pub
	return &pub, sk, nil
}

// EncapsulateFrom encapsulates to pk drawing randomness from rand in the
// "bulk" pattern (one 3044-byte read). It is deterministic for a
// deterministic rand and exists for tests that replay known answers; real
// encapsulations use Scheme().Encapsulate, which uses crypto/rand through
// an AES-CTR keystream (see keystream).
func EncapsulateFrom(pk *PublicKey, rand io.Reader) (ct, ss []byte, err error) {
	return encapsulate(pk, source{r: rand})
}

func encapsulate(pk *PublicKey, rnd source) (ct, ss []byte, err error) {
	var c [CiphertextSize]byte
	var s [SharedKeySize]byte
	defer clear(s[:])
	if err := encap(&c, &s, &pk.h, &pk.cache, rnd); err != nil {
		return nil, nil, err
	}
	return c[:], append([]byte(nil), s[:]...), nil
}

func (scheme) Name() string               { return "sntrup761" }
func (scheme) PublicKeySize() int         { return PublicKeySize }
func (scheme) PrivateKeySize() int        { return PrivateKeySize }
func (scheme) CiphertextSize() int        { return CiphertextSize }
func (scheme) SharedKeySize() int         { return SharedKeySize }
func (scheme) SeedSize() int              { return SeedSize }
func (scheme) EncapsulationSeedSize() int { return EncapsulationSeedSize }

func (scheme) GenerateKeyPair() (kem.PublicKey, kem.PrivateKey, error) {
	ks, err := newKeystream()
	if err != nil {
		return nil, nil, err
	}
	pk, sk, err := generate(source{r: ks})
	if err != nil {
		return nil, nil, err
	}
	return pk, sk, nil
}

// Domain separators of the seed expansions (a pqssh choice: the
// specification defines no seeded key generation).
const (
	deriveKeyPairLabel = "pqssh sntrup761 DeriveKeyPair v1"
	deriveEncapLabel   = "pqssh sntrup761 EncapsulateDeterministically v1"
)

func seedStream(label string, seed []byte) io.Reader {
	x := sha3.NewSHAKE256()
	x.Write([]byte(label))
	x.Write(seed)
	return x
}

// DeriveKeyPair derives a key pair from a 32-byte seed, expanded with
// SHAKE256 (domain-separated) into the randomness of key generation. It
// panics if len(seed) != SeedSize, as kem.Scheme specifies.
func (scheme) DeriveKeyPair(seed []byte) (kem.PublicKey, kem.PrivateKey) {
	if len(seed) != SeedSize {
		panic(kem.ErrSeedSize)
	}
	pk, sk, err := generate(source{r: seedStream(deriveKeyPairLabel, seed)})
	if err != nil {
		panic(fmt.Sprintf("sntrup761: SHAKE256 stream failed: %v", err))
	}
	return pk, sk
}

func (scheme) Encapsulate(pk kem.PublicKey) (ct, ss []byte, err error) {
	pub, ok := pk.(*PublicKey)
	if !ok {
		return nil, nil, kem.ErrTypeMismatch
	}
	ks, err := newKeystream()
	if err != nil {
		return nil, nil, err
	}
	return encapsulate(pub, source{r: ks})
}

// EncapsulateDeterministically encapsulates with randomness expanded from a
// 32-byte seed by SHAKE256 (domain-separated).
func (scheme) EncapsulateDeterministically(pk kem.PublicKey, seed []byte) (ct, ss []byte, err error) {
	pub, ok := pk.(*PublicKey)
	if !ok {
		return nil, nil, kem.ErrTypeMismatch
	}
	if len(seed) != EncapsulationSeedSize {
		return nil, nil, kem.ErrSeedSize
	}
	return encapsulate(pub, source{r: seedStream(deriveEncapLabel, seed)})
}

// Decapsulate returns the shared secret of ct. A ciphertext of the wrong
// length is an error; any ciphertext of the right length yields 32 bytes
// (invalid ones a pseudorandom value, by implicit rejection).
func (scheme) Decapsulate(sk kem.PrivateKey, ct []byte) ([]byte, error) {
	priv, ok := sk.(*PrivateKey)
	if !ok {
		return nil, kem.ErrTypeMismatch
	}
	if len(ct) != CiphertextSize {
		return nil, fmt.Errorf("sntrup761: ciphertext of %d bytes, want %d: %w", len(ct), CiphertextSize, kem.ErrCiphertextSize)
	}
	var c [CiphertextSize]byte
	copy(c[:], ct)
	var ss [SharedKeySize]byte
	defer clear(ss[:])
	decap(&ss, &c, &priv.packed, &priv.f, &priv.ginv, &priv.pub.h, &priv.rhoHash)
	return append([]byte(nil), ss[:]...), nil
}

// UnmarshalBinaryPublicKey parses a 1158-byte public key. Like the
// specification's Decode (and OpenSSH), it accepts every string of that
// length; coefficients are reduced modulo q.
func (scheme) UnmarshalBinaryPublicKey(b []byte) (kem.PublicKey, error) {
	if len(b) != PublicKeySize {
		return nil, fmt.Errorf("sntrup761: public key of %d bytes, want %d: %w", len(b), PublicKeySize, kem.ErrPubKeySize)
	}
	return newPublicKey(b), nil
}

// UnmarshalBinaryPrivateKey parses a 1763-byte private key.
func (scheme) UnmarshalBinaryPrivateKey(b []byte) (kem.PrivateKey, error) {
	if len(b) != PrivateKeySize {
		return nil, fmt.Errorf("sntrup761: private key of %d bytes, want %d: %w", len(b), PrivateKeySize, kem.ErrPrivKeySize)
	}
	return newPrivateKey(b), nil
}
