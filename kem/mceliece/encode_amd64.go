//go:build amd64 && !purego

package mceliece

import "encoding/binary"

//go:noescape
func encodeRowsAVX2(out *[Rows / 64]uint64, pk *byte, e *byte, tail *[32]byte)

// encode computes C = He (see encodeGeneric), with AVX2 when available: the
// kernel returns the parities of T·e_K as 64-bit words, and the identity
// part adds the first Rows bits of e.
func encode(c, pk, e []byte) {
	if !useAVX2 || len(pk) != PublicKeySize || len(e) != eBytes || len(c) != CiphertextSize {
		encodeGeneric(c, pk, e)
		return
	}
	const blocks = 19 * 32 // bytes of a row read in whole 32-byte blocks
	var par [Rows / 64]uint64
	var tail [32]byte
	et := e[Rows/8:]
	copy(tail[32-(RowBytes-blocks):], et[blocks:])
	encodeRowsAVX2(&par, &pk[0], &et[0], &tail)
	for w := range par {
		binary.LittleEndian.PutUint64(c[8*w:], par[w]^binary.LittleEndian.Uint64(e[8*w:]))
	}
	clear(tail[:])
	clear(par[:])
}
