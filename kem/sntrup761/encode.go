package sntrup761

import "math/bits"

// Encodings of the round 3 specification, section "Encoding": the
// mixed-radix Encode/Decode of a sequence of integers with public moduli,
// specialised to public keys (moduli q) and rounded ciphertexts (moduli
// (q+2)/3), and the two-bit encoding of small polynomials.
//
// Encode takes time that depends only on the moduli, never on the values, so
// it is safe for secret inputs (decapsulation re-encodes a secret
// re-encryption). Decode only ever sees public bytes (keys, ciphertexts).

const roundedModulus = (q + 2) / 3 // 1531

// encode appends to out the encoding of r (0 <= r[i] < its modulus),
// whose moduli are all m but the last, which is last (the specification's
// Encode for the uniform moduli of the scheme, as decode). r is used as
// scratch space. The pairs (m, m) of a level all split alike (pairSplit);
// with an even count the last pair is (m, last).
func encode(out []byte, r []uint16, m, last uint32) []byte {
	for n := len(r); ; n = (n + 1) / 2 {
		if n == 1 {
			rr, mm := uint32(r[0]), last
			for mm > 1 {
				out = append(out, byte(rr))
				rr >>= 8
				mm = (mm + 255) >> 8
			}
			return out
		}
		regular := n / 2
		if n%2 == 0 {
			regular--
		}
		nb, _, up := pairSplit(m * m)
		for i := 0; i < regular; i++ {
			rr := uint32(r[2*i]) + uint32(r[2*i+1])*m
			out = appendLow(out, rr, nb)
			r[i] = uint16(rr >> (8 * nb))
		}
		lastUp := last
		if n%2 == 0 {
			var lnb int
			lnb, _, lastUp = pairSplit(m * last)
			rr := uint32(r[n-2]) + uint32(r[n-1])*m
			out = appendLow(out, rr, lnb)
			r[regular] = uint16(rr >> (8 * lnb))
		} else {
			r[n/2] = r[n-1]
		}
		m, last = up, lastUp
	}
}

// appendLow appends the nbytes low bytes of x, little end first.
func appendLow(out []byte, x uint32, nbytes int) []byte {
	switch nbytes {
	case 2:
		return append(out, byte(x), byte(x>>8))
	case 1:
		return append(out, byte(x))
	}
	return out
}

// decode fills out (len(out) = n <= p) from s, the encoding of n integers
// whose moduli are all m but the last, which is last (the specification's
// Decode for the uniform moduli of the scheme: q, or (q+2)/3, with last =
// m at the top). Each out[i] is reduced modulo its modulus, whatever s
// holds. The caller guarantees that len(s) is the encoded length.
func decode(out []uint16, s []byte, m, last uint32) {
	// One buffer for every level of the recursion (a level of n values
	// takes ceil(n/2) uint16 and floor(n/2) uint32, and the levels' sizes
	// sum to less than twice the top one's); Go zeroes it once.
	var w decodeScratch
	decodeLevel(out, s, m, last, w.u16[:], w.u32[:])
}

// decodeScratch is decode's working memory.
type decodeScratch struct {
	u16 [p + 16]uint16
	u32 [p + 16]uint32
}

// pairSplit says how Encode split the combined modulus mm of a pair: the
// number of low bytes it wrote (0, 1 or 2), their range (1, 256, 65536)
// and the modulus of what went up a level.
func pairSplit(mm uint32) (nbytes int, t, up uint32) {
	switch {
	case mm > 256*16383:
		return 2, 256 * 256, (((mm + 255) >> 8) + 255) >> 8
	case mm >= 16384:
		return 1, 256, (mm + 255) >> 8
	default:
		return 0, 1, mm
	}
}

// lowBytes reads the nbytes low bytes of one pair from the front of s.
func lowBytes(s []byte, nbytes int) (uint32, []byte) {
	switch nbytes {
	case 2:
		return uint32(s[0]) | uint32(s[1])<<8, s[2:]
	case 1:
		return uint32(s[0]), s[1:]
	}
	return 0, s
}

// decodeLevel is one level of decode, carving its buffers from the fronts
// of u16 and u32 and passing the rests down. The pairs (m, m) all split
// alike ("regular"); with n even the last pair is (m, last).
func decodeLevel(out []uint16, s []byte, m, last uint32, u16 []uint16, u32 []uint32) {
	n := len(out)
	if n == 1 {
		switch {
		case last == 1:
			out[0] = 0
		case last <= 256:
			out[0] = uint16(uint32(s[0]) % last)
		default:
			out[0] = uint16((uint32(s[0]) + uint32(s[1])<<8) % last)
		}
		return
	}
	half := (n + 1) / 2
	r2, u16 := u16[:half], u16[half:]
	low, u32 := u32[:n/2], u32[n/2:]
	regular := n / 2
	if n%2 == 0 {
		regular--
	}
	nb, t, up := pairSplit(m * m)
	for i := 0; i < regular; i++ {
		low[i], s = lowBytes(s, nb)
	}
	lastT, lastUp := uint32(0), last
	if n%2 == 0 {
		var lnb int
		lnb, lastT, lastUp = pairSplit(m * last)
		low[regular], s = lowBytes(s, lnb)
	}
	decodeLevel(r2, s, up, lastUp, u16, u32)
	var dm, dl divisor
	dm.set(m)
	for i := 0; i < regular; i++ {
		r := low[i] + t*uint32(r2[i])
		q0, r0 := dm.divmod(r)
		_, r1 := dm.divmod(q0)
		out[2*i] = uint16(r0)
		out[2*i+1] = uint16(r1)
	}
	if n%2 == 0 {
		dl.set(last)
		r := low[regular] + lastT*uint32(r2[regular])
		q0, r0 := dm.divmod(r)
		_, r1 := dl.divmod(q0)
		out[n-2] = uint16(r0)
		out[n-1] = uint16(r1)
	} else {
		out[n-1] = r2[half-1]
	}
}

// A divisor divides the public values of decode by a multiply-high with
// ceil(2^64/d) instead of a DIV instruction (decode's running time was
// mostly divisions). It remembers the last divisor, since all the moduli
// of one level of decode but the last are equal.
type divisor struct {
	d     uint32
	magic uint64 // ceil(2^64/d); 0 for d == 1
}

// set makes d the divisor, computing its multiplier if it changed.
func (v *divisor) set(d uint32) {
	if d != v.d {
		v.d, v.magic = d, ^uint64(0)/uint64(d)+1
	}
}

// divmod returns r/d and r%d for r < 2^32 and 0 < d < 2^32. With
// e = ceil(2^64/d) - 2^64/d < 1, r*ceil(2^64/d)/2^64 exceeds r/d by less
// than 2^-32, too little to reach the next integer (at least 1/d away), so
// the high word of the product is the quotient exactly.
func (v *divisor) divmod(r uint32) (uint32, uint32) {
	if v.d == 1 { // the magic number 2^64 does not fit
		return r, 0
	}
	quot, _ := bits.Mul64(uint64(r), v.magic)
	return uint32(quot), r - uint32(quot)*v.d
}

// rqEncode encodes h (coefficients in [-q12, q12]) as a public key.
func rqEncode(out *[rqBytes]byte, h *[p]int16) {
	var r [p]uint16
	for i := range r {
		r[i] = uint16(h[i] + q12)
	}
	encode(out[:0], r[:], q, q)
}

// rqDecode decodes a public key; every coefficient lands in [-q12, q12].
func rqDecode(h *[p]int16, s []byte) {
	var r [p]uint16
	decode(r[:], s[:rqBytes], q, q)
	for i := range h {
		h[i] = int16(r[i]) - q12
	}
}

// roundedEncode encodes c (coefficients multiples of 3 in [-q12, q12]).
func roundedEncode(out []byte, c *[p]int16) {
	var r [p]uint16
	roundedDigits(&r, c)
	roundedDigitsEncode(out, &r)
}

// roundedDigits sets r to the digits (c + q12)/3 of c (coefficients
// multiples of 3 in [-q12, q12]).
func roundedDigits(r *[p]uint16, c *[p]int16) {
	for i := range r {
		// (c + q12) / 3, exact for multiples of 3 in range.
		r[i] = uint16((int32(c[i]+q12) * 10923) >> 15)
	}
}

// roundedDigitsEncode encodes the digits r (each below (q+2)/3) of a
// rounded polynomial; r is used as scratch space.
func roundedDigitsEncode(out []byte, r *[p]uint16) {
	encode(out[:0], r[:], roundedModulus, roundedModulus)
}

// roundedDecode decodes the first roundedBytes of a ciphertext.
func roundedDecode(c *[p]int16, s []byte) {
	var r [p]uint16
	decode(r[:], s[:roundedBytes], roundedModulus, roundedModulus)
	for i := range c {
		c[i] = int16(r[i])*3 - q12
	}
}

// smallEncode packs four coefficients in {-1, 0, 1} a byte, two bits each
// (value + 1), little end first; the last byte holds one coefficient.
func smallEncode(out []byte, f *[p]int8) {
	_ = out[smallBytes-1]
	for i := 0; i < p/4; i++ {
		x := byte(f[4*i]+1) | byte(f[4*i+1]+1)<<2 | byte(f[4*i+2]+1)<<4 | byte(f[4*i+3]+1)<<6
		out[i] = x
	}
	out[p/4] = byte(f[p-1] + 1)
}

// smallDecode is the inverse of smallEncode; like the reference, a two-bit
// field 3 decodes to 2 (it never occurs in a valid key).
func smallDecode(f *[p]int8, s []byte) {
	_ = s[smallBytes-1]
	for i := 0; i < p/4; i++ {
		x := s[i]
		f[4*i] = int8(x&3) - 1
		f[4*i+1] = int8((x>>2)&3) - 1
		f[4*i+2] = int8((x>>4)&3) - 1
		f[4*i+3] = int8((x>>6)&3) - 1
	}
	f[p-1] = int8(s[p/4]&3) - 1
}
