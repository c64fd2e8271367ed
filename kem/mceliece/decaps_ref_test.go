package mceliece

// The straightforward decoder (syndromes by powers, root finding by
// Horner on the support), kept as an oracle for the FFT decoder.

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"testing"
)

// Decoding and decapsulation (round-4 specification, section 2.2.3 Decode
// and 2.4.6 Decap, non-pc): the received word r = (C, 0…0) is decoded with
// the syndrome over g², Berlekamp–Massey and root finding on the support; the
// result e is accepted only if it has weight T and the same syndrome as r.
// Otherwise the session key is SHAKE256(0 ‖ s ‖ C) (implicit rejection).

// decodeKey is the per-key data decoding needs, derived from the encoded
// private key when it is parsed.
type refDecodeKey struct {
	g     [T + 1]gf
	L     [N]gf         // support α_0..α_{n-1}
	lb    [rowWords]vec // the support, bit-sliced
	ginv2 [rowWords]vec // 1/g(α)², bit-sliced
}

// newDecodeKey derives the support from the control bits (applying the
// Beneš network to the bit-reversed field elements) and 1/g(α_i)².
func newRefDecodeKey(sk []byte) *refDecodeKey {
	dk := new(refDecodeKey)
	p := sk[40:]
	for i := 0; i < T; i++ {
		dk.g[i] = binary.LittleEndian.Uint16(p[2*i:]) & gfMask
	}
	dk.g[T] = 1
	cb := p[irrBytes : irrBytes+condBytes]
	perm := make([]uint16, q)
	for i := range perm {
		perm[i] = bitrev13(uint16(i))
	}
	applyBenes(perm, cb, M)
	copy(dk.L[:], perm[:N])
	clear(perm)
	for b := 0; b < rowWords; b++ {
		lo := b * 64
		hi := min(lo+64, N)
		vecFromGF(&dk.lb[b], dk.L[lo:hi])
		var acc, c vec
		vecBroadcast(&acc, dk.g[T])
		for i := T - 1; i >= 0; i-- {
			vecMul(&acc, &acc, &dk.lb[b])
			vecBroadcast(&c, dk.g[i])
			for k := range acc {
				acc[k] ^= c[k]
			}
		}
		vecSq(&acc, &acc)
		vecInv(&dk.ginv2[b], &acc)
	}
	return dk
}

func (dk *refDecodeKey) clearAll() {
	clear(dk.g[:])
	clear(dk.L[:])
	clear(dk.lb[:])
	clear(dk.ginv2[:])
}

// synd computes the 2T syndromes Σ r_i α_i^j / g(α_i)² of the word r given
// as rowWords 64-bit words; blocks at or beyond nblocks must be zero.
func (dk *refDecodeKey) synd(out *[2 * T]gf, r []uint64, nblocks int) {
	*out = [2 * T]gf{}
	for b := 0; b < nblocks; b++ {
		var v vec
		m := r[b]
		for k := 0; k < M; k++ {
			v[k] = dk.ginv2[b][k] & m
		}
		for j := 0; j < 2*T; j++ {
			var s gf
			for k := 0; k < M; k++ {
				s |= gf(bits.OnesCount64(v[k])&1) << k
			}
			out[j] ^= s
			vecMul(&v, &v, &dk.lb[b])
		}
	}
}

// decrypt decodes the ciphertext c into e (N/8 bytes) and reports whether
// decoding succeeded (as a constant-time 0/1 value).
func (dk *refDecodeKey) decrypt(e []byte, c []byte) int {
	var r [rowWords]uint64
	var cb [CiphertextSize + 8]byte
	copy(cb[:], c)
	for i := 0; i < (CiphertextSize+7)/8; i++ {
		r[i] = binary.LittleEndian.Uint64(cb[8*i:])
	}
	var s, sCmp [2 * T]gf
	dk.synd(&s, r[:], Rows/64)
	loc := berlekampMassey(&s)

	var ew [rowWords]uint64
	w := 0
	for b := 0; b < rowWords; b++ {
		var acc, cv vec
		vecBroadcast(&acc, loc[T])
		for i := T - 1; i >= 0; i-- {
			vecMul(&acc, &acc, &dk.lb[b])
			vecBroadcast(&cv, loc[i])
			for k := range acc {
				acc[k] ^= cv[k]
			}
		}
		z := ^vecOrPlanes(&acc)
		if b == rowWords-1 {
			z &= 1<<lastLanes - 1
		}
		ew[b] = z
		w += bits.OnesCount64(z)
	}
	dk.synd(&sCmp, ew[:], rowWords)

	check := uint16(w) ^ T
	for i := range s {
		check |= s[i] ^ sCmp[i]
	}
	ok := int((uint32(check) - 1) >> 31)

	var eb [rowWords * 8]byte
	for b := 0; b < rowWords; b++ {
		binary.LittleEndian.PutUint64(eb[8*b:], ew[b])
	}
	copy(e, eb[:eBytes])
	clear(eb[:])
	clear(ew[:])
	clear(s[:])
	clear(sCmp[:])
	clear(loc[:])
	return ok
}

// TestDecoderAgainstReference compares the FFT decoder with the
// straightforward one on honest, corrupted and random ciphertexts.
func TestDecoderAgainstReference(t *testing.T) {
	pk, sk := testKey(t)
	skb, _ := sk.MarshalBinary()
	ref := newRefDecodeKey(skb)
	dk := newDecodeKey(skb)
	r := drbg(31)
	for i := 0; i < 6; i++ {
		ct, _, err := EncapsulateFrom(pk, r)
		if err != nil {
			t.Fatal(err)
		}
		switch i {
		case 1:
			ct[3] ^= 0x20
		case 2:
			r.Read(ct)
		}
		e1 := make([]byte, eBytes)
		e2 := make([]byte, eBytes)
		ok1 := ref.decrypt(e1, ct)
		ok2 := dk.decrypt(e2, ct)
		if ok1 != ok2 || !bytes.Equal(e1, e2) {
			t.Fatalf("case %d: reference ok=%d, fft ok=%d, e equal %v", i, ok1, ok2, bytes.Equal(e1, e2))
		}
		if (i == 0 || i > 2) && ok1 != 1 {
			t.Fatalf("case %d: honest ciphertext rejected", i)
		}
	}
}

// TestBenesBits checks the bit-level network against applyBenes.
func TestBenesBits(t *testing.T) {
	_, sk := testKey(t)
	skb, _ := sk.MarshalBinary()
	cb := skb[40+irrBytes : 40+irrBytes+condBytes]
	pi := make([]uint16, q)
	for i := range pi {
		pi[i] = uint16(i)
	}
	applyBenes(pi, cb, M)
	bm := newBenesMasks(cb)
	var x, y [q / 64]uint64
	r := drbg(33)
	var b [8]byte
	for w := range x {
		r.Read(b[:])
		x[w] = binary.LittleEndian.Uint64(b[:])
	}
	y = x
	bm.forward(&y)
	for i := 0; i < q; i++ {
		if (y[i/64]>>(i%64))&1 != (x[pi[i]/64]>>(pi[i]%64))&1 {
			t.Fatalf("forward: bit %d is not bit π(%d) = %d", i, i, pi[i])
		}
	}
	bm.inverse(&y)
	if y != x {
		t.Fatal("inverse(forward(x)) != x")
	}
}

// refBerlekampMassey is the reference's Berlekamp–Massey (with inversions).
func refBerlekampMassey(s *[2 * T]gf) (out [T + 1]gf) {
	var C, B, Tm [T + 1]gf
	B[1], C[0] = 1, 1
	var L uint16
	b := gf(1)
	for n := 0; n < 2*T; n++ {
		var d gf
		for i := 0; i <= min(n, T); i++ {
			d ^= gfMul(C[i], s[n-i])
		}
		mne := uint16(d)
		mne--
		mne >>= 15
		mne--
		mle := uint16(n)
		mle -= 2 * L
		mle >>= 15
		mle--
		mle &= mne
		Tm = C
		f := gfMul(gfInv(b), d)
		for i := 0; i <= T; i++ {
			C[i] ^= gfMul(f, B[i]) & mne
		}
		L = (L &^ mle) | ((uint16(n) + 1 - L) & mle)
		for i := 0; i <= T; i++ {
			B[i] = (B[i] &^ mle) | (Tm[i] & mle)
		}
		b = (b &^ mle) | (d & mle)
		copy(B[1:], B[:T])
		B[0] = 0
	}
	for i := 0; i <= T; i++ {
		out[i] = C[T-i]
	}
	return out
}

// TestBerlekampMasseyScaled checks that the inversion-free bit-sliced
// algorithm returns a nonzero multiple of the reference's locator, on
// random syndromes and on syndromes of real error vectors.
func TestBerlekampMasseyScaled(t *testing.T) {
	pk, sk := testKey(t)
	skb, _ := sk.MarshalBinary()
	dk := newDecodeKey(skb)
	r := drbg(51)
	for it := 0; it < 8; it++ {
		var s [2 * T]gf
		if it < 4 {
			copy(s[:], randomGF(r, 2*T))
		} else {
			ct, _, _ := EncapsulateFrom(pk, r)
			var x [q / 64]uint64
			var cb [CiphertextSize + 8]byte
			copy(cb[:], ct)
			for i := 0; i < (CiphertextSize+7)/8; i++ {
				x[i] = binary.LittleEndian.Uint64(cb[8*i:])
			}
			dk.synd(&s, &x)
		}
		want := refBerlekampMassey(&s)
		got := berlekampMassey(&s)
		// got = λ·want for the λ fixed by the leading nonzero coefficient.
		var lambda gf
		for i := range want {
			if want[i] != 0 {
				lambda = gfMul(got[i], gfInv(want[i]))
				break
			}
		}
		if lambda == 0 {
			t.Fatalf("iteration %d: scale factor is zero", it)
		}
		for i := range want {
			if gfMul(want[i], lambda) != got[i] {
				t.Fatalf("iteration %d: coefficient %d is not λ times the reference's", it, i)
			}
		}
	}
}
