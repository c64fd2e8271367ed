package mceliece

// Control bits of the Beneš network that applies the secret permutation of
// the field elements (round-4 specification, section 2.4.2 and the
// "controlbits" algorithm of Bernstein, "Verified fast formulas for control
// bits for permutation networks", 2020). The computation sorts with a
// constant-time network, so its memory accesses do not depend on π.

func minU32(a, b uint32) uint32 { return min(a, b) }

// cbRecursion writes the control bits for the permutation pi of {0..n-1},
// n = 2^w, at bit positions pos, pos+step, … of out. temp holds 2n words.
func cbRecursion(out []byte, pos, step int, pi []uint16, w, n int, temp []uint32) {
	if w == 1 {
		out[pos>>3] ^= byte(pi[0] << (pos & 7))
		return
	}
	A := temp[:n]
	B := temp[n : 2*n]

	for x := 0; x < n; x++ {
		A[x] = uint32(pi[x]^1)<<16 | uint32(pi[x^1])
	}
	sortUint32(A) // A = (id<<16) + pibar
	for x := 0; x < n; x++ {
		px := A[x] & 0xffff
		cx := minU32(px, uint32(x))
		B[x] = px<<16 | cx
	}
	// B = (p<<16) + c
	for x := 0; x < n; x++ {
		A[x] = A[x]<<16 | uint32(x)
	}
	sortUint32(A) // A = (id<<16) + pibar^-1
	for x := 0; x < n; x++ {
		A[x] = A[x]<<16 + B[x]>>16
	}
	sortUint32(A) // A = (id<<16) + pibar^2

	if w <= 10 {
		for x := 0; x < n; x++ {
			B[x] = (A[x]&0xffff)<<10 | B[x]&0x3ff
		}
		for i := 1; i < w-1; i++ {
			// B = (p<<10) + c
			for x := 0; x < n; x++ {
				A[x] = (B[x]&^0x3ff)<<6 | uint32(x)
			}
			sortUint32(A) // A = (id<<16) + p^-1
			for x := 0; x < n; x++ {
				A[x] = A[x]<<20 | B[x]
			}
			sortUint32(A) // A = (id<<20) + (pp<<10) + cp
			for x := 0; x < n; x++ {
				ppcpx := A[x] & 0xfffff
				ppcx := A[x]&0xffc00 | B[x]&0x3ff
				B[x] = minU32(ppcx, ppcpx)
			}
		}
		for x := 0; x < n; x++ {
			B[x] &= 0x3ff
		}
	} else {
		for x := 0; x < n; x++ {
			B[x] = A[x]<<16 | B[x]&0xffff
		}
		for i := 1; i < w-1; i++ {
			// B = (p<<16) + c
			for x := 0; x < n; x++ {
				A[x] = B[x]&^0xffff | uint32(x)
			}
			sortUint32(A) // A = (id<<16) + p^-1
			for x := 0; x < n; x++ {
				A[x] = A[x]<<16 | B[x]&0xffff
			}
			// A = (p^-1<<16) + c
			if i < w-2 {
				for x := 0; x < n; x++ {
					B[x] = A[x]&^0xffff | B[x]>>16
				}
				// B = (p^-1<<16) + p
				sortUint32(B) // B = (id<<16) + p^-2
				for x := 0; x < n; x++ {
					B[x] = B[x]<<16 | A[x]&0xffff
				}
				// B = (p^-2<<16) + c
			}
			sortUint32(A) // A = (id<<16) + cp
			for x := 0; x < n; x++ {
				cpx := B[x]&^0xffff | A[x]&0xffff
				B[x] = minU32(B[x], cpx)
			}
		}
		for x := 0; x < n; x++ {
			B[x] &= 0xffff
		}
	}

	for x := 0; x < n; x++ {
		A[x] = uint32(pi[x])<<16 + uint32(x)
	}
	sortUint32(A) // A = (id<<16) + pi^-1

	for j := 0; j < n/2; j++ {
		x := 2 * j
		fj := B[x] & 1       // f[j]
		Fx := uint32(x) + fj // F[x]
		Fx1 := Fx ^ 1        // F[x+1]
		out[pos>>3] ^= byte(fj << (pos & 7))
		pos += step
		B[x] = A[x]<<16 | Fx
		B[x+1] = A[x+1]<<16 | Fx1
	}
	// B = (pi^-1<<16) + F
	sortUint32(B) // B = (id<<16) + F(pi)

	pos += (2*w - 3) * step * (n / 2)

	for k := 0; k < n/2; k++ {
		y := 2 * k
		lk := B[y] & 1       // l[k]
		Ly := uint32(y) + lk // L[y]
		Ly1 := Ly ^ 1        // L[y+1]
		out[pos>>3] ^= byte(lk << (pos & 7))
		pos += step
		A[y] = Ly<<16 | B[y]&0xffff
		A[y+1] = Ly1<<16 | B[y+1]&0xffff
	}
	// A = (L<<16) + F(pi)
	sortUint32(A) // A = (id<<16) + F(pi(L)) = (id<<16) + M

	pos -= (2*w - 2) * step * (n / 2)

	q := make([]uint16, n)
	for j := 0; j < n/2; j++ {
		q[j] = uint16((A[2*j] & 0xffff) >> 1)
		q[j+n/2] = uint16((A[2*j+1] & 0xffff) >> 1)
	}
	cbRecursion(out, pos, step*2, q[:n/2], w-1, n/2, temp)
	cbRecursion(out, pos+step, step*2, q[n/2:], w-1, n/2, temp)
	clear(q)
}

// controlBits returns the (2w-1)·n/16 bytes of control bits for pi
// (n = 2^w = len(pi)).
func controlBits(pi []uint16, w int) []byte {
	n := len(pi)
	out := make([]byte, (((2*w-1)*n/2)+7)/8)
	temp := make([]uint32, 2*n)
	cbRecursion(out, 0, 1, pi, w, n, temp)
	clear(temp)
	return out
}

// benesLayer applies one layer of conditional swaps at stride 2^s to p,
// controlled by n/2 bits of cb.
func benesLayer(p []uint16, cb []byte, s int) {
	stride := 1 << s
	index := 0
	n := len(p)
	for i := 0; i < n; i += stride * 2 {
		for j := 0; j < stride; j++ {
			d := p[i+j] ^ p[i+j+stride]
			m := -uint16((cb[index>>3] >> (index & 7)) & 1)
			d &= m
			p[i+j] ^= d
			p[i+j+stride] ^= d
			index++
		}
	}
}

// applyBenes applies the network given by control bits cb to p in place:
// afterwards p[i] = old p[π(i)].
func applyBenes(p []uint16, cb []byte, w int) {
	n := len(p)
	layerBytes := n >> 4
	off := 0
	for i := 0; i < w; i++ {
		benesLayer(p, cb[off:off+layerBytes], i)
		off += layerBytes
	}
	for i := w - 2; i >= 0; i-- {
		benesLayer(p, cb[off:off+layerBytes], i)
		off += layerBytes
	}
}
