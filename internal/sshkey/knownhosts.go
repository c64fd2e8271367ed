package sshkey

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/pqssh/pqssh/internal/sshpattern"
)

// hashMagic starts a hashed known_hosts host name (OpenSSH's HASH_MAGIC).
const hashMagic = "|1|"

// HashHost returns host hashed as OpenSSH's HashKnownHosts does:
// "|1|" base64(salt) "|" base64(HMAC-SHA1(key = salt, host)) with a random
// 20-byte salt.
func HashHost(host string) (string, error) {
	salt := make([]byte, sha1.Size)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("sshkey: salt: %w", err)
	}
	return hashHostWithSalt(host, salt), nil
}

func hashHostWithSalt(host string, salt []byte) string {
	m := hmac.New(sha1.New, salt)
	m.Write([]byte(host))
	return hashMagic + base64.StdEncoding.EncodeToString(salt) + "|" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// KnownHost is one line of a known_hosts file.
type KnownHost struct {
	Num    int    // 1-based line number
	Line   string // the whole line, as read
	Marker string // "@cert-authority", "@revoked" or ""
	Hosts  string // the host field ("" for comments and blank lines)
	Rest   string // what follows the host field: key type, key, comment
}

// Hashed reports whether the host field is a hashed name.
func (k *KnownHost) Hashed() bool { return strings.HasPrefix(k.Hosts, hashMagic) }

// Wildcard reports whether the host field holds patterns (*, ? or !),
// which HashKnownHosts cannot hash.
func (k *KnownHost) Wildcard() bool { return strings.ContainsAny(k.Hosts, "*?!") }

// ParseKnownHosts splits a known_hosts file into lines; comments and
// blank lines have an empty Hosts.
func ParseKnownHosts(data string) []KnownHost {
	lines := strings.Split(data, "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	out := make([]KnownHost, 0, len(lines))
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		k := KnownHost{Num: i + 1, Line: l}
		f := strings.TrimLeft(l, " \t")
		if f != "" && f[0] != '#' {
			if f[0] == '@' {
				m, r, _ := strings.Cut(f, " ")
				k.Marker, f = m, strings.TrimLeft(r, " \t")
			}
			h, r, _ := strings.Cut(f, " ")
			k.Hosts, k.Rest = h, strings.TrimLeft(r, " \t")
		}
		out = append(out, k)
	}
	return out
}

// Matches reports whether the line's host field names host (a name or
// "[name]:port"): a hashed name by its HMAC, a plain list as OpenSSH's
// match_hostname does (case-insensitive patterns, negation wins).
func (k *KnownHost) Matches(host string) bool {
	if k.Hosts == "" {
		return false
	}
	if k.Hashed() {
		parts := strings.Split(k.Hosts[len(hashMagic):], "|")
		if len(parts) != 2 {
			return false
		}
		salt, err := base64.StdEncoding.DecodeString(parts[0])
		if err != nil || len(salt) != sha1.Size {
			return false
		}
		want := hashHostWithSalt(host, salt)
		return subtle.ConstantTimeCompare([]byte(want), []byte(k.Hosts)) == 1
	}
	return sshpattern.MatchCommaList(strings.ToLower(host), strings.ToLower(k.Hosts)) == 1
}
