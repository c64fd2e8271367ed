package mceliece

import (
	"encoding/binary"

	"fmt"
	"io"
	"math/bits"

	"golang.org/x/crypto/sha3"
)

// FixedWeight draws a uniformly random error vector e of length N and
// weight T (round-4 specification, section 2.4.4 FixedWeight, as the
// reference implementation draws it): it reads 2T little-endian 16-bit words
// (512 bytes) from rand, masks each to 13 bits, keeps the first T below N and
// retries with a fresh read if there are fewer than T or if two coincide. The
// result is e encoded as N/8 = 836 bytes, bit i%8 of byte i/8 being e_i.
func FixedWeight(rand io.Reader) ([]byte, error) {
	var buf [4 * T]byte
	var ind [T]uint16
	defer clear(buf[:])
	defer clear(ind[:])
	for {
		if _, err := io.ReadFull(rand, buf[:]); err != nil {
			return nil, fmt.Errorf("mceliece: reading randomness: %w", err)
		}
		count := 0
		for i := 0; i < 2*T && count < T; i++ {
			v := binary.LittleEndian.Uint16(buf[2*i:]) & gfMask
			// Which words are kept is public rejection sampling: a word's
			// rejection reveals nothing about the kept ones.
			if v < N {
				ind[count] = v
				count++
			}
		}
		if count < T {
			continue
		}
		if !distinct(&ind) {
			continue
		}
		var ew [fwWords]uint64
		setBits(&ew, &ind)
		e := make([]byte, eBytes)
		var eb [rowWords * 8]byte
		for w := range rowWords {
			binary.LittleEndian.PutUint64(eb[8*w:], ew[w])
		}
		copy(e, eb[:])
		clear(eb[:])
		clear(ew[:])
		return e, nil
	}
}

// fwWords is the length of the error vector as built from its indices:
// rowWords rounded up to whole 4-word (256-bit) vectors.
const fwWords = (rowWords + 3) / 4 * 4

// distinctGeneric reports whether the T indices are pairwise distinct,
// comparing every pair with masks.
func distinctGeneric(ind *[T]uint16) bool {
	eq := uint32(0)
	for i := 1; i < T; i++ {
		a := uint32(ind[i])
		for _, b := range ind[:i] {
			eq |= ((a ^ uint32(b)) - 1) >> 31
		}
	}
	return eq == 0
}

// setBitsGeneric sets ew to the vector with bits ind[0..T-1] (each below
// N), touching every word for every index with masks.
func setBitsGeneric(ew *[fwWords]uint64, ind *[T]uint16) {
	*ew = [fwWords]uint64{}
	for _, v := range ind {
		bit := uint64(1) << (v & 63)
		pos := uint64(v >> 6)
		for w := range ew {
			d := uint64(w) ^ pos
			ew[w] |= bit & -((d - 1) >> 63)
		}
	}
}

// Encode computes the ciphertext C = He for the public key pk (PublicKeySize
// bytes, the matrix T) and the error vector e (N/8 bytes), H = (I_mt | T)
// (round-4 specification, section 2.2.2 Encode). C is Rows/8 = 208 bytes,
// bit i%8 of byte i/8 being row i of He. Encode does not check the weight of
// e: McTiny computes He in pieces and relies on it for any e.
func Encode(pk []byte, e []byte) ([]byte, error) {
	if len(pk) != PublicKeySize {
		return nil, fmt.Errorf("mceliece: public key is %d bytes, want %d", len(pk), PublicKeySize)
	}
	if len(e) != eBytes {
		return nil, fmt.Errorf("mceliece: error vector is %d bytes, want %d", len(e), eBytes)
	}
	c := make([]byte, CiphertextSize)
	encode(c, pk, e)
	return c, nil
}

// encodeGeneric computes C = He; the public-key rows are read as 64-bit words
// (628 = 78·8 + 4 bytes).
func encodeGeneric(c, pk, e []byte) {
	var ew [RowBytes/8 + 1]uint64
	tail := e[Rows/8:]
	for i := 0; i < RowBytes/8; i++ {
		ew[i] = binary.LittleEndian.Uint64(tail[8*i:])
	}
	ew[RowBytes/8] = uint64(binary.LittleEndian.Uint32(tail[8*(RowBytes/8):]))
	for i := 0; i < Rows; i++ {
		row := pk[i*RowBytes : (i+1)*RowBytes]
		var acc uint64
		for j := 0; j < RowBytes/8; j++ {
			acc ^= binary.LittleEndian.Uint64(row[8*j:]) & ew[j]
		}
		acc ^= uint64(binary.LittleEndian.Uint32(row[8*(RowBytes/8):])) & ew[RowBytes/8]
		b := byte(bits.OnesCount64(acc)&1) ^ (e[i>>3] >> (i & 7) & 1)
		c[i>>3] |= b << (i & 7)
	}
}

// SessionKey returns the Classic McEliece session key for the error vector e
// (N/8 = 836 bytes) and the ciphertext c (208 bytes):
// K = SHAKE256(0x01 ‖ e ‖ C), 32 bytes (round-4 specification, section 2.4.5
// Encap, non-pc). It panics if the lengths are wrong.
func SessionKey(e, c []byte) []byte {
	if len(e) != eBytes || len(c) != CiphertextSize {
		panic("mceliece: SessionKey: wrong input lengths")
	}
	return hashKey(1, e, c)
}

func hashKey(prefix byte, e, c []byte) []byte {
	h := sha3.NewShake256()
	h.Write([]byte{prefix})
	h.Write(e)
	h.Write(c)
	k := make([]byte, SharedKeySize)
	h.Read(k)
	return k
}

// encapsulate runs Encap with randomness from rand.
func encapsulate(pk []byte, rand io.Reader) (ct, ss []byte, err error) {
	e, err := FixedWeight(rand)
	if err != nil {
		return nil, nil, err
	}
	defer clear(e)
	ct = make([]byte, CiphertextSize)
	encode(ct, pk, e)
	return ct, hashKey(1, e, ct), nil
}

func hashKeyRaw(pre []byte) []byte {
	k := make([]byte, SharedKeySize)
	sha3.ShakeSum256(k, pre)
	return k
}
