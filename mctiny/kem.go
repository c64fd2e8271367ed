package mctiny

import (
	"crypto/sha3"
	"crypto/subtle"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cloudflare/circl/kem"

	"github.com/pqssh/pqssh/kem/mceliece"
)

// Classic McEliece (round 4, mceliece6688128, non-pc) through package
// kem/mceliece. The McTiny framing depends only on its sizes, checked in
// TestParametersMatchMcEliece.

// Files of the long-term key pair in the state directory.
const (
	PublicKeyFile  = "mctiny-mceliece6688128.pub"
	PrivateKeyFile = "mctiny-mceliece6688128.key"
)

// OneTimeKey is a client's one-time mceliece6688128 key pair.
type OneTimeKey struct {
	pk []byte // T, row-major
	sk kem.PrivateKey
}

// GenerateOneTimeKey makes a fresh one-time key pair (with crypto/rand).
func GenerateOneTimeKey() (*OneTimeKey, error) {
	pk, sk, err := mceliece.Scheme().GenerateKeyPair()
	if err != nil {
		return nil, fmt.Errorf("mctiny: one-time key: %w", err)
	}
	b, err := pk.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("mctiny: one-time key: %w", err)
	}
	return &OneTimeKey{pk: b, sk: sk}, nil
}

// Wipe erases the secret key.
func (k *OneTimeKey) Wipe() {
	if c, ok := k.sk.(interface{ Clear() }); ok {
		c.Clear()
	}
}

// PublicKey returns the encoded public key (the matrix T).
func (k *OneTimeKey) PublicKey() []byte { return k.pk }

func (k *OneTimeKey) decapsulate(z *[SessionKeySize]byte, ct []byte) error {
	ss, err := mceliece.Scheme().Decapsulate(k.sk, ct)
	if err != nil {
		return fmt.Errorf("mctiny: decapsulating the phase-3 ciphertext: %w", err)
	}
	copy(z[:], ss)
	clear(ss)
	return nil
}

// encapsulate makes the phase-0 ciphertext and session key S for the
// server's long-term key.
func encapsulate(S *[SessionKeySize]byte, serverPK []byte) ([]byte, error) {
	s := mceliece.Scheme()
	pk, err := s.UnmarshalBinaryPublicKey(serverPK)
	if err != nil {
		return nil, fmt.Errorf("mctiny: server public key: %w", err)
	}
	ct, ss, err := s.Encapsulate(pk)
	if err != nil {
		return nil, fmt.Errorf("mctiny: encapsulating to the server: %w", err)
	}
	copy(S[:], ss)
	clear(ss)
	return ct, nil
}

// longTermKey is the server's long-term key pair, held in memory.
type longTermKey struct {
	pk     []byte
	pkHash [HashSize]byte
	sk     kem.PrivateKey
}

// decapScratch is per-worker memory for decapsulation.
type decapScratch struct{}

func (k *longTermKey) newDecapScratch() *decapScratch { return &decapScratch{} }

// decapsulate recovers the phase-0 session key S from ct.
func (k *longTermKey) decapsulate(_ *decapScratch, S *[SessionKeySize]byte, ct []byte) bool {
	ss, err := mceliece.Scheme().Decapsulate(k.sk, ct)
	if err != nil {
		return false
	}
	copy(S[:], ss)
	clear(ss)
	return true
}

// loadOrCreateLongTermKey reads the key pair from dir, or generates and
// saves one if neither file exists.
func loadOrCreateLongTermKey(dir string) (*longTermKey, error) {
	s := mceliece.Scheme()
	pubPath := filepath.Join(dir, PublicKeyFile)
	keyPath := filepath.Join(dir, PrivateKeyFile)
	if err := checkPrivate(keyPath); err != nil {
		return nil, err
	}
	pkb, err1 := os.ReadFile(pubPath)
	skb, err2 := os.ReadFile(keyPath)
	switch {
	case err1 == nil && err2 == nil:
	case errors.Is(err1, os.ErrNotExist) && errors.Is(err2, os.ErrNotExist):
		pk, sk, err := s.GenerateKeyPair()
		if err != nil {
			return nil, fmt.Errorf("mctiny: generating the long-term key: %w", err)
		}
		if pkb, err = pk.MarshalBinary(); err != nil {
			return nil, err
		}
		if skb, err = sk.MarshalBinary(); err != nil {
			return nil, err
		}
		if err := writeFileAtomic(keyPath, skb, 0o600); err != nil {
			return nil, fmt.Errorf("mctiny: saving the long-term key: %w", err)
		}
		if err := writeFileAtomic(pubPath, pkb, 0o644); err != nil {
			return nil, fmt.Errorf("mctiny: saving the long-term key: %w", err)
		}
	case err1 != nil:
		return nil, fmt.Errorf("mctiny: long-term public key: %w", err1)
	default:
		return nil, fmt.Errorf("mctiny: long-term private key: %w", err2)
	}
	defer clear(skb)
	if len(pkb) != PublicKeySize {
		return nil, fmt.Errorf("mctiny: %s is %d bytes, want %d", pubPath, len(pkb), PublicKeySize)
	}
	sk, err := s.UnmarshalBinaryPrivateKey(skb)
	if err != nil {
		return nil, fmt.Errorf("mctiny: %s: %w", keyPath, err)
	}
	// The two files must belong together: a mismatch would make every
	// phase 0 fail silently.
	pk, err := s.UnmarshalBinaryPublicKey(pkb)
	if err != nil {
		return nil, fmt.Errorf("mctiny: %s: %w", pubPath, err)
	}
	ct, ss1, err := s.Encapsulate(pk)
	if err != nil {
		return nil, fmt.Errorf("mctiny: long-term key self-test: %w", err)
	}
	ss2, err := s.Decapsulate(sk, ct)
	if err != nil || subtle.ConstantTimeCompare(ss1, ss2) != 1 {
		return nil, fmt.Errorf("mctiny: %s and %s are not a key pair", pubPath, keyPath)
	}
	clear(ss1)
	clear(ss2)
	k := &longTermKey{pk: pkb, sk: sk}
	var sh sha3.SHAKE
	hash(&sh, &k.pkHash, pkb, nil)
	return k, nil
}
