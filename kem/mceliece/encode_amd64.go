//go:build amd64 && !purego

package mceliece

import (
	"encoding/binary"
	"math/bits"
)

//go:noescape
func rowAndXorAVX2(out *uint64, pk *byte, e *byte, rows int)

// encode computes C = He (see encodeGeneric), with AVX2 when available.
func encode(c, pk, e []byte) {
	if !useAVX2 || len(pk) != PublicKeySize || len(e) != eBytes {
		encodeGeneric(c, pk, e)
		return
	}
	const vecBytes = 19 * 32
	var acc [Rows]uint64
	tail := e[Rows/8:]
	rowAndXorAVX2(&acc[0], &pk[0], &tail[0], Rows)
	t0 := binary.LittleEndian.Uint64(tail[vecBytes:])
	t1 := binary.LittleEndian.Uint64(tail[vecBytes+8:])
	t2 := binary.LittleEndian.Uint32(tail[vecBytes+16:])
	for i := 0; i < Rows; i++ {
		row := pk[i*RowBytes+vecBytes : (i+1)*RowBytes]
		a := acc[i] ^ binary.LittleEndian.Uint64(row)&t0 ^
			binary.LittleEndian.Uint64(row[8:])&t1 ^
			uint64(binary.LittleEndian.Uint32(row[16:])&t2)
		b := byte(bits.OnesCount64(a)&1) ^ (e[i>>3] >> (i & 7) & 1)
		c[i>>3] |= b << (i & 7)
	}
}
