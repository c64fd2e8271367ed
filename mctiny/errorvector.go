package mctiny

import "encoding/binary"

// The error vector e is derived from the 32-byte seed E carried in the
// cookie C0. Only the server ever expands E, so the expansion is a private
// choice of the server (draft-pqssh-mctiny-ssh-00 section 5.3); pqssh's is:
//
//  1. Take the first 4t = 512 bytes of the Salsa20 key stream under the key
//     E with the all-zero nonce (block counter from 0) and split them into
//     2t = 256 little-endian 16-bit words w_0..w_255. (The McTiny reference
//     software also draws e from a Salsa20-family stream keyed by E; E is
//     a fresh uniform key used for nothing else.)
//  2. Mask each word to its low 13 bits (m = 13); a word is a candidate
//     position if it is below n = 6688.
//  3. The positions of e are the first t = 128 candidates, in order.
//  4. E is valid if there are t candidates and they are distinct, that is,
//     if e has weight exactly t. The server draws E afresh until it is
//     valid (about 30 % of seeds are), exactly as Classic McEliece's
//     FixedWeight rejects and retries, so every e is uniform among the
//     weight-t vectors given a uniform E.
//
// The expansion is constant-time in E: a candidate that is not one of the
// t positions is replaced, without branches, by noPosition, and bits of e
// are set by scanning every output word, never by indexing with a secret.
const eStreamBytes = 4 * mceT

// noPosition stands for a candidate that is not a position of e: it lies
// beyond every window bitsOf is asked for (windows end at n = 6688).
const noPosition = 0xffff

// errorVector is the expanded form of a seed: the 2t candidates, each
// either one of e's t positions or noPosition.
type errorVector struct {
	stream [eStreamBytes]byte
	pos    [2 * mceT]uint64
}

// expand derives the candidate positions of E.
func (v *errorVector) expand(E []byte) {
	var nonce [16]byte
	clear(v.stream[:])
	salsaXOR(v.stream[:], v.stream[:], &nonce, (*[SeedSize]byte)(E))
	var count uint64
	for k := range v.pos {
		p := uint64(binary.LittleEndian.Uint16(v.stream[2*k:])) & (1<<mceM - 1)
		valid := ctLess(p, mceN)
		take := -(valid & ctLess(count, mceT))
		v.pos[k] = p | ^take&noPosition
		count += valid
	}
	wipe(v.stream[:])
}

// bitsOf writes into dst the bits of e at positions [start, start+width),
// bit b of the range at bit b%64 of dst[b/64]. width must be at most
// 64*len(dst) and start+width at most n.
func (v *errorVector) bitsOf(dst []uint64, start, width uint64) {
	bitsOf(dst, &v.pos, start, width)
}

// bitsOfGeneric is bitsOf in plain Go: every candidate is compared with
// every output word.
func bitsOfGeneric(dst []uint64, pos *[2 * mceT]uint64, start, width uint64) {
	clear(dst)
	for _, p := range pos {
		rel := p - start // wraps for positions before start
		bit := ctLess(rel, width) << (rel & 63)
		word := rel >> 6
		for i := range dst {
			dst[i] |= bit & -ctEq(word, uint64(i))
		}
	}
}

// eWords is the length in 64-bit words of the whole of e.
const eWords = (mceN + 63) / 64

// full writes all of e into w and returns its weight.
func (v *errorVector) full(w *[eWords]uint64) uint64 {
	v.bitsOf(w[:], 0, mceN)
	var weight uint64
	for _, x := range w {
		weight += uint64(popcount(x))
	}
	return weight
}

// wipe erases the positions.
func (v *errorVector) wipe() {
	clear(v.pos[:])
}

// errorBytes encodes e (from full) as Classic McEliece bytes: bit i of e
// is bit i%8 of byte i/8.
func errorBytes(dst *[ErrorBytes]byte, w *[eWords]uint64) {
	for i := 0; i < ErrorBytes; i += 8 {
		putLE64(dst[i:min(i+8, ErrorBytes)], w[i/8])
	}
}
