package sntrup761

import (
	"bytes"
	"crypto/aes"
	"encoding/binary"
	"testing"
)

// TestKeystream: the keystream is AES-256 of the counter blocks 0, 1, 2, …
// (big-endian) whatever the buffer held before, across uneven reads; two
// fresh keystreams differ.
func TestKeystream(t *testing.T) {
	var key [32]byte
	for i := range key {
		key[i] = byte(3*i + 1)
	}
	ks, err := keystreamFrom(&key)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 0, 6400)
	for _, n := range []int{4 * p, 7, 4*p + 9, smallBytes} {
		b := bytes.Repeat([]byte{0xa5}, n)
		if m, err := ks.Read(b); m != n || err != nil {
			t.Fatalf("Read(%d) = %d, %v", n, m, err)
		}
		got = append(got, b...)
	}
	block, err := aes.NewCipher(key[:])
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i*16 < len(got); i++ {
		var ctr, want [16]byte
		binary.BigEndian.PutUint64(ctr[8:], uint64(i))
		block.Encrypt(want[:], ctr[:])
		if !bytes.HasPrefix(want[:], got[i*16:min(len(got), i*16+16)]) {
			t.Fatalf("keystream block %d is not AES(counter %d)", i, i)
		}
	}

	a, err := newKeystream()
	if err != nil {
		t.Fatal(err)
	}
	b, err := newKeystream()
	if err != nil {
		t.Fatal(err)
	}
	x, y := make([]byte, 64), make([]byte, 64)
	a.Read(x)
	b.Read(y)
	if bytes.Equal(x, y) {
		t.Fatal("two fresh keystreams gave the same bytes")
	}
}
