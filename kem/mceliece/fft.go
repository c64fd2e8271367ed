package mceliece

import "math/bits"

// Additive FFT over GF(2^13) (Gao–Mateer, in the form of Bernstein, Chou
// and Schwabe, "McBits", CHES 2013) and its transpose, bit-sliced 64 field
// elements per vec.
//
// fftEval evaluates a polynomial with 256 coefficients at every field
// element: output lane x (vec x/64, lane x%64) holds f(β_x), β_x =
// bitrev13(x), the order in which the Beneš network of the private key maps
// field elements to support positions. fftTr is the transposed map: from
// values c_x it computes the power sums Σ_x c_x β_x^j, j < 256, which are
// the syndromes when c_x = r_x/g(β_x)².
//
// Recursion at dimension m (2^m points, basis b_0..b_{m-1}, polynomial of
// 2^(m-5) coefficients): twist g(x) = f(b_{m-1}x), write g(x) = g0(x²+x) +
// x·g1(x²+x), evaluate g0, g1 on the basis δ_i = γ_i²+γ_i, γ_i =
// b_i/b_{m-1}, and combine f(b_{m-1}α) = g0(α²+α) + α·g1(α²+α),
// f(b_{m-1}(α+1)) = f(b_{m-1}α) + g1(α²+α). At m = 6 the polynomial has
// two coefficients and is evaluated directly.

const (
	fftTop    = M // dimension of the whole field
	fftBottom = 6 // one vec of points
	fftCoeffs = 2 * T
)

type fftTables struct {
	twist  [fftTop + 1][][M]gf // twist[m][i][k] = b_{m-1}^i · z^k
	alpha  [fftTop + 1][]vec   // alpha[m][v] lanes: Σ k_i γ_i, k = 64v+lane
	bottom vec                 // Σ k_i b_i at m = 6
	// alpha4[m] packs alpha[m] four at a time, in the order the
	// breadth-first combine visits (subproblem, v) pairs.
	alpha4  [fftTop + 1][]vec4
	bottom4 vec4
	// bottomZ[k] is z^k·bottom in all four lanes: c·bottom is the sum of
	// the bottomZ[k] for the bits k of c.
	bottomZ [M]vec4
	// twist4[m][i/4][k] packs twist[m][i..i+3][k] in 16-bit lanes.
	twist4 [fftTop + 1][][M]uint64
	// twist16[m][b][k][l] is twist[m][(16b+l) mod n][k], n = 2^(m-5): the
	// level's twist for 16 consecutive coefficients (one vector) of the
	// array of all subproblems, max(n/16, 1) blocks.
	twist16 [fftTop + 1][][M][16]uint16
}

var fftT = newFFTTables()

func newFFTTables() *fftTables {
	t := new(fftTables)
	basis := make([]gf, fftTop)
	for i := range basis {
		basis[i] = 1 << (M - 1 - i)
	}
	for m := fftTop; m > fftBottom; m-- {
		top := basis[m-1]
		n := 1 << (m - 5)
		t.twist[m] = make([][M]gf, n)
		p := gf(1)
		for i := range t.twist[m] {
			for k := 0; k < M; k++ {
				t.twist[m][i][k] = gfMul(p, 1<<k)
			}
			p = gfMul(p, top)
		}
		inv := gfInv(top)
		gamma := make([]gf, m-1)
		for i := range gamma {
			gamma[i] = gfMul(basis[i], inv)
		}
		half := 1 << (m - 1)
		vals := make([]gf, half)
		for k := range vals {
			var a gf
			for i := range gamma {
				if k>>i&1 == 1 {
					a ^= gamma[i]
				}
			}
			vals[k] = a
		}
		t.alpha[m] = make([]vec, half/64)
		for v := range t.alpha[m] {
			vecFromGF(&t.alpha[m][v], vals[64*v:64*v+64])
		}
		next := make([]gf, m-1)
		for i := range next {
			next[i] = gfSq(gamma[i]) ^ gamma[i]
		}
		basis = next
	}
	var pts [64]gf
	for k := range pts {
		var a gf
		for i := 0; i < fftBottom; i++ {
			if k>>i&1 == 1 {
				a ^= basis[i]
			}
		}
		pts[k] = a
	}
	vecFromGF(&t.bottom, pts[:])
	for l := 0; l < 4; l++ {
		for k := 0; k < M; k++ {
			t.bottom4[k][l] = t.bottom[k]
		}
	}
	for k := 0; k < M; k++ {
		var zk, p vec
		vecBroadcast(&zk, 1<<k)
		vecMul(&p, &zk, &t.bottom)
		for j := 0; j < M; j++ {
			t.bottomZ[k][j] = [4]uint64{p[j], p[j], p[j], p[j]}
		}
	}
	for m := fftBottom + 1; m <= fftTop; m++ {
		tw := t.twist[m]
		t.twist4[m] = make([][M]uint64, len(tw)/4)
		for i := range t.twist4[m] {
			for k := 0; k < M; k++ {
				for l := 0; l < 4; l++ {
					t.twist4[m][i][k] |= uint64(tw[4*i+l][k]) << (16 * l)
				}
			}
		}
		t.twist16[m] = make([][M][16]uint16, max(len(tw)/16, 1))
		for b := range t.twist16[m] {
			for k := 0; k < M; k++ {
				for l := 0; l < 16; l++ {
					t.twist16[m][b][k][l] = tw[(16*b+l)%len(tw)][k]
				}
			}
		}
		half := len(t.alpha[m])
		groups := max(half/4, 1)
		t.alpha4[m] = make([]vec4, groups)
		for gi := range t.alpha4[m] {
			for l := 0; l < 4; l++ {
				v := (4*gi + l) % half
				for k := 0; k < M; k++ {
					t.alpha4[m][gi][k][l] = t.alpha[m][v][k]
				}
			}
		}
	}
	return t
}

// fftEvalRecursive evaluates f (fftCoeffs coefficients) at all field
// elements, recursively (kept as the plain form of fftEval).
func fftEvalRecursive(out *[q / 64]vec, f *[fftCoeffs]gf) {
	var buf [fftCoeffs]gf
	copy(buf[:], f[:])
	fftRec(out[:], buf[:], fftTop)
	clear(buf[:])
}

func fftRec(out []vec, f []gf, m int) {
	if m == fftBottom {
		var c0, c1 vec
		vecBroadcast(&c0, f[0])
		vecBroadcast(&c1, f[1])
		vecMul(&out[0], &c1, &fftT.bottom)
		for k := range c0 {
			out[0][k] ^= c0[k]
		}
		return
	}
	n := len(f)
	tw := fftT.twist[m]
	if m < fftTop { // b_{M-1} = 1: no twist at the top
		for i := 1; i < n; i++ {
			f[i] = gfMulConst(f[i], &tw[i])
		}
	}
	radixConvert(f)
	h := n / 2
	g := make([]gf, n)
	for j := 0; j < h; j++ {
		g[j] = f[2*j]
		g[h+j] = f[2*j+1]
	}
	half := len(out) / 2
	fftRec(out[:half], g[:h], m-1)
	fftRec(out[half:], g[h:], m-1)
	al := fftT.alpha[m]
	var t vec
	for v := 0; v < half; v++ {
		u, w := &out[v], &out[half+v]
		vecMul(&t, &al[v], w)
		for k := range t {
			u[k] ^= t[k]
			w[k] ^= u[k]
		}
	}
}

// radixConvert rewrites f (length 2^s) in place so that its even positions
// hold g0 and its odd positions g1, f(x) = g0(x²+x) + x·g1(x²+x).
func radixConvert(f []gf) {
	n := len(f)
	for sz := n / 4; sz >= 1; sz /= 2 {
		for b := 0; b < n; b += 4 * sz {
			B, C, D := f[b+sz:b+2*sz], f[b+2*sz:b+3*sz], f[b+3*sz:b+4*sz]
			for i := 0; i < sz; i++ {
				C[i] ^= D[i]
				B[i] ^= C[i]
			}
		}
	}
}

// radixConvertTr is the transpose of radixConvert.
func radixConvertTr(f []gf) {
	n := len(f)
	for sz := 1; sz <= n/4; sz *= 2 {
		for b := 0; b < n; b += 4 * sz {
			B, C, D := f[b+sz:b+2*sz], f[b+2*sz:b+3*sz], f[b+3*sz:b+4*sz]
			for i := 0; i < sz; i++ {
				C[i] ^= B[i]
				D[i] ^= C[i]
			}
		}
	}
}

// fftTrRecursive is the recursive form of fftTr.
func fftTrRecursive(out *[fftCoeffs]gf, in *[q / 64]vec) {
	fftTrRec(out[:], in[:], fftTop)
}

func fftTrRec(out []gf, in []vec, m int) {
	if m == fftBottom {
		var t vec
		vecMul(&t, &in[0], &fftT.bottom)
		out[0] = vecLaneSum(&in[0])
		out[1] = vecLaneSum(&t)
		return
	}
	half := len(in) / 2
	al := fftT.alpha[m]
	var t vec
	for v := 0; v < half; v++ {
		lo, hi := &in[v], &in[half+v]
		for k := range t {
			lo[k] ^= hi[k] // U
		}
		vecMul(&t, &al[v], lo)
		for k := range t {
			hi[k] ^= t[k] // V = αU + E_hi
		}
	}
	n := len(out)
	h := n / 2
	g := make([]gf, n)
	fftTrRec(g[:h], in[:half], m-1)
	fftTrRec(g[h:], in[half:], m-1)
	for j := 0; j < h; j++ {
		out[2*j] = g[j]
		out[2*j+1] = g[h+j]
	}
	radixConvertTr(out)
	tw := fftT.twist[m]
	if m < fftTop {
		for i := 1; i < n; i++ {
			out[i] = gfMulConst(out[i], &tw[i])
		}
	}
}

// vecLaneSum returns the sum (XOR) of the 64 lanes of v.
func vecLaneSum(v *vec) gf {
	var s gf
	for k := 0; k < M; k++ {
		s |= gf(bits.OnesCount64(v[k])&1) << k
	}
	return s
}

// gfMulConst multiplies the secret a by a public constant c given as the
// table c·z^k, k < M, with masks only.
func gfMulConst(a gf, c *[M]gf) gf {
	m := func(k uint) gf { return -((a >> k) & 1) }
	return c[0]&m(0) ^ c[1]&m(1) ^ c[2]&m(2) ^ c[3]&m(3) ^ c[4]&m(4) ^
		c[5]&m(5) ^ c[6]&m(6) ^ c[7]&m(7) ^ c[8]&m(8) ^ c[9]&m(9) ^
		c[10]&m(10) ^ c[11]&m(11) ^ c[12]&m(12)
}

// twist4 multiplies p[i] by the public constants tw[i] (packed four per
// word in tab), four coefficients at a time in 16-bit lanes, with masks
// only. len(p) is a multiple of 4.
func twist4(p []gf, tab [][M]uint64) {
	const ones = 0x0001000100010001
	for i := 0; i+4 <= len(p); i += 4 {
		x := uint64(p[i]) | uint64(p[i+1])<<16 | uint64(p[i+2])<<32 | uint64(p[i+3])<<48
		c := &tab[i/4]
		var r uint64
		for k := 0; k < M; k++ {
			r ^= c[k] & (((x >> k) & ones) * 0xFFFF)
		}
		p[i], p[i+1], p[i+2], p[i+3] = gf(r), gf(r>>16), gf(r>>32), gf(r>>48)
	}
}
