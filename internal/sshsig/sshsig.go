// Package sshsig signs and verifies OpenSSH's lightweight signature format
// (ssh-keygen -Y sign / -Y verify; OpenSSH's PROTOCOL.sshsig and
// draft-josefsson-sshsig-format-04), with any ssh.Signer and ssh.PublicKey.
package sshsig

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"io"

	"golang.org/x/crypto/ssh"
)

const (
	magic   = "SSHSIG"
	version = 1
	pemType = "SSH SIGNATURE"
)

// signedData is what the key signs: the magic preamble, namespace,
// reserved, hash algorithm and the hash of the message.
func signedData(namespace, hashAlg string, digest []byte) []byte {
	var b []byte
	b = append(b, magic...)
	b = appendString(b, []byte(namespace))
	b = appendString(b, nil)
	b = appendString(b, []byte(hashAlg))
	return appendString(b, digest)
}

func newHash(alg string) (hash.Hash, error) {
	switch alg {
	case "sha512":
		return sha512.New(), nil
	case "sha256":
		return sha256.New(), nil
	}
	return nil, fmt.Errorf("sshsig: unsupported hash algorithm %q", alg)
}

// Sign signs message under namespace with SHA-512 (ssh-keygen's default)
// and returns the armored signature.
func Sign(rand io.Reader, s ssh.Signer, namespace string, message []byte) ([]byte, error) {
	h := sha512.Sum512(message)
	data := signedData(namespace, "sha512", h[:])
	var sig *ssh.Signature
	var err error
	if as, ok := s.(ssh.AlgorithmSigner); ok && s.PublicKey().Type() == ssh.KeyAlgoRSA {
		// OpenSSH refuses SHA-1 RSA signatures here (sshsig.c): sign
		// with rsa-sha2-512, as ssh-keygen does.
		sig, err = as.SignWithAlgorithm(rand, data, ssh.KeyAlgoRSASHA512)
	} else {
		sig, err = s.Sign(rand, data)
	}
	if err != nil {
		return nil, fmt.Errorf("sshsig: sign: %w", err)
	}
	var b []byte
	b = append(b, magic...)
	b = binary.BigEndian.AppendUint32(b, version)
	b = appendString(b, s.PublicKey().Marshal())
	b = appendString(b, []byte(namespace))
	b = appendString(b, nil)
	b = appendString(b, []byte("sha512"))
	b = appendString(b, ssh.Marshal(sig))
	return pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: b}), nil
}

// Verify checks an armored signature of message under namespace and
// returns the public key that made it (the caller decides whether it
// trusts that key).
func Verify(armored []byte, namespace string, message []byte) (ssh.PublicKey, error) {
	pub, fields, err := parse(armored)
	if err != nil {
		return nil, err
	}
	if string(fields[1]) != namespace {
		return nil, fmt.Errorf("sshsig: namespace %q, want %q", fields[1], namespace)
	}
	h, err := newHash(string(fields[3]))
	if err != nil {
		return nil, err
	}
	h.Write(message)
	var sig ssh.Signature
	if err := ssh.Unmarshal(fields[4], &sig); err != nil {
		return nil, fmt.Errorf("sshsig: signature blob: %w", err)
	}
	if sig.Format == ssh.KeyAlgoRSA {
		return nil, errors.New("sshsig: RSA signature uses SHA-1 (ssh-rsa), which OpenSSH refuses")
	}
	if err := pub.Verify(signedData(namespace, string(fields[3]), h.Sum(nil)), &sig); err != nil {
		return nil, fmt.Errorf("sshsig: %w", err)
	}
	return pub, nil
}

// PublicKey returns the key an armored signature names, without checking
// the signature (ssh-keygen -Y find-principals looks the key up first).
func PublicKey(armored []byte) (ssh.PublicKey, error) {
	pub, _, err := parse(armored)
	return pub, err
}

// parse splits an armored signature into the signing key and the fields
// public key, namespace, reserved, hash algorithm, signature.
func parse(armored []byte) (ssh.PublicKey, [5][]byte, error) {
	var fields [5][]byte
	blk, _ := pem.Decode(armored)
	if blk == nil || blk.Type != pemType {
		return nil, fields, errors.New("sshsig: not an armored SSH signature")
	}
	b := blk.Bytes
	if !bytes.HasPrefix(b, []byte(magic)) || len(b) < len(magic)+4 {
		return nil, fields, errors.New("sshsig: bad magic")
	}
	b = b[len(magic):]
	if v := binary.BigEndian.Uint32(b); v != version {
		return nil, fields, fmt.Errorf("sshsig: version %d, want %d", v, version)
	}
	b = b[4:]
	for i := range fields {
		var err error
		if fields[i], b, err = readString(b); err != nil {
			return nil, fields, fmt.Errorf("sshsig: field %d: %w", i, err)
		}
	}
	if len(b) != 0 {
		return nil, fields, errors.New("sshsig: trailing data")
	}
	pub, err := ssh.ParsePublicKey(fields[0])
	if err != nil {
		return nil, fields, fmt.Errorf("sshsig: public key: %w", err)
	}
	return pub, fields, nil
}

func appendString(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func readString(b []byte) (s, rest []byte, err error) {
	if len(b) < 4 {
		return nil, nil, errors.New("truncated")
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return nil, nil, errors.New("truncated")
	}
	return b[4 : 4+n], b[4+n:], nil
}
