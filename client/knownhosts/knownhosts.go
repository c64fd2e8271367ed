// Package knownhosts reads and writes OpenSSH known_hosts files (sshd(8),
// SSH_KNOWN_HOSTS FILE FORMAT): comma-separated host patterns with '*',
// '?' and '!' negation, the "[host]:port" form for non-standard ports,
// hashed entries ("|1|salt|hash", HMAC-SHA1), and the @cert-authority and
// @revoked markers.
//
// Unlike golang.org/x/crypto/ssh/knownhosts it reports whether a host is
// unknown or known with a different key of the same type (OpenSSH's
// "REMOTE HOST IDENTIFICATION HAS CHANGED"), tolerates lines it cannot
// parse (as OpenSSH does), and tells which key types are known for a host
// so that they can be preferred during key exchange.
package knownhosts

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pqssh/pqssh/internal/sshconf"
	"golang.org/x/crypto/ssh"
)

// Entry is one host key line.
type Entry struct {
	Marker   string // "", "@cert-authority" or "@revoked"
	Patterns []string
	hashSalt []byte
	hash     []byte
	Key      ssh.PublicKey
	File     string
	Line     int
}

// DB is the content of one or more known_hosts files.
type DB struct {
	Entries []Entry
}

// Load reads the files that exist; missing files are skipped. Lines that
// cannot be parsed are skipped and reported in bad.
func Load(files ...string) (db *DB, bad []error) {
	db = &DB{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				bad = append(bad, err)
			}
			continue
		}
		bad = append(bad, db.Read(fh, f)...)
		fh.Close()
	}
	return db, bad
}

// maxLine bounds one known_hosts line (OpenSSH uses 8 KiB for most keys;
// post-quantum and large RSA keys need more).
const maxLine = 1 << 20

// Read adds the lines of r, naming file in errors and entries.
func (db *DB) Read(r io.Reader, file string) []error {
	var bad []error
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 8192), maxLine)
	n := 0
	for sc.Scan() {
		n++
		l := strings.TrimSpace(sc.Text())
		if l == "" || l[0] == '#' {
			continue
		}
		e, err := parseLine(l)
		if err != nil {
			bad = append(bad, fmt.Errorf("%s:%d: %v", file, n, err))
			continue
		}
		e.File, e.Line = file, n
		db.Entries = append(db.Entries, e)
	}
	if err := sc.Err(); err != nil {
		bad = append(bad, fmt.Errorf("%s: %w", file, err))
	}
	return bad
}

func parseLine(l string) (Entry, error) {
	f := strings.Fields(l)
	var e Entry
	if len(f) > 0 && strings.HasPrefix(f[0], "@") {
		e.Marker = f[0]
		if e.Marker != "@cert-authority" && e.Marker != "@revoked" {
			return Entry{}, fmt.Errorf("unknown marker %q", e.Marker)
		}
		f = f[1:]
	}
	if len(f) < 3 {
		return Entry{}, fmt.Errorf("missing fields")
	}
	if strings.HasPrefix(f[0], "|1|") {
		parts := strings.Split(f[0][3:], "|")
		if len(parts) != 2 {
			return Entry{}, fmt.Errorf("bad hashed host")
		}
		salt, err1 := base64.StdEncoding.DecodeString(parts[0])
		hash, err2 := base64.StdEncoding.DecodeString(parts[1])
		if err1 != nil || err2 != nil || len(hash) != sha1.Size {
			return Entry{}, fmt.Errorf("bad hashed host")
		}
		e.hashSalt, e.hash = salt, hash
	} else {
		e.Patterns = strings.Split(f[0], ",")
	}
	blob, err := base64.StdEncoding.DecodeString(f[2])
	if err != nil {
		return Entry{}, fmt.Errorf("bad key encoding: %v", err)
	}
	key, err := ssh.ParsePublicKey(blob)
	if err != nil {
		return Entry{}, fmt.Errorf("bad key: %v", err)
	}
	if key.Type() != f[1] {
		return Entry{}, fmt.Errorf("key type %q does not match %q", key.Type(), f[1])
	}
	e.Key = key
	return e, nil
}

// HostName returns the name a host is recorded under: the host itself for
// port 22, "[host]:port" otherwise.
func HostName(host string, port int) string {
	if port == 22 || port == 0 {
		return host
	}
	return "[" + host + "]:" + strconv.Itoa(port)
}

// Matches reports whether the entry applies to the host name (as returned
// by HostName).
func (e *Entry) Matches(name string) bool {
	if e.hash != nil {
		return hmac.Equal(hashHost(name, e.hashSalt), e.hash)
	}
	return sshconf.MatchHostList(name, e.Patterns) == 1
}

func hashHost(name string, salt []byte) []byte {
	m := hmac.New(sha1.New, salt)
	m.Write([]byte(name))
	return m.Sum(nil)
}

// Result is the outcome of a host key lookup.
type Result int

const (
	// Unknown: no key of this type is recorded for the host.
	Unknown Result = iota
	// Known: the key is recorded for the host.
	Known
	// Changed: a different key of the same type is recorded for the host.
	Changed
	// Revoked: the key is marked @revoked.
	Revoked
)

// Check looks the key up for a host name. For Changed, conflicts lists the
// recorded keys of the same type; for Unknown it lists recorded keys of
// other types (OpenSSH mentions them in its prompt).
func (db *DB) Check(name string, key ssh.PublicKey) (Result, []Entry) {
	blob := key.Marshal()
	var same, other []Entry
	for _, e := range db.Entries {
		if e.Marker == "@revoked" && bytes.Equal(e.Key.Marshal(), blob) {
			return Revoked, []Entry{e}
		}
	}
	for _, e := range db.Entries {
		if e.Marker != "" || !e.Matches(name) {
			continue
		}
		if bytes.Equal(e.Key.Marshal(), blob) {
			return Known, []Entry{e}
		}
		if e.Key.Type() == key.Type() {
			same = append(same, e)
		} else {
			other = append(other, e)
		}
	}
	if len(same) > 0 {
		return Changed, same
	}
	return Unknown, other
}

// IsHostAuthority reports whether auth is an @cert-authority key for name.
func (db *DB) IsHostAuthority(auth ssh.PublicKey, name string) bool {
	blob := auth.Marshal()
	for _, e := range db.Entries {
		if e.Marker == "@cert-authority" && e.Matches(name) && bytes.Equal(e.Key.Marshal(), blob) {
			return true
		}
	}
	return false
}

// IsRevoked reports whether key is marked @revoked.
func (db *DB) IsRevoked(key ssh.PublicKey) bool {
	blob := key.Marshal()
	for _, e := range db.Entries {
		if e.Marker == "@revoked" && bytes.Equal(e.Key.Marshal(), blob) {
			return true
		}
	}
	return false
}

// KnownTypes returns the key types recorded for name, in file order,
// without duplicates.
func (db *DB) KnownTypes(name string) []string {
	var out []string
	for _, e := range db.Entries {
		if e.Marker == "" && e.Matches(name) {
			t := e.Key.Type()
			found := false
			for _, o := range out {
				found = found || o == t
			}
			if !found {
				out = append(out, t)
			}
		}
	}
	return out
}

// Line formats a known_hosts line for the names, hashing them when hash
// is set (each name hashed separately, as ssh-keygen -H does).
func Line(names []string, key ssh.PublicKey, hash bool) (string, error) {
	var hosts []string
	for _, n := range names {
		if !hash {
			hosts = append(hosts, n)
			continue
		}
		salt := make([]byte, sha1.Size)
		if _, err := rand.Read(salt); err != nil {
			return "", err
		}
		hosts = append(hosts, "|1|"+base64.StdEncoding.EncodeToString(salt)+"|"+
			base64.StdEncoding.EncodeToString(hashHost(n, salt)))
	}
	var lines []string
	if hash {
		for _, h := range hosts {
			lines = append(lines, h+" "+strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))))
		}
		return strings.Join(lines, "\n"), nil
	}
	return strings.Join(hosts, ",") + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))), nil
}

// Append adds line to file, creating the file (0600) and its directory
// (0700) when missing, and starting on a new line if the file does not end
// with one.
func Append(file, line string) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	prefix := ""
	if st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			prefix = "\n"
		}
	}
	if _, err := f.WriteString(prefix + line + "\n"); err != nil {
		return err
	}
	return f.Close()
}
