//go:build !amd64 || purego

package mctiny

import (
	"encoding/binary"

	"golang.org/x/crypto/salsa20/salsa"
)

// salsaXOR is salsa.XORKeyStream.
func salsaXOR(dst, src []byte, counter *[16]byte, key *[32]byte) {
	salsa.XORKeyStream(dst, src, counter, key)
}

// The generic build computes lanes one by one (salsaLanes never calls the
// kernel when salsaKernel is not salsaAVX512).
const (
	salsaAVX512 = iota
	salsaXCrypto
)

const salsaKernel = salsaXCrypto

func salsaLanesKernel(out *[8 * 64]byte, st *[2][4][16]uint32, feed bool) {
	panic("mctiny: no Salsa20 lane kernel in this build")
}

// le reads a little-endian 32-bit word.
func le(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
