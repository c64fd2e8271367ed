// Package testvectors holds pqssh's test-vector files and the tests that
// validate them against our implementations.
//
// A vector file is lines of "name = hex"; lines starting with '#' are
// comments that say where the values come from.
package testvectors

import (
	"bufio"
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
)

// Load reads a vector file into a map from field name to bytes. A file
// whose name ends in .gz is gunzipped first. A "method = NAME" line is
// kept as the bytes of NAME.
func Load(path string) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	out := map[string][]byte{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, " = ")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want \"name = hex\"", path, n)
		}
		b, err := hex.DecodeString(value)
		if name == "method" {
			b, err = []byte(value), nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%s:%d: duplicate field %s", path, n, name)
		}
		out[name] = b
	}
	return out, sc.Err()
}
