//go:build linux

package harness

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"

	"golang.org/x/crypto/ssh"
)

// A UserKey is the Ed25519 key every client of a lab logs in with.
type UserKey struct {
	Private    []byte // OpenSSH private key file, unencrypted
	Authorized []byte // authorized_keys line
}

// UserKey returns the lab's user key, generating it on first use.
func (l *Lab) UserKey() (*UserKey, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.userKeyLocked()
}

func (l *Lab) userKeyLocked() (*UserKey, error) {
	if l.userKey != nil {
		return l.userKey, nil
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "pqssh-interop")
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	l.userKey = &UserKey{Private: pem.EncodeToMemory(block), Authorized: ssh.MarshalAuthorizedKey(sp)}
	return l.userKey, nil
}

// Fingerprint returns the SHA256 fingerprint ("SHA256:…") of a public key
// in authorized_keys format.
func Fingerprint(authorized string) (string, error) {
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(authorized))
	if err != nil {
		return "", fmt.Errorf("harness: parsing host key %q: %w", authorized, err)
	}
	return ssh.FingerprintSHA256(k), nil
}
