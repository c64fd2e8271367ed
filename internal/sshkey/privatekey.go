// Package sshkey reads and writes OpenSSH's key files for every key type
// pqssh supports (Ed25519, ECDSA, RSA and the ML-DSA algorithms of package
// pqsig): the private key format of OpenSSH's PROTOCOL.key, unencrypted or
// encrypted with bcrypt_pbkdf and aes256-ctr as ssh-keygen writes it,
// public key exports (RFC 4716, PKCS#8, PEM), certificates
// (PROTOCOL.certkeys) and known_hosts hashing.
package sshkey

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/pqsig"
)

// Errors a caller may test for with errors.Is.
var (
	// ErrPassphraseNeeded: the key is encrypted and no passphrase was given.
	ErrPassphraseNeeded = errors.New("sshkey: the private key is encrypted")
	// ErrWrongPassphrase: the passphrase does not decrypt the key.
	ErrWrongPassphrase = errors.New("incorrect passphrase supplied to decrypt private key")
	// ErrUnsupported: a key type or file format this package cannot handle.
	ErrUnsupported = errors.New("sshkey: unsupported")
)

const (
	magic = "openssh-key-v1\x00"
	// DefaultRounds is ssh-keygen's default bcrypt_pbkdf rounds (-a).
	DefaultRounds = 16
	// maxRounds bounds the rounds read from a file (bcrypt_pbkdf's cost is
	// linear in them): 4096 times the default.
	maxRounds = 1 << 16
	saltLen   = 16 // ssh-keygen's salt length
	// cipherName is the cipher ssh-keygen encrypts new keys with.
	cipherName = "aes256-ctr"
)

// File is a private key as an OpenSSH private key file holds it.
type File struct {
	// PublicKey is the key's public half.
	PublicKey ssh.PublicKey
	// Comment is the comment stored with the private key.
	Comment string
	// Encrypted reports whether the file read was encrypted.
	Encrypted bool
	// Rounds is the file's bcrypt_pbkdf rounds when it was encrypted.
	Rounds int

	// private is "string key type" followed by the key's private fields
	// (PROTOCOL.key section 3, without the comment).
	private []byte
}

// Destroy overwrites the private fields.
func (f *File) Destroy() { clear(f.private) }

// Type returns the key's algorithm name.
func (f *File) Type() string { return f.PublicKey.Type() }

// Signer returns a signer for the key.
func (f *File) Signer() (ssh.Signer, error) {
	raw, err := f.Raw()
	if err != nil {
		return nil, err
	}
	if s, ok := raw.(ssh.Signer); ok {
		return s, nil
	}
	return ssh.NewSignerFromKey(raw)
}

// Raw returns the key as x/crypto's ssh.ParseRawPrivateKey does: an
// *rsa.PrivateKey, *ecdsa.PrivateKey, *ed25519.PrivateKey, or an
// ssh.Signer (*pqsig.PrivateKey) for the registered algorithms.
func (f *File) Raw() (any, error) {
	b, err := f.Marshal(nil, 0)
	if err != nil {
		return nil, err
	}
	defer clear(b)
	return ssh.ParseRawPrivateKey(b)
}

// Marshal encodes the key as an OpenSSH private key file. With an empty
// passphrase it is unencrypted (cipher and KDF "none"); otherwise it is
// encrypted with aes256-ctr under a key from bcrypt_pbkdf with a random
// 16-byte salt and rounds rounds (DefaultRounds if rounds <= 0), as
// ssh-keygen does. The result holds the secret key when unencrypted: the
// caller should clear it once written.
func (f *File) Marshal(passphrase []byte, rounds int) ([]byte, error) {
	var check [4]byte
	if _, err := rand.Read(check[:]); err != nil {
		return nil, fmt.Errorf("sshkey: check bytes: %w", err)
	}
	priv := make([]byte, 0, len(f.private)+len(f.Comment)+32)
	priv = append(priv, check[:]...)
	priv = append(priv, check[:]...)
	priv = append(priv, f.private...)
	priv = appendString(priv, []byte(f.Comment))
	defer func() { clear(priv) }()

	cipherN, kdf, blockSize := "none", "none", 8
	var kdfOpts []byte
	if len(passphrase) > 0 {
		if rounds <= 0 {
			rounds = DefaultRounds
		}
		cipherN, kdf, blockSize = cipherName, "bcrypt", aes.BlockSize
		salt := make([]byte, saltLen)
		if _, err := rand.Read(salt); err != nil {
			return nil, fmt.Errorf("sshkey: salt: %w", err)
		}
		kdfOpts = binary.BigEndian.AppendUint32(appendString(nil, salt), uint32(rounds))
	}
	for i := byte(1); len(priv)%blockSize != 0; i++ {
		priv = append(priv, i)
	}
	if len(passphrase) > 0 {
		if err := cryptPrivate(priv, passphrase, kdfOpts, cipherN, false); err != nil {
			return nil, err
		}
	}

	b := []byte(magic)
	b = appendString(b, []byte(cipherN))
	b = appendString(b, []byte(kdf))
	b = appendString(b, kdfOpts)
	b = binary.BigEndian.AppendUint32(b, 1)
	b = appendString(b, f.PublicKey.Marshal())
	b = appendString(b, priv)
	defer clear(b)
	return armor("OPENSSH PRIVATE KEY", b), nil
}

// armor writes PEM with ssh-keygen's 70-column base64 lines.
func armor(typ string, b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	var out bytes.Buffer
	out.WriteString("-----BEGIN " + typ + "-----\n")
	for len(enc) > 70 {
		out.WriteString(enc[:70] + "\n")
		enc = enc[70:]
	}
	if enc != "" {
		out.WriteString(enc + "\n")
	}
	out.WriteString("-----END " + typ + "-----\n")
	return out.Bytes()
}

// cryptPrivate encrypts or decrypts the private section in place.
func cryptPrivate(priv, passphrase, kdfOpts []byte, cipherN string, decrypt bool) error {
	salt, rest, err := readString(kdfOpts)
	if err != nil || len(rest) != 4 {
		return fmt.Errorf("%w: bad bcrypt KDF options", ErrUnsupported)
	}
	rounds := binary.BigEndian.Uint32(rest)
	if rounds == 0 || rounds > maxRounds {
		return fmt.Errorf("%w: bcrypt KDF rounds %d (at most %d)", ErrUnsupported, rounds, maxRounds)
	}
	k, err := bcryptPBKDF(passphrase, salt, int(rounds), 32+aes.BlockSize)
	if err != nil {
		return err
	}
	defer clear(k)
	block, err := aes.NewCipher(k[:32])
	if err != nil {
		return err
	}
	iv := k[32:]
	switch cipherN {
	case "aes256-ctr":
		cipher.NewCTR(block, iv).XORKeyStream(priv, priv)
	case "aes256-cbc":
		if len(priv)%aes.BlockSize != 0 {
			return fmt.Errorf("%w: encrypted key length %d is not a multiple of the block size", ErrUnsupported, len(priv))
		}
		if decrypt {
			cipher.NewCBCDecrypter(block, iv).CryptBlocks(priv, priv)
		} else {
			cipher.NewCBCEncrypter(block, iv).CryptBlocks(priv, priv)
		}
	default:
		return fmt.Errorf("%w: cipher %q (only aes256-ctr and aes256-cbc)", ErrUnsupported, cipherN)
	}
	return nil
}

// IsEncrypted reports whether a private key file needs a passphrase.
func IsEncrypted(pemBytes []byte) bool {
	_, err := Parse(pemBytes, nil)
	return errors.Is(err, ErrPassphraseNeeded)
}

// ParsePublic returns the public key an OpenSSH private key file carries
// unencrypted (so without a passphrase), as ssh-keygen -l and -y use it.
func ParsePublic(pemBytes []byte) (ssh.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("sshkey: no PEM private key found")
	}
	if block.Type != "OPENSSH PRIVATE KEY" {
		f, err := Parse(pemBytes, nil)
		if err != nil {
			return nil, err
		}
		defer f.Destroy()
		return f.PublicKey, nil
	}
	h, err := parseHeader(block.Bytes)
	if err != nil {
		return nil, err
	}
	return h.pub, nil
}

type header struct {
	cipher, kdf string
	kdfOpts     []byte
	pub         ssh.PublicKey
	priv        []byte
}

func parseHeader(b []byte) (*header, error) {
	if !bytes.HasPrefix(b, []byte(magic)) {
		return nil, errors.New("sshkey: not an openssh-key-v1 private key")
	}
	b = b[len(magic):]
	var fields [3][]byte
	var err error
	for i := range fields {
		if fields[i], b, err = readString(b); err != nil {
			return nil, fmt.Errorf("sshkey: private key header: %w", err)
		}
	}
	if len(b) < 4 {
		return nil, errors.New("sshkey: private key header: truncated")
	}
	if n := binary.BigEndian.Uint32(b); n != 1 {
		return nil, fmt.Errorf("%w: a file of %d keys", ErrUnsupported, n)
	}
	pubBlob, rest, err := readString(b[4:])
	if err != nil {
		return nil, fmt.Errorf("sshkey: public key: %w", err)
	}
	priv, rest, err := readString(rest)
	if err != nil || len(rest) != 0 {
		return nil, errors.New("sshkey: private key section: malformed")
	}
	pub, err := ssh.ParsePublicKey(pubBlob)
	if err != nil {
		return nil, fmt.Errorf("sshkey: public key: %w", err)
	}
	return &header{cipher: string(fields[0]), kdf: string(fields[1]), kdfOpts: fields[2], pub: pub, priv: priv}, nil
}

// Parse reads a private key file: OpenSSH's format (encrypted or not), or
// the PEM and PKCS#8 formats ssh-keygen -m PEM / -m PKCS8 write.
// passphrase may be nil for an unencrypted key; an encrypted key without
// one gives ErrPassphraseNeeded, a wrong one ErrWrongPassphrase.
func Parse(pemBytes, passphrase []byte) (*File, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("sshkey: no PEM private key found")
	}
	if block.Type != "OPENSSH PRIVATE KEY" {
		return parseLegacy(pemBytes, block, passphrase)
	}
	h, err := parseHeader(block.Bytes)
	if err != nil {
		return nil, err
	}
	priv := bytes.Clone(h.priv)
	defer clear(priv)
	f := &File{PublicKey: h.pub}
	switch {
	case h.cipher == "none" && h.kdf == "none":
	case h.kdf == "bcrypt":
		if len(passphrase) == 0 {
			return nil, ErrPassphraseNeeded
		}
		if err := cryptPrivate(priv, passphrase, h.kdfOpts, h.cipher, true); err != nil {
			return nil, err
		}
		f.Encrypted = true
		_, r, _ := readString(h.kdfOpts)
		f.Rounds = int(binary.BigEndian.Uint32(r))
	default:
		return nil, fmt.Errorf("%w: cipher %q with KDF %q", ErrUnsupported, h.cipher, h.kdf)
	}
	if len(priv) < 8 {
		return nil, errors.New("sshkey: private key section: truncated")
	}
	if subtle.ConstantTimeCompare(priv[0:4], priv[4:8]) != 1 {
		if f.Encrypted {
			return nil, ErrWrongPassphrase
		}
		return nil, errors.New("sshkey: private key section: check bytes differ")
	}
	body := priv[8:]
	n, err := privateFieldsLen(body)
	if err != nil {
		return nil, err
	}
	comment, pad, err := readString(body[n:])
	if err != nil {
		return nil, fmt.Errorf("sshkey: comment: %w", err)
	}
	for i, p := range pad {
		if p != byte(i+1) {
			return nil, errors.New("sshkey: private key section: bad padding")
		}
	}
	f.private = bytes.Clone(body[:n])
	f.Comment = string(comment)
	// Check that the private key is the public key's.
	s, err := f.Signer()
	if err != nil {
		f.Destroy()
		return nil, fmt.Errorf("sshkey: private key: %w", err)
	}
	if !bytes.Equal(s.PublicKey().Marshal(), h.pub.Marshal()) {
		f.Destroy()
		return nil, errors.New("sshkey: the private key does not match the file's public key")
	}
	return f, nil
}

// privateFieldsLen returns the length of "string key type" and the key's
// private fields at the start of b (PROTOCOL.key; sshkey.c's
// sshkey_private_deserialize).
func privateFieldsLen(b []byte) (int, error) {
	typ, rest, err := readString(b)
	if err != nil {
		return 0, fmt.Errorf("sshkey: private key type: %w", err)
	}
	var strings int
	switch t := string(typ); {
	case t == ssh.KeyAlgoED25519:
		strings = 2 // public key, private key (seed || public key)
	case t == ssh.KeyAlgoRSA:
		strings = 6 // mpint n, e, d, iqmp, p, q
	case t == ssh.KeyAlgoECDSA256 || t == ssh.KeyAlgoECDSA384 || t == ssh.KeyAlgoECDSA521:
		strings = 3 // curve name, point Q, mpint d
	case t == ssh.InsecureKeyAlgoDSA: //nolint:staticcheck // reading old keys
		strings = 5 // mpint p, q, g, y, x
	default:
		if _, ok := pqsig.Lookup(t); !ok {
			return 0, fmt.Errorf("%w: private key type %q", ErrUnsupported, t)
		}
		strings = 2 // public key, seeds (pqsig/openssh.go)
	}
	for range strings {
		if _, rest, err = readString(rest); err != nil {
			return 0, fmt.Errorf("sshkey: %s private key: %w", typ, err)
		}
	}
	return len(b) - len(rest), nil
}

// parseLegacy reads the PEM (PKCS#1, SEC 1) and PKCS#8 private key formats.
func parseLegacy(pemBytes []byte, block *pem.Block, passphrase []byte) (*File, error) {
	var raw any
	var err error
	encrypted := strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") || block.Type == "ENCRYPTED PRIVATE KEY"
	switch {
	case block.Type == "ENCRYPTED PRIVATE KEY":
		return nil, fmt.Errorf("%w: encrypted PKCS#8 private keys", ErrUnsupported)
	case encrypted && len(passphrase) == 0:
		return nil, ErrPassphraseNeeded
	case encrypted:
		raw, err = ssh.ParseRawPrivateKeyWithPassphrase(pemBytes, passphrase)
		if err != nil && strings.Contains(err.Error(), "password") {
			return nil, ErrWrongPassphrase
		}
	default:
		raw, err = ssh.ParseRawPrivateKey(pemBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("sshkey: %s: %w", block.Type, err)
	}
	f, err := FromKey(raw, "")
	if err != nil {
		return nil, err
	}
	f.Encrypted = encrypted
	return f, nil
}

// FromKey returns the File of a key: *rsa.PrivateKey, *ecdsa.PrivateKey,
// ed25519.PrivateKey (or a pointer to one) or *pqsig.PrivateKey.
func FromKey(key any, comment string) (*File, error) {
	var pemBytes []byte
	switch k := key.(type) {
	case *pqsig.PrivateKey:
		b, err := k.MarshalOpenSSH("")
		if err != nil {
			return nil, err
		}
		pemBytes = b
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey, *ed25519.PrivateKey:
		blk, err := ssh.MarshalPrivateKey(k, "")
		if err != nil {
			return nil, fmt.Errorf("sshkey: %w", err)
		}
		pemBytes = pem.EncodeToMemory(blk)
		clear(blk.Bytes)
	default:
		return nil, fmt.Errorf("%w: key of type %T", ErrUnsupported, key)
	}
	defer clear(pemBytes)
	f, err := Parse(pemBytes, nil)
	if err != nil {
		return nil, err
	}
	f.Comment = comment
	return f, nil
}

func appendString(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func readString(b []byte) (s, rest []byte, err error) {
	if len(b) < 4 {
		return nil, nil, errors.New("truncated string length")
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return nil, nil, fmt.Errorf("string of %d bytes in %d", n, len(b)-4)
	}
	return b[4 : 4+n], b[4+n:], nil
}
