package sntrup761

import (
	"encoding/binary"
	"fmt"
	"io"
)

// source draws the random 32-bit words of key generation and encapsulation
// from an io.Reader, in one of the two call patterns that known-answer tests
// distinguish (internal/kat):
//
//   - bulk (perWord false): one read of 4*p bytes per random polynomial,
//     as liboqs, PQClean-derived code and OpenSSH do;
//   - per-word (perWord true): one 4-byte read per 32-bit word, as the
//     reference code behind the official round 3 KAT does.
//
// Words are little-endian. With a true random source both give the same
// distribution; the pattern matters only for deterministic replays.
type source struct {
	r       io.Reader
	perWord bool
}

func (s source) words(dst *[p]uint32) error {
	if s.perWord {
		var b [4]byte
		for i := range dst {
			if _, err := io.ReadFull(s.r, b[:]); err != nil {
				return fmt.Errorf("sntrup761: reading randomness: %w", err)
			}
			dst[i] = binary.LittleEndian.Uint32(b[:])
		}
		return nil
	}
	var b [4 * p]byte
	defer clear(b[:])
	if _, err := io.ReadFull(s.r, b[:]); err != nil {
		return fmt.Errorf("sntrup761: reading randomness: %w", err)
	}
	for i := range dst {
		dst[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return nil
}

func (s source) bytes(dst []byte) error {
	if _, err := io.ReadFull(s.r, dst); err != nil {
		return fmt.Errorf("sntrup761: reading randomness: %w", err)
	}
	return nil
}

// smallRandom draws a uniform-ish element of {-1,0,1}^p (spec: Small_random).
func (s source) smallRandom(out *[p]int8) error {
	var L [p]uint32
	defer clear(L[:])
	if err := s.words(&L); err != nil {
		return err
	}
	for i, x := range L {
		out[i] = int8((((x & 0x3fffffff) * 3) >> 30)) - 1
	}
	return nil
}

// shortRandom draws a random element of weight w (spec: Short_random).
func (s source) shortRandom(out *[p]int8) error {
	var L [p]uint32
	defer clear(L[:])
	if err := s.words(&L); err != nil {
		return err
	}
	shortFromList(out, &L)
	return nil
}

// shortFromList maps p random words to a weight-w polynomial: the first w
// words are tagged nonzero (low bits 0 or 2 → coefficient -1 or 1), the
// rest zero (low bits 1), and a constant-time sort shuffles the tags.
func shortFromList(out *[p]int8, in *[p]uint32) {
	var L [p]uint32
	defer clear(L[:])
	for i := 0; i < w; i++ {
		L[i] = in[i] &^ 1
	}
	for i := w; i < p; i++ {
		L[i] = (in[i] &^ 2) | 1
	}
	sortUint32(L[:])
	for i, x := range L {
		out[i] = int8(x&3) - 1
	}
}
