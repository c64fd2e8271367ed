// Package kat produces NIST known-answer-test entries for a KEM, framed
// exactly as PQCgenKAT_kem.c writes them, so that tests can compare
// SHA-256 digests with the ones liboqs and PQClean publish.
//
// Framing: one entry is
// "count = N\nseed = HEX\npk = HEX\nsk = HEX\nct = HEX\nss = HEX\n" in
// upper-case hex. The "single" digest is SHA-256 of entry 0; the "all"
// digest is SHA-256 of the entries joined by "\n".
package kat

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/pqssh/pqssh/internal/nistdrbg"
)

// Entry is one known-answer test.
type Entry struct {
	Count                int
	Seed, PK, SK, CT, SS []byte
}

// String renders the entry in NIST framing.
func (e Entry) String() string {
	h := func(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }
	return fmt.Sprintf("count = %d\nseed = %s\npk = %s\nsk = %s\nct = %s\nss = %s\n",
		e.Count, h(e.Seed), h(e.PK), h(e.SK), h(e.CT), h(e.SS))
}

// KEM runs one KAT round with randomness drawn from rand, in the pieces the
// reference implementation draws it: key generation, then encapsulation,
// then decapsulation (whose result must equal the encapsulated secret).
type KEM func(rand io.Reader) (pk, sk, ct, ss []byte, err error)

// Seeds returns the n 48-byte seeds of PQCgenKAT_kem.c.
func Seeds(n int) [][]byte {
	entropy := make([]byte, 48)
	for i := range entropy {
		entropy[i] = byte(i)
	}
	d := nistdrbg.New(entropy)
	seeds := make([][]byte, n)
	for i := range seeds {
		seeds[i] = make([]byte, 48)
		d.Read(seeds[i])
	}
	return seeds
}

// Generate produces the first n entries.
func Generate(kem KEM, n int) ([]Entry, error) {
	var out []Entry
	for i, seed := range Seeds(n) {
		pk, sk, ct, ss, err := kem(nistdrbg.New(seed))
		if err != nil {
			return nil, fmt.Errorf("kat count %d: %w", i, err)
		}
		out = append(out, Entry{Count: i, Seed: seed, PK: pk, SK: sk, CT: ct, SS: ss})
	}
	return out, nil
}

// SingleDigest is the hex SHA-256 of entry 0 alone.
func SingleDigest(entries []Entry) string {
	s := sha256.Sum256([]byte(entries[0].String()))
	return hex.EncodeToString(s[:])
}

// AllDigest is the hex SHA-256 of all entries separated by "\n".
func AllDigest(entries []Entry) string {
	h := sha256.New()
	for i, e := range entries {
		if i > 0 {
			io.WriteString(h, "\n")
		}
		io.WriteString(h, e.String())
	}
	return hex.EncodeToString(h.Sum(nil))
}
