package mceliece

import (
	"encoding/binary"

	"golang.org/x/crypto/sha3"
)

// Key generation (round-4 specification, section 2.4.3 SeededKeyGen): the
// seed δ is expanded by SHAKE256(64 ‖ δ) into s (n bits), the 2^m 32-bit
// permutation values, the t 16-bit coefficients of β and the next seed δ'.
// An attempt that fails (β of low degree, repeated permutation values, a
// matrix that cannot be put in (semi-)systematic form) continues with δ'.

const expandBytes = N/8 + 4*q + 2*T + 32

// keyPairFromSeed runs SeededKeyGen from delta, filling pk (PublicKeySize)
// and sk (PrivateKeySize).
func keyPairFromSeed(pk, sk []byte, delta *[32]byte, fvariant bool) {
	var seed [33]byte
	seed[0] = 64
	copy(seed[1:], delta[:])
	r := make([]byte, expandBytes)
	perm := make([]uint32, q)
	defer clear(r)
	defer clear(perm)
	defer clear(seed[:])
	for {
		h := sha3.NewShake256()
		h.Write(seed[:])
		h.Read(r)
		copy(sk[:32], seed[1:])
		copy(seed[1:], r[expandBytes-32:])

		off := expandBytes - 32 - 2*T
		var beta [T]gf
		for i := range beta {
			beta[i] = binary.LittleEndian.Uint16(r[off+2*i:]) & gfMask
		}
		g, ok := genPoly(&beta)
		if !ok {
			continue
		}
		off -= 4 * q
		for i := range perm {
			perm[i] = binary.LittleEndian.Uint32(r[off+4*i:])
		}
		pi, pivots, ok := pkGen(pk, &g, perm, fvariant)
		if !ok {
			continue
		}
		p := sk[40:]
		for i := 0; i < T; i++ {
			binary.LittleEndian.PutUint16(p[2*i:], g[i])
		}
		p = p[irrBytes:]
		copy(p, controlBits(pi, M))
		p = p[condBytes:]
		off -= N / 8
		copy(p, r[off:off+N/8])
		binary.LittleEndian.PutUint64(sk[32:], pivots)
		clear(pi)
		return
	}
}
