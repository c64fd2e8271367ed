package sntrup761

// Straightforward reference versions of the inversions, kept to test the
// fast ones against. Constant-time inversion in R/3 and R/q by the divstep iteration of
// Bernstein and Yang ("Fast constant-time gcd computation and modular
// inversion", 2019), in the form the NTRU Prime round 3 specification uses:
// f starts as the reversal of x^p - x - 1, g as the reversal of the input,
// and 2p-1 divsteps later v holds the reversed inverse (scaled by f(0)).

// refR3Recip sets out = 1/in in R/3 and returns 0 if in is invertible, -1
// otherwise (out is then meaningless).
func refR3Recip(out *[p]int8, in *[p]int8) int32 {
	var f, g, v, r [p + 1]int8
	r[0] = 1
	f[0], f[p-1], f[p] = 1, -1, -1
	for i := 0; i < p; i++ {
		g[p-1-i] = in[i]
	}
	delta := int32(1)
	for loop := 0; loop < 2*p-1; loop++ {
		copy(v[1:], v[:p])
		v[0] = 0

		sign := int8(-g[0] * f[0])
		swap := int8(negativeMask(-delta) & nonzeroMask(int32(g[0])))
		delta ^= int32(swap) & (delta ^ -delta)
		delta++

		for i := range f {
			t := swap & (f[i] ^ g[i])
			f[i] ^= t
			g[i] ^= t
			t = swap & (v[i] ^ r[i])
			v[i] ^= t
			r[i] ^= t
		}
		for i := range g {
			g[i] = freeze3(int32(g[i] + sign*f[i]))
			r[i] = freeze3(int32(r[i] + sign*v[i]))
		}
		copy(g[:p], g[1:])
		g[p] = 0
	}
	sign := f[0]
	for i := 0; i < p; i++ {
		out[i] = sign * v[p-1-i]
	}
	return nonzeroMask(delta)
}

// refRqRecip3 sets out = 1/(3*in) in R/q. For the short polynomials of key
// generation the inverse always exists (x^p - x - 1 is irreducible modulo q).
func refRqRecip3(out *[p]int16, in *[p]int8) {
	var f, g, v, r [p + 1]int16
	r[0] = recipQ(3)
	f[0], f[p-1], f[p] = 1, -1, -1
	for i := 0; i < p; i++ {
		g[p-1-i] = int16(in[i])
	}
	delta := int32(1)
	for loop := 0; loop < 2*p-1; loop++ {
		copy(v[1:], v[:p])
		v[0] = 0

		swap := int16(negativeMask(-delta) & nonzeroMask(int32(g[0])))
		delta ^= int32(swap) & (delta ^ -delta)
		delta++

		for i := range f {
			t := swap & (f[i] ^ g[i])
			f[i] ^= t
			g[i] ^= t
			t = swap & (v[i] ^ r[i])
			v[i] ^= t
			r[i] ^= t
		}
		f0, g0 := int32(f[0]), int32(g[0])
		for i := range g {
			g[i] = freezeQ(f0*int32(g[i]) - g0*int32(f[i]))
			r[i] = freezeQ(f0*int32(r[i]) - g0*int32(v[i]))
		}
		copy(g[:p], g[1:])
		g[p] = 0
	}
	scale := int32(recipQ(f[0]))
	for i := 0; i < p; i++ {
		out[i] = freezeQ(scale * int32(v[p-1-i]))
	}
}

// refMulSmall is the plain schoolbook product, kept to test mulSmall against.
func refMulSmall(out *[p]int32, a *[p]int16, b *[p]int8) {
	var prod [2*p - 1]int32
	for i := 0; i < p; i++ {
		ai := int32(a[i])
		row := prod[i : i+p]
		for j, bj := range b {
			row[j] += ai * int32(bj)
		}
	}
	reduceProduct(out, &prod)
}

// refR3Mul is the product in R/3 through the exact integer product.
func refR3Mul(out *[p]int8, a, b *[p]int8) {
	var a16 [p]int16
	for i, x := range a {
		a16[i] = int16(x)
	}
	var t [p]int32
	refMulSmall(&t, &a16, b)
	for i, x := range t {
		out[i] = freeze3(x)
	}
}

// refDecode is decode with DIV instructions (the division of the
// specification's Decode written out), for TestDecodeMatchesDivisions.
func refDecode(out []uint16, s []byte, m []uint16) {
	n := len(m)
	if n == 1 {
		switch {
		case m[0] == 1:
			out[0] = 0
		case m[0] <= 256:
			out[0] = uint16(uint32(s[0]) % uint32(m[0]))
		default:
			out[0] = uint16((uint32(s[0]) + uint32(s[1])<<8) % uint32(m[0]))
		}
		return
	}
	half := (n + 1) / 2
	// Fixed-size buffers keep the recursion off the heap (n <= p).
	var m2Buf, r2Buf [(p + 1) / 2]uint16
	var bottomRBuf, bottomTBuf [p / 2]uint32
	m2, r2 := m2Buf[:half], r2Buf[:half]
	bottomR, bottomT := bottomRBuf[:n/2], bottomTBuf[:n/2]
	i := 0
	for ; i+1 < n; i += 2 {
		mm := uint32(m[i]) * uint32(m[i+1])
		switch {
		case mm > 256*16383:
			bottomT[i/2] = 256 * 256
			bottomR[i/2] = uint32(s[0]) + 256*uint32(s[1])
			s = s[2:]
			m2[i/2] = uint16((((mm + 255) >> 8) + 255) >> 8)
		case mm >= 16384:
			bottomT[i/2] = 256
			bottomR[i/2] = uint32(s[0])
			s = s[1:]
			m2[i/2] = uint16((mm + 255) >> 8)
		default:
			bottomT[i/2] = 1
			m2[i/2] = uint16(mm)
		}
	}
	if i < n {
		m2[i/2] = m[i]
	}
	refDecode(r2, s, m2)
	for i = 0; i+1 < n; i += 2 {
		r := bottomR[i/2] + bottomT[i/2]*uint32(r2[i/2])
		m0, m1 := uint32(m[i]), uint32(m[i+1])
		out[i] = uint16(r % m0)
		out[i+1] = uint16((r / m0) % m1)
	}
	if i < n {
		out[i] = r2[i/2]
	}
}

// refEncode is the specification's Encode on a list of moduli (the form
// before encode was specialised to uniform moduli), for
// TestEncodeMatchesReference. r and m are used as scratch space.
func refEncode(out []byte, r, m []uint16) []byte {
	for n := len(m); ; n = (n + 1) / 2 {
		if n == 1 {
			rr, mm := r[0], m[0]
			for mm > 1 {
				out = append(out, byte(rr))
				rr >>= 8
				mm = (mm + 255) >> 8
			}
			return out
		}
		i := 0
		for ; i+1 < n; i += 2 {
			m0 := uint32(m[i])
			rr := uint32(r[i]) + uint32(r[i+1])*m0
			mm := uint32(m[i+1]) * m0
			for mm >= 16384 {
				out = append(out, byte(rr))
				rr >>= 8
				mm = (mm + 255) >> 8
			}
			r[i/2], m[i/2] = uint16(rr), uint16(mm)
		}
		if i < n {
			r[i/2], m[i/2] = r[i], m[i]
		}
	}
}
