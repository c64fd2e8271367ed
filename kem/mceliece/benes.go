package mceliece

import "encoding/binary"

// The Beneš network of the private key applied to bit vectors of length q
// (one bit per field element), for moving the ciphertext and the decoded
// error vector between support order (position i) and field order (β_x).
// The control bits are spread once per key into per-layer masks; applying a
// layer is then a few word operations, independent of the bits.

const benesLayers = 2*M - 1

type benesMasks [benesLayers][q / 64]uint64

// layerShift returns log2 of the stride of layer l (0..M-1, then M-2..0).
func layerShift(l int) int {
	if l < M {
		return l
	}
	return 2*M - 2 - l
}

func newBenesMasks(cb []byte) *benesMasks {
	bm := new(benesMasks)
	for l := 0; l < benesLayers; l++ {
		sh := uint(layerShift(l))
		c := cb[l*(q/16) : (l+1)*(q/16)]
		if sh < 6 {
			// Word w holds the 32 lower elements of its pairs, whose
			// control bits are bits 32w..32w+31.
			for w := 0; w < q/64; w++ {
				bm[l][w] = spreadBits(binary.LittleEndian.Uint32(c[4*w:]), sh)
			}
			continue
		}
		// Lower words (w & ws == 0) take 64 consecutive control bits.
		ws := 1 << (sh - 6)
		p := 0
		for w := 0; w < q/64; w++ {
			if w&ws != 0 {
				continue
			}
			bm[l][w] = binary.LittleEndian.Uint64(c[8*p:])
			p++
		}
	}
	return bm
}

// spreadBits places the 32 bits of x, in groups of 2^sh, at the positions
// of a 64-bit word whose bit sh is clear (the lower elements of the pairs
// of a stride-2^sh layer).
func spreadBits(x uint32, sh uint) uint64 {
	v := uint64(x)
	masks := [5]uint64{0x0000FFFF0000FFFF, 0x00FF00FF00FF00FF, 0x0F0F0F0F0F0F0F0F, 0x3333333333333333, 0x5555555555555555}
	for i, s := range []uint{16, 8, 4, 2, 1} {
		if s < 1<<sh {
			break
		}
		v = (v | v<<s) & masks[i]
	}
	return v
}

func (bm *benesMasks) layer(x *[q / 64]uint64, l int) {
	s := layerShift(l)
	m := &bm[l]
	if s < 6 {
		for w := range x {
			d := (x[w] ^ x[w]>>(1<<s)) & m[w]
			x[w] ^= d ^ d<<(1<<s)
		}
		return
	}
	ws := 1 << (s - 6)
	for w := 0; w < q/64; w++ {
		if w&ws != 0 {
			continue
		}
		d := (x[w] ^ x[w+ws]) & m[w]
		x[w] ^= d
		x[w+ws] ^= d
	}
}

// forwardGeneric maps field order to support order: out bit i = in bit
// π(i).
func (bm *benesMasks) forwardGeneric(x *[q / 64]uint64) {
	for l := 0; l < benesLayers; l++ {
		bm.layer(x, l)
	}
}

// inverseGeneric maps support order to field order.
func (bm *benesMasks) inverseGeneric(x *[q / 64]uint64) {
	for l := benesLayers - 1; l >= 0; l-- {
		bm.layer(x, l)
	}
}
