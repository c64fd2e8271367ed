package mceliece

import (
	"encoding/binary"
	"math/bits"
)

// Decoding and decapsulation (round-4 specification, section 2.2.3 Decode
// and 2.4.6 Decap, non-pc): the syndrome of r = (C, 0…0) over g² is computed
// with the transposed additive FFT, Berlekamp–Massey gives the error
// locator, the additive FFT evaluates it at every field element, and the
// Beneš network maps the roots to support positions. The result e is
// accepted only if it has weight T and the same syndrome as r; otherwise
// the session key is SHAKE256(0 ‖ s ‖ C) (implicit rejection). Everything
// runs in time independent of the secret key and of e.

const lastLanes = N - 64*(rowWords-1) // valid lanes of the last support word

// decodeKey is the per-key data decoding needs, derived from the encoded
// private key when it is made or parsed.
type decodeKey struct {
	benes *benesMasks
	ginv2 fftVals // 1/g(β_x)² for every field element, field order
}

func newDecodeKey(sk []byte) *decodeKey {
	dk := new(decodeKey)
	p := sk[40:]
	var g [fftCoeffs]gf
	for i := 0; i < T; i++ {
		g[i] = binary.LittleEndian.Uint16(p[2*i:]) & gfMask
	}
	g[T] = 1
	dk.benes = newBenesMasks(p[irrBytes : irrBytes+condBytes])
	fftEval(&dk.ginv2, &g)
	// 1/g² = (g²)^(2^13-2), four vecs at a time.
	for v := range dk.ginv2 {
		var x, r vec4
		vecSq4(&x, &dk.ginv2[v])
		r = x
		for i := 0; i < M-2; i++ {
			vecSq4(&r, &r)
			vecMul4(&r, &r, &x)
		}
		vecSq4(&dk.ginv2[v], &r)
	}
	clear(g[:])
	return dk
}

func (dk *decodeKey) clear() {
	clear(dk.benes[:])
	clear(dk.ginv2[:])
}

// synd computes the 2T syndromes of the word x (support order, q bits; bits
// at positions >= N must be zero). x is overwritten.
func (dk *decodeKey) synd(out *[2 * T]gf, x *[q / 64]uint64) {
	dk.benes.inverse(x)
	var c fftVals
	maskVals(&c, &dk.ginv2, x)
	fftTr(out, &c)
	clear(c[:])
}

// maskValsGeneric sets c = g AND x, lane by lane: lane x of c keeps g's
// value where bit x of x is set and is zero elsewhere.
func maskValsGeneric(c, g *fftVals, x *[q / 64]uint64) {
	for i := range c {
		for k := 0; k < M; k++ {
			for l := 0; l < 4; l++ {
				c[i][k][l] = g[i][k][l] & x[4*i+l]
			}
		}
	}
}

// rootsGeneric sets bit x of x where lane x of ev is zero (the roots).
func rootsGeneric(x *[q / 64]uint64, ev *fftVals) {
	for g := range ev {
		for l := 0; l < 4; l++ {
			var o uint64
			for k := 0; k < M; k++ {
				o |= ev[g][k][l]
			}
			x[4*g+l] = ^o
		}
	}
}

// decrypt decodes the ciphertext c into e (N/8 bytes) and reports whether
// decoding succeeded (as a constant-time 0/1 value).
func (dk *decodeKey) decrypt(e []byte, c []byte) int {
	var x [q / 64]uint64
	var cb [CiphertextSize + 8]byte
	copy(cb[:], c)
	for i := 0; i < (CiphertextSize+7)/8; i++ {
		x[i] = binary.LittleEndian.Uint64(cb[8*i:])
	}
	var s, sCmp [2 * T]gf
	dk.synd(&s, &x)
	loc := berlekampMassey(&s)

	var lp [fftCoeffs]gf
	copy(lp[:], loc[:])
	var ev fftVals
	fftEval(&ev, &lp)
	roots(&x, &ev)
	dk.benes.forward(&x)
	x[rowWords-1] &= 1<<lastLanes - 1
	clear(x[rowWords:])
	w := 0
	for v := range x {
		w += bits.OnesCount64(x[v])
	}
	var eb [rowWords * 8]byte
	for v := 0; v < rowWords; v++ {
		binary.LittleEndian.PutUint64(eb[8*v:], x[v])
	}
	copy(e, eb[:eBytes])

	dk.synd(&sCmp, &x)
	check := uint16(w) ^ T
	for i := range s {
		check |= s[i] ^ sCmp[i]
	}
	ok := int((uint32(check) - 1) >> 31)

	clear(eb[:])
	clear(x[:])
	clear(ev[:])
	clear(s[:])
	clear(sCmp[:])
	clear(loc[:])
	clear(lp[:])
	return ok
}

// berlekampMassey returns the error locator for the syndromes s, in the
// reference's reversed order (its roots are the error positions' α_i).
//
// It is the inversion-free form of the algorithm, bit-sliced: instead of
// C ← C − (d/b)·x·B it computes C ← b·C − d·x·B, so every intermediate
// polynomial is a nonzero multiple of the reference's and the final locator
// has exactly the reference's roots (all the decoder uses). C_1..C_T and
// B_1..B_T are 128 lanes each (two vecs); C_0 is kept apart (B_0 is always
// 0 when B is used). Each step is two 4-way products: C·W for the
// discrepancy, and (C, B)·(b, d) for the update.
//
// berlekampMasseyGeneric is the Go form; berlekampMassey runs the same
// steps in one AVX2 kernel where the CPU has it (bm_amd64.s).
func berlekampMasseyGeneric(s *[2 * T]gf) (out [T + 1]gf) {
	var X, W vec4 // X lanes: C lo, C hi, B lo, B hi; W lanes: s_{n-1-l}
	c0 := gf(1)
	X[0][2] = 1 // B = x
	var L uint16
	b := gf(1)
	for n := 0; n < 2*T; n++ {
		d := bmDiscrepancyGeneric(&X, &W) ^ gfMul(c0, s[n])

		mne := uint16(d)
		mne--
		mne >>= 15
		mne--
		mle := uint16(n)
		mle -= 2 * L
		mle >>= 15
		mle--
		mle &= mne
		m64 := -uint64(mle & 1)

		bmUpdateGeneric(&X, &W, b, d, m64, c0, s[n])
		c0 = gfMul(b, c0)
		L = (L &^ mle) | ((uint16(n) + 1 - L) & mle)
		b = (b &^ mle) | (d & mle)
	}
	return bmLocator(&X, &W, c0)
}

// bmLocator reads the locator out of the final state (C_1..C_T in lanes 0
// and 1 of X, C_0 = c0) and clears the state.
func bmLocator(X, W *vec4, c0 gf) (out [T + 1]gf) {
	out[T] = c0
	for i := 1; i <= T; i++ {
		h, l := (i-1)/64, (i-1)%64
		var x gf
		for k := 0; k < M; k++ {
			x |= gf(X[k][h]>>l&1) << k
		}
		out[T-i] = x
	}
	clear(X[:])
	clear(W[:])
	return out
}

// bmDiscrepancyGeneric returns Σ_{i=1..T} C_i·s_{n-i}: the sum of the 128
// lanes of C·W.
func bmDiscrepancyGeneric(X, W *vec4) gf {
	var P vec4
	vecMul4(&P, X, W)
	var d gf
	for k := 0; k < M; k++ {
		d |= gf(bits.OnesCount64(P[k][0]^P[k][1])&1) << k
	}
	clear(P[:])
	return d
}

// bmUpdateGeneric runs the update of one Berlekamp–Massey step n with the
// discrepancy d, the previous one b, the mask m64 (all ones when B takes
// the old C), c0 = C_0 before the step and sn = s_n: C ← b·C + d·B,
// B ← x·(m64 ? C : B), W ← (s_n, W shifted up).
func bmUpdateGeneric(X, W *vec4, b, d gf, m64 uint64, c0, sn gf) {
	var Y, P vec4
	for k := 0; k < M; k++ {
		bm := -uint64(b >> k & 1)
		dm := -uint64(d >> k & 1)
		Y[k] = [4]uint64{bm, bm, dm, dm}
	}
	vecMul4(&P, X, &Y)
	for k := 0; k < M; k++ {
		// B ← x·(m64 ? old C : B), lane 0 gets old C_0 or 0.
		lo := (X[k][2] &^ m64) | (X[k][0] & m64)
		hi := (X[k][3] &^ m64) | (X[k][1] & m64)
		X[k][3] = hi<<1 | lo>>63
		X[k][2] = lo<<1 | (uint64(c0>>k)&1)&m64
		// C ← b·C + d·B
		X[k][0] = P[k][0] ^ P[k][2]
		X[k][1] = P[k][1] ^ P[k][3]
		// W ← (s_n, W shifted up)
		W[k][1] = W[k][1]<<1 | W[k][0]>>63
		W[k][0] = W[k][0]<<1 | uint64(sn>>k)&1
	}
	clear(Y[:])
	clear(P[:])
}

// decapsulate computes the session key for c with the encoded private key
// sk (for its s) and the derived key dk.
func decapsulate(dk *decodeKey, sk, c []byte) []byte {
	e := make([]byte, eBytes)
	defer clear(e)
	ok := dk.decrypt(e, c)
	m := byte(0 - ok) // 0xFF on success
	s := sk[PrivateKeySize-eBytes:]
	pre := make([]byte, 1+eBytes+CiphertextSize)
	defer clear(pre)
	pre[0] = m & 1
	for i := 0; i < eBytes; i++ {
		pre[1+i] = (^m & s[i]) | (m & e[i])
	}
	copy(pre[1+eBytes:], c)
	return hashKeyRaw(pre)
}
