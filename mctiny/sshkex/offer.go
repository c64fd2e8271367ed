package sshkex

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/pqssh/pqssh/mctiny"
)

// GlobalRequest is the SSH global request (RFC 4254 section 4) with which
// a client asks an authenticated server for its McTiny key
// (draft-pqssh-mctiny-ssh-00 section 8). The request has no data and
// wants a reply; the server answers SSH_MSG_REQUEST_SUCCESS with the data
// of MarshalKeyOffer, or SSH_MSG_REQUEST_FAILURE if it does not run McTiny.
const GlobalRequest = "mctiny-public-key@pqssh"

// KeyOffer is the server's answer to GlobalRequest.
type KeyOffer struct {
	// Params is the McTiny parameter set, mctiny.Name.
	Params string
	// Port is the UDP port of the McTiny server on the SSH server's host.
	Port uint16
	// PublicKey is the long-term mceliece6688128 public key.
	PublicKey []byte
}

// MarshalKeyOffer encodes an offer as the request-success data:
//
//	string  parameter set ("mctiny6688128")
//	uint32  UDP port
//	string  public key (1,044,992 bytes)
func MarshalKeyOffer(o *KeyOffer) []byte {
	b := make([]byte, 0, 4+len(o.Params)+4+4+len(o.PublicKey))
	b = binary.BigEndian.AppendUint32(b, uint32(len(o.Params)))
	b = append(b, o.Params...)
	b = binary.BigEndian.AppendUint32(b, uint32(o.Port))
	b = binary.BigEndian.AppendUint32(b, uint32(len(o.PublicKey)))
	return append(b, o.PublicKey...)
}

// ErrBadOffer is returned by ParseKeyOffer for malformed data.
var ErrBadOffer = errors.New("mctiny-ssh: malformed key offer")

// ParseKeyOffer decodes request-success data. It accepts only the
// parameter set mctiny6688128 with a key of the right size and a non-zero
// port.
func ParseKeyOffer(b []byte) (*KeyOffer, error) {
	str := func() ([]byte, bool) {
		if len(b) < 4 {
			return nil, false
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(n) > uint64(len(b)-4) {
			return nil, false
		}
		s := b[4 : 4+n]
		b = b[4+n:]
		return s, true
	}
	params, ok := str()
	if !ok || len(b) < 4 {
		return nil, ErrBadOffer
	}
	port := binary.BigEndian.Uint32(b)
	b = b[4:]
	pk, ok := str()
	if !ok || len(b) != 0 {
		return nil, ErrBadOffer
	}
	if string(params) != mctiny.Name {
		return nil, fmt.Errorf("%w: unknown parameter set %q", ErrBadOffer, params)
	}
	if port == 0 || port > 65535 {
		return nil, fmt.Errorf("%w: port %d", ErrBadOffer, port)
	}
	if len(pk) != mctiny.PublicKeySize {
		return nil, fmt.Errorf("%w: public key of %d bytes", ErrBadOffer, len(pk))
	}
	return &KeyOffer{Params: string(params), Port: uint16(port), PublicKey: append([]byte(nil), pk...)}, nil
}

// Fingerprint is the pinned identity of a McTiny public key, in OpenSSH's
// style: "SHA256:" and the unpadded base64 of SHA-256 of the key bytes.
func Fingerprint(pk []byte) string {
	sum := sha256.Sum256(pk)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}
