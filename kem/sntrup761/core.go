package sntrup761

import (
	"crypto/sha512"
	"crypto/subtle"
)

// Core of the KEM, round 3 specification section "Streamlined NTRU Prime
// Core" and its KEM layer: KeyGen', Encap', Decap' with Hash, Confirm and
// Session hashing (SHA-512 truncated to 32 bytes, prefixed by a domain byte).

// hashPrefix returns the first 32 bytes of SHA-512(b || in...). The inputs
// of the KEM never exceed 1 + 1158 bytes, so the message is assembled on the
// stack.
func hashPrefix(b byte, in ...[]byte) [hashBytes]byte {
	var buf [1 + PublicKeySize]byte
	msg := append(buf[:0], b)
	for _, x := range in {
		msg = append(msg, x...)
	}
	sum := sha512.Sum512(msg)
	var out [hashBytes]byte
	copy(out[:], sum[:hashBytes])
	clear(sum[:])
	clear(buf[:])
	return out
}

// keyGen writes a fresh key pair (spec: KEM KeyGen').
func keyGen(pk *[PublicKeySize]byte, sk *[PrivateKeySize]byte, rnd source) error {
	var g, ginv, f [p]int8
	var finv, h [p]int16
	defer func() {
		clear(g[:])
		clear(ginv[:])
		clear(f[:])
		clear(finv[:])
	}()
	for {
		if err := rnd.smallRandom(&g); err != nil {
			return err
		}
		// Rejection sampling: the branch reveals only that a discarded g
		// was not invertible.
		if r3Recip(&ginv, &g) == 0 {
			break
		}
	}
	if err := rnd.shortRandom(&f); err != nil {
		return err
	}
	rqRecip3(&finv, &f)
	rqMulSmall(&h, &finv, &g)
	rqEncode(pk, &h)

	smallEncode(sk[skF:], &f)
	smallEncode(sk[skGinv:], &ginv)
	copy(sk[skPK:], pk[:])
	if err := rnd.bytes(sk[skRho:skCache]); err != nil {
		return err
	}
	cache := hashPrefix(4, pk[:])
	copy(sk[skCache:], cache[:])
	return nil
}

// hide computes the ciphertext of r under the public key h (decoded) with
// pk's hash cache, r's encoding and conf = Hash(3, rEnc) (spec: Hide); m
// is the products' working memory.
func hide(m *mulState, ct *[CiphertextSize]byte, rEnc *[smallBytes]byte, conf *[hashBytes]byte, r *[p]int8, h *[p]int16, cache *[hashBytes]byte) {
	smallEncode(rEnc[:], r)
	var d [p]uint16
	rqMulSmallDigits(m, &d, h, r)
	roundedDigitsEncode(ct[:roundedBytes], &d)
	*conf = hashPrefix(3, rEnc[:])
	confirm := hashPrefix(2, conf[:], cache[:])
	copy(ct[roundedBytes:], confirm[:])
	clear(d[:])
}

// sessionKey is HashSession(b, rEnc, ct).
func sessionKey(ss *[SharedKeySize]byte, b byte, rEnc *[smallBytes]byte, ct []byte) {
	x := hashPrefix(3, rEnc[:])
	sessionKeyHashed(ss, b, &x, ct)
	clear(x[:])
}

// sessionKeyHashed is HashSession(b, rEnc, ct) from x = Hash(3, rEnc),
// which hide has computed already (or, for a rejected ciphertext, the
// private key holds for rho).
func sessionKeyHashed(ss *[SharedKeySize]byte, b byte, x *[hashBytes]byte, ct []byte) {
	*ss = hashPrefix(b, x[:], ct)
}

// encap encapsulates to the decoded public key h with hash cache.
func encap(ct *[CiphertextSize]byte, ss *[SharedKeySize]byte, h *[p]int16, cache *[hashBytes]byte, rnd source) error {
	var r [p]int8
	var rEnc [smallBytes]byte
	var conf [hashBytes]byte
	defer func() {
		clear(r[:])
		clear(rEnc[:])
		clear(conf[:])
	}()
	if err := rnd.shortRandom(&r); err != nil {
		return err
	}
	var m mulState
	defer m.clear()
	hide(&m, ct, &rEnc, &conf, &r, h, cache)
	sessionKeyHashed(ss, 1, &conf, ct[:])
	return nil
}

// decap recovers the shared secret of ct (spec: Decap'), with implicit
// rejection: an invalid ciphertext yields HashSession(0, rho, ct). f, ginv
// and h are the decoded private key fields, rhoHash is Hash(3, rho).
func decap(ss *[SharedKeySize]byte, ct *[CiphertextSize]byte, sk *[PrivateKeySize]byte, f, ginv *[p]int8, h *[p]int16, rhoHash *[hashBytes]byte) {
	var c [p]int16
	var e, ev, r [p]int8
	var rEnc [smallBytes]byte
	var cnew [CiphertextSize]byte
	defer func() {
		clear(e[:])
		clear(ev[:])
		clear(r[:])
		clear(rEnc[:])
		clear(cnew[:])
	}()

	// Decrypt.
	roundedDecode(&c, ct[:roundedBytes])
	var m mulState // the three products' working memory
	defer m.clear()
	rqMulSmallTimes3Mod3(&m, &e, &c, f)
	r3MulUsing(&m, &ev, &e, ginv)
	mask := int8(weightMask(&ev)) // 0 if weight w, else -1
	for i := 0; i < w; i++ {
		r[i] = ((ev[i] ^ 1) &^ mask) ^ 1
	}
	for i := w; i < p; i++ {
		r[i] = ev[i] &^ mask
	}

	// Re-encrypt and compare.
	var cache [hashBytes]byte
	copy(cache[:], sk[skCache:])
	var conf [hashBytes]byte
	defer clear(conf[:])
	hide(&m, &cnew, &rEnc, &conf, &r, h, &cache)
	ok := subtle.ConstantTimeCompare(cnew[:], ct[:]) // 1 if equal
	// On mismatch replace Hash(3, rEnc) by Hash(3, rho), and hash with
	// prefix 0 instead of 1.
	subtle.ConstantTimeCopy(1-ok, conf[:], rhoHash[:])
	sessionKeyHashed(ss, byte(ok), &conf, ct[:])
}
