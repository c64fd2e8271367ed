package mctiny

import (
	"bytes"
	"errors"
	"testing"
)

// countingReader yields 0, 1, 2, ... (mod 256) and fails once failAfter
// bytes have been read.
type countingReader struct{ n, failAfter int }

func (r *countingReader) Read(p []byte) (int, error) {
	if r.n+len(p) > r.failAfter {
		return 0, errors.New("no more randomness")
	}
	for i := range p {
		p[i] = byte(r.n)
		r.n++
	}
	return len(p), nil
}

// TestRandomBytes: the worker's buffer hands out each random byte once,
// from the end of each 512-byte read, erases what it hands out and what
// it discards, refills when a request does not fit, and reports a failed
// read (a reply then goes unsent, dropRand).
func TestRandomBytes(t *testing.T) {
	src := &countingReader{failAfter: 2 * 512}
	s := &Server{rand: src}
	w := &worker{}
	seen := map[byte]int{}
	var out [NoncePrefixSize + 2]byte
	for range 512 / len(out) { // 21 replies from the first read
		if !s.randomBytes(w, out[:]) {
			t.Fatal("randomBytes failed with randomness available")
		}
		for _, b := range out {
			seen[b]++
		}
	}
	if src.n != 512 {
		t.Fatalf("%d bytes read for 21 replies, want one read of 512", src.n)
	}
	if !bytes.Equal(w.rbuf[w.rpos:], make([]byte, 512-w.rpos)) {
		t.Fatal("bytes handed out are still in the buffer")
	}
	// The 22nd does not fit in the 8 bytes left: a second read.
	if !s.randomBytes(w, out[:]) || src.n != 1024 {
		t.Fatalf("refill: read %d bytes", src.n)
	}
	if !bytes.Equal(out[:], []byte{0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff}) {
		t.Fatalf("after a refill got %x, want the last 24 bytes of the new read", out)
	}
	for b, n := range seen {
		if n != 2 { // 0..255 twice in the first 512 bytes, each handed out once
			if !(b < 8 && n == 1) { // 8 bytes (0-7 of the second half) were discarded
				t.Fatalf("byte %#x handed out %d times", b, n)
			}
		}
	}
	for w.rpos >= len(out) {
		s.randomBytes(w, out[:])
	}
	if s.randomBytes(w, out[:]) {
		t.Fatal("randomBytes succeeded although the reader failed")
	}
	if w.rpos != 0 || !bytes.Equal(w.rbuf[:], make([]byte, 512)) {
		t.Fatal("a failed refill left bytes in the buffer")
	}
}
