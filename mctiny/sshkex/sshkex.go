// Package sshkex binds McTiny to SSH: the key-exchange method
// mctiny6688128x25519-sha512 of draft-pqssh-mctiny-ssh-00, section 7.
//
// After a McTiny exchange (mctiny.Exchange) the client holds the session
// key Z and the cookie C_Z with its nonce M. In the SSH key exchange it
// sends
//
//	C_INIT  = C_Z (49) ‖ M (24) ‖ X25519 public key (32)   105 bytes
//
// in SSH_MSG_KEX_ECDH_INIT; the server opens C_Z with its cookie keys,
// recovering Z without any state of its own, and answers
//
//	S_REPLY = X25519 public key (32)
//
// in SSH_MSG_KEX_ECDH_REPLY. Both compute the shared secret
//
//	K = SHA-512(Z ‖ X25519 shared secret)
//
// which the exchange hash (SHA-512) and key derivation use encoded as an SSH
// string, as in the hybrid methods of draft-ietf-sshm-mlkem-hybrid-kex-03.
package sshkex

import (
	"crypto"
	"crypto/ecdh"
	"crypto/sha512"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/mctiny"
)

// Name is the SSH name of the method.
const Name = "mctiny6688128x25519-sha512"

// Sizes of the messages.
const (
	x25519Size   = 32
	ClientSize   = mctiny.CZSize + mctiny.NonceSize + x25519Size
	ServerSize   = x25519Size
	SharedSize   = sha512.Size
	zSize        = mctiny.SessionKeySize
	cookieOffset = 0
	nonceOffset  = mctiny.CZSize
	x25519Offset = mctiny.CZSize + mctiny.NonceSize
)

// ErrMalformed is returned for a message of the wrong length or an X25519
// value that yields the all-zero shared secret.
var ErrMalformed = errors.New("mctiny-ssh: malformed key-exchange message")

// ClientMethod is the client's side for one connection: it carries the
// result of the McTiny exchange that preceded the connection. Put it in
// ssh.ClientConfig.KeyExchangeMethods under Name (and Name first in
// KeyExchanges).
//
// A ClientMethod keys one exchange: the server opens C_Z only while its
// cookie key lives (7 to 8 minutes), so a rekey must negotiate another
// method. NewClient hands Z to the exchange and erases the method's copy;
// a second NewClient fails. pqssh offers its other key exchanges for rekeys
// (ssh.Config.RekeyKeyExchanges of the pqssh fork), so the server's
// choice never falls on this method again. Wipe erases Z of a method that
// was never used.
type ClientMethod struct {
	mu     sync.Mutex
	used   bool
	z      [zSize]byte
	cookie [mctiny.CZSize]byte
	nonce  [mctiny.NonceSize]byte
}

// NewClientMethod returns the client method for a McTiny result. It copies
// what it needs from r.
func NewClientMethod(r *mctiny.Result) *ClientMethod {
	m := &ClientMethod{cookie: r.Cookie, nonce: r.Nonce}
	m.z = r.Z
	return m
}

// Hash is SHA-512.
func (*ClientMethod) Hash() crypto.Hash { return crypto.SHA512 }

// Respond fails: a ClientMethod is only a client.
func (*ClientMethod) Respond(io.Reader, []byte) ([]byte, []byte, error) {
	return nil, nil, errors.New("mctiny-ssh: ClientMethod cannot respond")
}

// ErrUsed is returned by NewClient after the first exchange.
var ErrUsed = errors.New("mctiny-ssh: the McTiny result keys one exchange only; a rekey needs another method")

// NewClient starts the exchange with a fresh X25519 key. It succeeds once.
func (m *ClientMethod) NewClient(rand io.Reader) (ssh.KeyExchangeClient, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.used {
		return nil, ErrUsed
	}
	priv, err := ecdh.X25519().GenerateKey(rand)
	if err != nil {
		return nil, fmt.Errorf("mctiny-ssh: %w", err)
	}
	m.used = true
	c := &client{priv: priv, z: m.z}
	clear(m.z[:])
	c.init = make([]byte, 0, ClientSize)
	c.init = append(c.init, m.cookie[:]...)
	c.init = append(c.init, m.nonce[:]...)
	c.init = append(c.init, priv.PublicKey().Bytes()...)
	return c, nil
}

// Wipe erases Z; NewClient fails afterwards.
func (m *ClientMethod) Wipe() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.used = true
	clear(m.z[:])
}

type client struct {
	priv *ecdh.PrivateKey
	z    [zSize]byte
	init []byte
}

func (c *client) PublicValue() []byte { return c.init }

func (c *client) Finish(reply []byte) ([]byte, error) {
	defer clear(c.z[:])
	if len(reply) != ServerSize {
		return nil, fmt.Errorf("%w: S_REPLY is %d bytes, want %d", ErrMalformed, len(reply), ServerSize)
	}
	pub, err := ecdh.X25519().NewPublicKey(reply)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return combine(&c.z, c.priv, pub)
}

// combine returns SHA-512(Z ‖ X25519(priv, pub)), rejecting the all-zero
// X25519 output (crypto/ecdh returns an error for it).
func combine(z *[zSize]byte, priv *ecdh.PrivateKey, pub *ecdh.PublicKey) ([]byte, error) {
	ss, err := priv.ECDH(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: X25519: %v", ErrMalformed, err)
	}
	var zero [x25519Size]byte
	if subtle.ConstantTimeCompare(ss, zero[:]) == 1 {
		return nil, fmt.Errorf("%w: all-zero X25519 shared secret", ErrMalformed)
	}
	h := sha512.New()
	h.Write(z[:])
	h.Write(ss)
	clear(ss)
	return h.Sum(nil), nil
}

// ServerMethod is the server's side. It holds only a reference to the
// cookie-key ring of the McTiny server (mctiny.Server.CookieKeys), so one
// ServerMethod serves every connection; register it with
// ssh.RegisterKeyExchange or put it in ssh.ServerConfig.KeyExchangeMethods.
type ServerMethod struct {
	keys *mctiny.CookieKeys
}

// NewServerMethod returns the server method for a McTiny server's cookie
// keys.
func NewServerMethod(keys *mctiny.CookieKeys) *ServerMethod {
	return &ServerMethod{keys: keys}
}

// Hash is SHA-512.
func (*ServerMethod) Hash() crypto.Hash { return crypto.SHA512 }

// NewClient fails: a ServerMethod is only a server.
func (*ServerMethod) NewClient(io.Reader) (ssh.KeyExchangeClient, error) {
	return nil, errors.New("mctiny-ssh: ServerMethod cannot start a client exchange (use ClientMethod)")
}

// Respond opens the client's cookie to recover Z, answers with a fresh
// X25519 key and returns the shared secret.
func (m *ServerMethod) Respond(rand io.Reader, clientPublic []byte) ([]byte, []byte, error) {
	if len(clientPublic) != ClientSize {
		return nil, nil, fmt.Errorf("%w: C_INIT is %d bytes, want %d", ErrMalformed, len(clientPublic), ClientSize)
	}
	var z [zSize]byte
	defer clear(z[:])
	if err := m.keys.OpenSessionCookie(&z, clientPublic[cookieOffset:nonceOffset], clientPublic[nonceOffset:x25519Offset]); err != nil {
		return nil, nil, err
	}
	pub, err := ecdh.X25519().NewPublicKey(clientPublic[x25519Offset:])
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	priv, err := ecdh.X25519().GenerateKey(rand)
	if err != nil {
		return nil, nil, fmt.Errorf("mctiny-ssh: %w", err)
	}
	secret, err := combine(&z, priv, pub)
	if err != nil {
		return nil, nil, err
	}
	return priv.PublicKey().Bytes(), secret, nil
}

var (
	_ ssh.KeyExchangeMethod = (*ClientMethod)(nil)
	_ ssh.KeyExchangeMethod = (*ServerMethod)(nil)
)
