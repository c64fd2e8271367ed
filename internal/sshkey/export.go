package sshkey

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Export formats of ssh-keygen -e / -i (-m).
const (
	FormatRFC4716 = "RFC4716"
	FormatPKCS8   = "PKCS8"
	FormatPEM     = "PEM"
)

// KeyBits is OpenSSH's sshkey_size: the modulus size for RSA, the curve
// size for ECDSA, 256 for Ed25519, 512 for ssh-mldsa44-ed25519 (what
// ssh-keygen 10.6 prints); pqssh prints the NIST security strength of the
// parameter set (128, 192, 256) for pure ML-DSA, which OpenSSH lacks.
func KeyBits(k ssh.PublicKey) int {
	if c, ok := k.(*ssh.Certificate); ok {
		k = c.Key
	}
	switch k.Type() {
	case ssh.KeyAlgoED25519, ssh.KeyAlgoSKED25519:
		return 256
	case ssh.KeyAlgoECDSA256, ssh.KeyAlgoSKECDSA256:
		return 256
	case ssh.KeyAlgoECDSA384:
		return 384
	case ssh.KeyAlgoECDSA521:
		return 521
	case "ssh-mldsa44-ed25519":
		return 512
	case "ssh-mldsa-44":
		return 128
	case "ssh-mldsa-65":
		return 192
	case "ssh-mldsa-87":
		return 256
	}
	if ck, ok := k.(ssh.CryptoPublicKey); ok {
		if r, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok {
			return r.N.BitLen()
		}
	}
	return 0
}

// ExportRFC4716 writes a public key in the SSH2 public key file format of
// RFC 4716, as ssh-keygen -e does (base64 in 70-column lines).
func ExportRFC4716(k ssh.PublicKey, comment string) string {
	var b strings.Builder
	b.WriteString("---- BEGIN SSH2 PUBLIC KEY ----\n")
	if comment != "" {
		b.WriteString("Comment: \"" + comment + "\"\n")
	}
	enc := base64.StdEncoding.EncodeToString(k.Marshal())
	for len(enc) > 70 {
		b.WriteString(enc[:70] + "\n")
		enc = enc[70:]
	}
	b.WriteString(enc + "\n---- END SSH2 PUBLIC KEY ----\n")
	return b.String()
}

// ExportPKCS8 writes an RSA or ECDSA public key as a SubjectPublicKeyInfo
// ("BEGIN PUBLIC KEY"), as ssh-keygen -e -m PKCS8 does. Other types have no
// such format in OpenSSH (its ssh-keygen refuses Ed25519 and ML-DSA).
func ExportPKCS8(k ssh.PublicKey) ([]byte, error) {
	pub, err := cryptoPublic(k, FormatPKCS8)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ExportPEM writes a public key as ssh-keygen -e -m PEM does: PKCS#1
// ("BEGIN RSA PUBLIC KEY") for RSA, a SubjectPublicKeyInfo for ECDSA.
func ExportPEM(k ssh.PublicKey) ([]byte, error) {
	pub, err := cryptoPublic(k, FormatPEM)
	if err != nil {
		return nil, err
	}
	if r, ok := pub.(*rsa.PublicKey); ok {
		return pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(r)}), nil
	}
	return ExportPKCS8(k)
}

func cryptoPublic(k ssh.PublicKey, format string) (any, error) {
	if ck, ok := k.(ssh.CryptoPublicKey); ok {
		switch p := ck.CryptoPublicKey().(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey:
			return p, nil
		}
	}
	why := ""
	if strings.Contains(k.Type(), "mldsa") {
		why = " (ML-DSA keys have no " + format + " format in OpenSSH; use RFC4716 or the OpenSSH format)"
	}
	return nil, fmt.Errorf("%w key type %s for -m %s%s", ErrUnsupported, KeyTypeLabel(k), format, why)
}

// Import reads a key in one of the formats ssh-keygen -i takes: an RFC 4716
// public key, a SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"), a PKCS#1 RSA
// public key, or an unencrypted PEM/PKCS#8 private key. It returns either
// the public key or the private key's File.
func Import(data []byte) (ssh.PublicKey, *File, error) {
	s := string(data)
	if strings.Contains(s, "---- BEGIN SSH2 PUBLIC KEY ----") {
		k, err := parseRFC4716(s)
		return k, nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, nil, errors.New("sshkey: no RFC 4716 or PEM key found")
	}
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY":
		f, err := Parse(data, nil)
		return nil, f, err
	default:
		return nil, nil, fmt.Errorf("%w: PEM block %q", ErrUnsupported, block.Type)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sshkey: %s: %w", block.Type, err)
	}
	k, err := ssh.NewPublicKey(pub)
	return k, nil, err
}

// parseRFC4716 reads the SSH2 public key file format (RFC 4716 section 3):
// headers (continued with a trailing backslash) then the base64 key.
func parseRFC4716(s string) (ssh.PublicKey, error) {
	_, body, _ := strings.Cut(s, "---- BEGIN SSH2 PUBLIC KEY ----")
	body, _, ok := strings.Cut(body, "---- END SSH2 PUBLIC KEY ----")
	if !ok {
		return nil, errors.New("sshkey: RFC 4716 key without its END line")
	}
	var b64 strings.Builder
	cont := false
	for _, l := range strings.Split(body, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case cont:
			cont = strings.HasSuffix(l, "\\")
		case strings.Contains(l, ":"):
			cont = strings.HasSuffix(l, "\\")
		default:
			b64.WriteString(l)
		}
	}
	blob, err := base64.StdEncoding.DecodeString(b64.String())
	if err != nil {
		return nil, fmt.Errorf("sshkey: RFC 4716 key: %w", err)
	}
	return ssh.ParsePublicKey(blob)
}
