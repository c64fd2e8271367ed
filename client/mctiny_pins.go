package client

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pqssh/pqssh/mctiny"
	"github.com/pqssh/pqssh/mctiny/sshkex"
)

// McTiny keys are pinned per host like host keys in known_hosts
// (draft-pqssh-mctiny-ssh-00, section 8), in two places:
//
//   - the pin file, ~/.ssh/pqssh_mctiny_hosts: one line per host,
//
//     host mctiny6688128 SHA256:fingerprint
//
//     where host is written as in known_hosts ("name" for port 22,
//     "[name]:port" otherwise; HostKeyAlias replaces the name), and the
//     fingerprint is sshkex.Fingerprint of the key;
//
//   - the key store, ~/.ssh/pqssh_mctiny_keys/, holding each pinned key
//     (1,044,992 bytes) in a file named by the hex SHA-256 of its
//     contents. A key is used only if it hashes to its pin, so the store
//     needs no protection beyond the pin file's.
//
// A megabyte per line would make the pin file unreadable and slow to
// scan; content addressing keeps it one short line per host.

// mctinyPin is one line of the pin file.
type mctinyPin struct {
	host        string
	fingerprint string
	file        string
	line        int
}

// mctinyKeyDir returns the key store beside the pin file.
func mctinyKeyDir(pinFile string) string {
	return filepath.Join(filepath.Dir(pinFile), "pqssh_mctiny_keys")
}

// lookupMcTinyPin returns the pin of host, if any. Malformed lines are
// reported through bad and skipped.
func lookupMcTinyPin(pinFile, host string, bad func(error)) (*mctinyPin, error) {
	data, err := os.ReadFile(pinFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("McTiny pin file: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || f[1] != mctiny.Name || !strings.HasPrefix(f[2], "SHA256:") {
			bad(fmt.Errorf("%s:%d: malformed McTiny pin", pinFile, n))
			continue
		}
		if f[0] == host {
			return &mctinyPin{host: f[0], fingerprint: f[2], file: pinFile, line: n}, nil
		}
	}
	return nil, sc.Err()
}

// loadMcTinyKey reads the pinned key from the key store; it fails unless
// the file holds a key with the pinned fingerprint.
func loadMcTinyKey(pinFile string, p *mctinyPin) ([]byte, error) {
	sum, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(p.fingerprint, "SHA256:"))
	if err != nil || len(sum) != sha256.Size {
		return nil, fmt.Errorf("%s:%d: malformed fingerprint %s", p.file, p.line, p.fingerprint)
	}
	path := filepath.Join(mctinyKeyDir(pinFile), hex.EncodeToString(sum))
	pk, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(pk) != mctiny.PublicKeySize || sshkex.Fingerprint(pk) != p.fingerprint {
		return nil, fmt.Errorf("%s does not hold the key with fingerprint %s", path, p.fingerprint)
	}
	return pk, nil
}

// pinMcTinyKey stores pk in the key store and appends the pin of host.
func pinMcTinyKey(pinFile, host string, pk []byte) error {
	if err := writeMcTinyKeyFile(pinFile, pk); err != nil {
		return err
	}
	f, err := os.OpenFile(pinFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s %s %s\n", host, mctiny.Name, sshkex.Fingerprint(pk))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeMcTinyKeyFile writes pk to the key store, atomically.
func writeMcTinyKeyFile(pinFile string, pk []byte) error {
	dir := mctinyKeyDir(pinFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	sum := sha256.Sum256(pk)
	path := filepath.Join(dir, hex.EncodeToString(sum[:]))
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(pk)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
