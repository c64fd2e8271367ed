package pqsig

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"fmt"
)

// The private fields of a key in an OpenSSH private key file (OpenSSH's
// PROTOCOL.key, section 3; the fields after the key type are the key's
// own), as ssh-mldsa-eddsa.c serializes the composite:
//
//	string public key (the raw key of the public key blob)
//	string secret     (the seeds: Scheme.PrivateKeySize bytes)
//
// OpenSSH 10.6 has no pure ML-DSA keys; we store them the same way, the
// secret being FIPS 204's 32-byte seed ξ (draft-sfluhrer-ssh-mldsa-08
// appendix A recommends storing the seed).
func (s *Scheme) parsePrivateFields(in []byte) (*PrivateKey, []byte, error) {
	pub, rest, err := readString(in)
	if err != nil {
		return nil, nil, fmt.Errorf("pqsig: %s private key: public part: %w", s.Name, err)
	}
	secret, rest, err := readString(rest)
	if err != nil {
		return nil, nil, fmt.Errorf("pqsig: %s private key: secret part: %w", s.Name, err)
	}
	if len(pub) != s.PublicKeySize {
		return nil, nil, fmt.Errorf("%w: %s private key file holds a %d-byte public key, want %d", ErrKeyLength, s.Name, len(pub), s.PublicKeySize)
	}
	k, err := s.NewPrivateKey(secret)
	if err != nil {
		return nil, nil, err
	}
	if !bytes.Equal(k.pub.key, pub) {
		k.Destroy()
		return nil, nil, fmt.Errorf("pqsig: %s private key file: the public key does not match the secret", s.Name)
	}
	return k, rest, nil
}

// MarshalOpenSSH returns the key as an unencrypted OpenSSH private key file
// ("-----BEGIN OPENSSH PRIVATE KEY-----", PROTOCOL.key), as ssh-keygen
// writes one with an empty passphrase. The result holds the secret: the
// caller should clear it after writing it out.
func (k *PrivateKey) MarshalOpenSSH(comment string) ([]byte, error) {
	if k.k == nil {
		return nil, fmt.Errorf("pqsig: %s key was destroyed", k.pub.scheme.Name)
	}
	var check [4]byte
	if _, err := rand.Read(check[:]); err != nil {
		return nil, fmt.Errorf("pqsig: check bytes: %w", err)
	}
	var priv []byte
	priv = append(priv, check[:]...)
	priv = append(priv, check[:]...)
	priv = appendString(priv, []byte(k.pub.scheme.Name))
	priv = appendString(priv, k.pub.key)
	priv = appendString(priv, k.secret)
	priv = appendString(priv, []byte(comment))
	for i := byte(1); len(priv)%8 != 0; i++ { // block size 8 for cipher "none"
		priv = append(priv, i)
	}

	var b []byte
	b = append(b, "openssh-key-v1\x00"...)
	b = appendString(b, []byte("none")) // cipher
	b = appendString(b, []byte("none")) // KDF
	b = appendString(b, nil)            // KDF options
	b = binary.BigEndian.AppendUint32(b, 1)
	b = appendString(b, k.pub.Marshal())
	b = appendString(b, priv)
	clear(priv)
	out := pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: b})
	clear(b)
	return out, nil
}
