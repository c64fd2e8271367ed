package mctiny

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"
)

// Fleet mode (draft-pqssh-mctiny-ssh-00, section "Server Fleets"): the
// cookie key of interval m is derived from a master secret shared by the
// replicas of a fleet,
//
//	s_m = HKDF-SHA256(secret = master, salt = "mctiny6688128 cookie keys",
//	                  info = uint64(m) big-endian, 32 bytes)
//
// so that replicas holding the same master secret and the same long-term
// key open each other's cookies and puzzle solutions without talking to
// each other. The master-secret file holds one or two secrets, 64
// hexadecimal digits each on a line of its own ('#' comments and blank lines
// are ignored): the first seals, both open. It is read at start and again
// whenever a new interval begins, so a rotation deployed to the replicas
// takes effect within a minute:
//
//  1. add the new secret as the second line everywhere (new cookies still
//     use the old one; the new one opens);
//  2. swap the lines everywhere (new cookies use the new secret; cookies of
//     the old one still open);
//  3. after 8 minutes, remove the old secret.
//
// Leaving a minute between the steps lets every replica read each step
// before the next, so no exchange in flight is dropped.

var cookieSecretSalt = []byte("mctiny6688128 cookie keys")

// maxCookieSecrets is how many master secrets a file may hold.
const maxCookieSecrets = 2

// OpenCookieKeysFromSecret returns a cookie-key ring derived from the
// master secret(s) in the file path, brought up to date for now. The file
// must not be accessible to others.
func OpenCookieKeysFromSecret(path string, now time.Time) (*CookieKeys, error) {
	masters, err := readCookieSecrets(path)
	if err != nil {
		return nil, err
	}
	ck := &CookieKeys{secretPath: path, masters: masters}
	ck.cur.Store(deriveRing(masters, intervalOf(now)))
	return ck, nil
}

// readCookieSecrets parses a master-secret file.
func readCookieSecrets(path string) ([][KeySize]byte, error) {
	if err := checkPrivate(path); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mctiny: cookie secret: %w", err)
	}
	defer wipe(b)
	var out [][KeySize]byte
	for line := range bytes.Lines(b) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		var k [KeySize]byte
		if len(line) != 2*KeySize {
			return nil, fmt.Errorf("mctiny: %s: a secret is %d hexadecimal digits", path, 2*KeySize)
		}
		if _, err := hex.Decode(k[:], line); err != nil {
			return nil, fmt.Errorf("mctiny: %s: secret is not hexadecimal", path)
		}
		if k == [KeySize]byte{} {
			return nil, fmt.Errorf("mctiny: %s: all-zero secret", path)
		}
		out = append(out, k)
		clear(k[:])
	}
	if len(out) == 0 || len(out) > maxCookieSecrets {
		return nil, fmt.Errorf("mctiny: %s must hold one or two secrets", path)
	}
	return out, nil
}

// deriveRing derives the ring of interval want from the master secrets:
// the first seals, the second (if any) is r.alt.
func deriveRing(masters [][KeySize]byte, want int64) *ring {
	var r *ring
	for i := len(masters) - 1; i >= 0; i-- {
		k := new(ring)
		k.interval = want
		var info [8]byte
		for j := want - cookieSlots + 1; j <= want; j++ {
			binary.BigEndian.PutUint64(info[:], uint64(j))
			s, err := hkdf.Key(sha256.New, masters[i][:], cookieSecretSalt, string(info[:]), KeySize)
			if err != nil {
				panic(err) // impossible for a 32-byte output
			}
			copy(k.s[int(j%cookieSlots)][:], s)
			clear(s)
		}
		k.hashKeys()
		k.alt = r
		r = k
	}
	return r
}

// rotateDerived moves a derived ring to interval want, reading the master
// file again first. If the file cannot be read the previous secrets stay
// in use and the error is returned (the packet path logs it).
func (ck *CookieKeys) rotateDerived(want int64, old *ring) error {
	masters, err := readCookieSecrets(ck.secretPath)
	if err == nil {
		for i := range ck.masters {
			clear(ck.masters[i][:])
		}
		ck.masters = masters
	}
	ck.publish(deriveRing(ck.masters, want), old)
	if err != nil {
		return errors.Join(errors.New("mctiny: keeping the previous cookie secret"), err)
	}
	return nil
}
