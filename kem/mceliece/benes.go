package mceliece

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
		st := 1 << layerShift(l)
		c := cb[l*(q/16) : (l+1)*(q/16)]
		for p := 0; p < q/2; p++ {
			bit := uint64(c[p>>3]>>(p&7)) & 1
			a := (p/st)*2*st + p%st
			bm[l][a>>6] |= bit << (a & 63)
		}
	}
	return bm
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

// forward maps field order to support order: out bit i = in bit π(i).
func (bm *benesMasks) forward(x *[q / 64]uint64) {
	for l := 0; l < benesLayers; l++ {
		bm.layer(x, l)
	}
}

// inverse maps support order to field order.
func (bm *benesMasks) inverse(x *[q / 64]uint64) {
	for l := benesLayers - 1; l >= 0; l-- {
		bm.layer(x, l)
	}
}
