//go:build amd64 && !purego

package mctiny

import (
	"crypto/subtle"
	"encoding/binary"

	"golang.org/x/crypto/salsa20/salsa"
	"golang.org/x/sys/cpu"
)

// salsa20XORAVX2 XORs n bytes (a multiple of 256) of src with the Salsa20
// key stream of state (the input state as four diagonals, see
// salsa_amd64.s) into dst; dst may be src.
//
//go:noescape
func salsa20XORAVX2(dst, src *byte, n int, state *[16]uint32)

// salsa20XORAVX512 is salsa20XORAVX2 with AVX-512F (salsa512_amd64.s).
//
//go:noescape
func salsa20XORAVX512(dst, src *byte, n int, state *[16]uint32)

// Salsa20 kernels, best first.
const (
	salsaAVX512 = iota
	salsaAVX2
	salsaXCrypto
)

// salsaKernel is the kernel salsaXOR uses on this CPU.
var salsaKernel = func() int {
	switch {
	case cpu.X86.HasAVX512F:
		return salsaAVX512
	case cpu.X86.HasAVX2:
		return salsaAVX2
	}
	return salsaXCrypto
}()

// salsaXOR is salsa.XORKeyStream (same arguments: counter is the 8-byte
// nonce followed by the 8-byte little-endian block counter) with the AVX2
// kernel when the CPU has it. dst and src must be the same slice or not
// overlap.
func salsaXOR(dst, src []byte, counter *[16]byte, key *[32]byte) {
	salsaXORWith(salsaKernel, dst, src, counter, key)
}

// salsaXORWith is salsaXOR with the given kernel (one this CPU has).
func salsaXORWith(kernel int, dst, src []byte, counter *[16]byte, key *[32]byte) {
	n := len(src)
	blocks := uint64(n+63) / 64
	lo := binary.LittleEndian.Uint32(counter[8:])
	if kernel == salsaXCrypto || n == 0 || uint64(lo)+blocks > 1<<32 {
		// The kernel does not carry into the high counter word.
		salsa.XORKeyStream(dst, src, counter, key)
		return
	}
	_ = dst[n-1]
	st := [16]uint32{
		0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, // x0 x5 x10 x15
		le(key[12:]), le(counter[12:]), le(key[28:]), le(key[8:]), // x4 x9 x14 x3
		lo, le(key[24:]), le(key[4:]), le(counter[4:]), // x8 x13 x2 x7
		le(key[20:]), le(key[0:]), le(counter[0:]), le(key[16:]), // x12 x1 x6 x11
	}
	full := n &^ 255
	if full > 0 {
		salsaKernelXOR(kernel, &dst[0], &src[0], full, &st)
		st[8] += uint32(full / 64)
	}
	if tail := n - full; tail > 0 {
		var ks [256]byte
		salsaKernelXOR(kernel, &ks[0], &ks[0], len(ks), &st)
		subtle.XORBytes(dst[full:n], src[full:n], ks[:tail])
		clear(ks[:])
	}
	clear(st[:])
}

// le reads a little-endian 32-bit word (a direct call, so that key and
// counter do not escape).
func le(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// salsaKernelXOR calls the assembly kernel (direct calls, so that nothing
// escapes).
func salsaKernelXOR(kernel int, dst, src *byte, n int, st *[16]uint32) {
	if kernel == salsaAVX512 {
		salsa20XORAVX512(dst, src, n, st)
	} else {
		salsa20XORAVX2(dst, src, n, st)
	}
}

// salsa20LanesAVX512 runs eight independent Salsa20 cores (salsa512_amd64.s).
//
//go:noescape
func salsa20LanesAVX512(out *[8 * 64]byte, st *[2][4][16]uint32, feed bool)

func salsaLanesKernel(out *[8 * 64]byte, st *[2][4][16]uint32, feed bool) {
	salsa20LanesAVX512(out, st, feed)
}
