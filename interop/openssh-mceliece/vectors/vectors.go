// Package vectors reads the key-exchange vectors extracted from the
// project's patched OpenSSH (interop/openssh-mceliece) built with
// -DDEBUG_KEX -DDEBUG_KEXECDH.
//
// Each file is a gzip'd text file of "name = hex" lines ('#' starts a
// comment); see README.md in this directory for the fields. The method is
// mceliece6688128x25519-sha512 as specified by
// draft-josefsson-ssh-mceliece-00 (SHA-512 combiner), not the Chempat
// combiner of later revisions.
package vectors

import (
	"bufio"
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// OpenSSHMcEliece is the file name of the mceliece6688128x25519-sha512
// vector from OpenSSH 10.0p1 (Debian trixie) with the project's patch.
const OpenSSHMcEliece = "mceliece6688128x25519-sha512.openssh-10.0p1.txt.gz"

// Vector is one recorded exchange, seen from the client.
type Vector struct {
	Method string
	// Fields maps a field name (mceliece_sk, x25519_client_priv,
	// hash_input, …) to its bytes.
	Fields map[string][]byte
}

// Dir is the directory holding the vector files.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testvectors", "kex")
}

// Load reads the vector file name from Dir.
func Load(name string) (*Vector, error) {
	f, err := os.Open(filepath.Join(Dir(), name))
	if err != nil {
		return nil, fmt.Errorf("vectors: %w", err)
	}
	defer f.Close()
	v, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("vectors: %s: %w", name, err)
	}
	return v, nil
}

// Parse reads a gzip'd vector file.
func Parse(r io.Reader) (*Vector, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	v := &Vector{Fields: make(map[string][]byte)}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, " = ")
		if !ok {
			return nil, fmt.Errorf("line %d: want \"name = value\"", n)
		}
		if name == "method" {
			v.Method = value
			continue
		}
		if _, dup := v.Fields[name]; dup {
			return nil, fmt.Errorf("line %d: %s given twice", n, name)
		}
		b, err := hex.DecodeString(value)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", n, name, err)
		}
		v.Fields[name] = b
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if v.Method == "" {
		return nil, fmt.Errorf("no method line")
	}
	return v, nil
}
