package mctiny

import (
	"crypto/sha3"
	"encoding/binary"
	"math/bits"

	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/crypto/poly1305"
	"golang.org/x/crypto/salsa20/salsa"
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

// boxScratch is the scratch sealBox and openBox need for the longest
// message a packet carries: the 32 bytes of key stream that make the
// Poly1305 key, then the message.
const boxScratch = 32 + MaxPacketSize

// seal appends the box (tag ‖ ciphertext) of msg to dst. dst must have room
// for len(msg)+TagSize bytes so that nothing is allocated; msg and the
// appended box must not overlap.
func seal(dst, msg []byte, n *[NonceSize]byte, k *[KeySize]byte) []byte {
	if len(msg) > MaxPacketSize {
		return secretbox.Seal(dst, msg, n, k)
	}
	var ks [boxScratch]byte
	dst = sealBox(dst, ks[:], msg, n, k)
	clear(ks[:32+len(msg)])
	return dst
}

// open appends the plaintext of box to dst and reports whether box is
// authentic.
func open(dst, box []byte, n *[NonceSize]byte, k *[KeySize]byte) ([]byte, bool) {
	if len(box) > boxScratch-32+TagSize {
		return secretbox.Open(dst, box, n, k)
	}
	var ks [boxScratch]byte
	p, ok := openBox(ks[:], box, n, k)
	if ok {
		dst = append(dst, p...)
	}
	clear(ks[:])
	if !ok {
		return nil, false
	}
	return dst, true
}

// sealBox is NaCl's crypto_secretbox (XSalsa20-Poly1305, the box without
// its 16 leading zero bytes) computed with one pass of the key stream:
// scratch (at least 32+len(msg) bytes) receives 32 zero bytes and msg, the
// key stream is XORed over both, and the first 32 bytes are the Poly1305
// key. It appends tag ‖ ciphertext to dst and leaves the key stream and
// the ciphertext in scratch, which the caller wipes.
func sealBox(dst, scratch, msg []byte, n *[NonceSize]byte, k *[KeySize]byte) []byte {
	buf := scratch[:32+len(msg)]
	clear(buf[:32])
	copy(buf[32:], msg)
	xsalsaXOR(buf, n, k)
	var tag [TagSize]byte
	poly1305.Sum(&tag, buf[32:], (*[32]byte)(buf[:32]))
	clear(buf[:32])
	dst = append(dst, tag[:]...)
	return append(dst, buf[32:]...)
}

// openBox opens box (tag ‖ ciphertext) like crypto_secretbox_open, with
// scratch as for sealBox (at least 16+len(box) bytes). The plaintext it
// returns lies in scratch; on failure scratch is wiped.
func openBox(scratch, box []byte, n *[NonceSize]byte, k *[KeySize]byte) ([]byte, bool) {
	var sub [32]byte
	var ctr [16]byte
	xsalsaKey(&sub, &ctr, n, k)
	p, ok := openBoxSub(scratch, box, &ctr, &sub)
	clear(sub[:])
	return p, ok
}

// openBoxSub is openBox after XSalsa20's key derivation (xsalsaKey): sub
// is the Salsa20 key HSalsa20(k, n[:16]), counter holds n[16:24] and a
// zero block counter.
func openBoxSub(scratch, box []byte, counter *[16]byte, sub *[32]byte) ([]byte, bool) {
	if len(box) < TagSize {
		return nil, false
	}
	ct := box[TagSize:]
	buf := scratch[:32+len(ct)]
	clear(buf[:32])
	copy(buf[32:], ct)
	salsaXOR(buf, buf, counter, sub)
	ok := poly1305.Verify((*[TagSize]byte)(box[:TagSize]), ct, (*[32]byte)(buf[:32]))
	clear(buf[:32])
	if !ok {
		clear(buf)
		return nil, false
	}
	return buf[32:], true
}

// xsalsaXOR XORs buf in place with the XSalsa20 key stream of key k and
// nonce n, from its first byte.
func xsalsaXOR(buf []byte, n *[NonceSize]byte, k *[KeySize]byte) {
	var sub [32]byte
	var ctr [16]byte
	xsalsaKey(&sub, &ctr, n, k)
	salsaXOR(buf, buf, &ctr, &sub)
	clear(sub[:])
}

// xsalsaKey derives XSalsa20's Salsa20 key sub = HSalsa20(k, n[:16]) and
// Salsa20 nonce and counter (n[16:24], block 0).
func xsalsaKey(sub *[32]byte, counter *[16]byte, n *[NonceSize]byte, k *[KeySize]byte) {
	salsa.HSalsa20(sub, (*[16]byte)(n[:16]), k, &salsa.Sigma)
	copy(counter[:8], n[16:])
	clear(counter[8:])
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
