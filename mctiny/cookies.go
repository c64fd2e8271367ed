package mctiny

import (
	"crypto/sha3"
	"errors"
)

// Cookies (draft-pqssh-mctiny-ssh-00 section 5.4). Each ends in an id byte
// whose low three bits name the cookie-key slot (interval mod 8) it was
// sealed under; the upper five bits are random.
//
//	C0   = box(S ‖ E ; N‖1‖0           ; hash(s_m))     ‖ id   81 bytes
//	C_ij = box(c_ij  ; N‖2i-1‖64+j-1   ; hash(s_m ‖ S)) ‖ id   19 bytes
//	C_Z  = box(Z     ; M‖255‖255       ; hash(s_m))     ‖ id   49 bytes

// cookieID makes an id byte for slot from a random byte.
func cookieID(slot int, random byte) byte { return random&^7 | byte(slot) }

// ErrBadCookie is returned when a session cookie does not open: it was not
// made by this server, it was altered, or its cookie key has expired.
var ErrBadCookie = errors.New("mctiny: session cookie invalid or expired")

// OpenSessionCookie recovers the session key Z from the cookie C_Z (49
// bytes) and its nonce M (24 bytes, ending 255, 255) that a client obtained
// in phase 3. It fails once the cookie key has been erased, 7 to 8
// intervals after the cookie was made. Z is written to z.
func (ck *CookieKeys) OpenSessionCookie(z *[SessionKeySize]byte, cz, m []byte) error {
	if len(cz) != CZSize || len(m) != NonceSize || m[22] != n22R3 || m[23] != n23Phase3 {
		return ErrBadCookie
	}
	var n [NonceSize]byte
	copy(n[:], m)
	for k := ck.load(); k != nil; k = k.alt {
		out, ok := open(z[:0], cz[:CZSize-1], &n, &k.hs[cz[CZSize-1]&7])
		if ok && len(out) == SessionKeySize {
			return nil
		}
	}
	clear(z[:])
	return ErrBadCookie
}

// cijKey computes the key of C_ij cookies for slot: hash(s_slot ‖ S).
func cijKey(sh *sha3.SHAKE, out *[KeySize]byte, r *ring, slot int, S []byte) {
	hash(sh, out, r.s[slot][:], S)
}
