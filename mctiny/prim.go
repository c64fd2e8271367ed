package mctiny

import (
	"crypto/sha3"
	"encoding/binary"
	"math/bits"

	"golang.org/x/crypto/nacl/secretbox"
)

// hash is McTiny's hash: the first 32 bytes of SHAKE256 of the
// concatenation of its inputs. sh is caller-owned scratch so that hashing
// does not allocate.
func hash(sh *sha3.SHAKE, out *[HashSize]byte, a, b []byte) {
	sh.Reset()
	sh.Write(a)
	if len(b) > 0 {
		sh.Write(b)
	}
	sh.Read(out[:])
}

// setNonce writes prefix ‖ n22 ‖ n23 into n.
func setNonce(n *[NonceSize]byte, prefix []byte, n22, n23 byte) {
	copy(n[:NoncePrefixSize], prefix)
	n[22] = n22
	n[23] = n23
}

// seal appends the box (tag ‖ ciphertext) of msg to dst. dst must have room
// for len(msg)+TagSize bytes so that nothing is allocated; msg and the
// appended box must not overlap.
func seal(dst, msg []byte, n *[NonceSize]byte, k *[KeySize]byte) []byte {
	return secretbox.Seal(dst, msg, n, k)
}

// open appends the plaintext of box to dst and reports whether box is
// authentic.
func open(dst, box []byte, n *[NonceSize]byte, k *[KeySize]byte) ([]byte, bool) {
	return secretbox.Open(dst, box, n, k)
}

// Constant-time helpers on uint64: each returns 0 or 1.

// ctLess reports a < b.
func ctLess(a, b uint64) uint64 {
	_, borrow := bits.Sub64(a, b, 0)
	return borrow
}

// ctEq reports a == b.
func ctEq(a, b uint64) uint64 {
	x := a ^ b
	return 1 ^ ((x | -x) >> 63)
}

// le64 reads up to 8 bytes little-endian.
func le64(b []byte) uint64 {
	if len(b) >= 8 {
		return binary.LittleEndian.Uint64(b)
	}
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// putLE64 writes the low len(b) bytes (at most 8) of v little-endian.
func putLE64(b []byte, v uint64) {
	if len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, v)
		return
	}
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
}

// wipe zeroes b.
func wipe(b []byte) {
	clear(b)
}

func popcount(x uint64) int { return bits.OnesCount64(x) }
