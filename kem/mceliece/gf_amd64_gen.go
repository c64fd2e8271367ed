//go:build ignore

// Command gf_amd64_gen writes the AVX2 kernels of decoding (go run
// gf_amd64_gen.go, in this directory): fft_amd64.s, the combine levels of
// the additive FFT and of its transpose and their coefficient steps (see
// fft_combine.go, fft_coeff.go); bm_amd64.s, the Berlekamp–Massey loop
// (see berlekampMasseyGeneric); benes_amd64.s, the Beneš network's layers
// (see benesMasks); decode_amd64.s, decoding's per-element steps (see
// maskValsGeneric, rootsGeneric); vecmul4_amd64.s, the product alone (see
// vecMul4Generic). Where a kernel multiplies, the 4-way bit-sliced
// GF(2^13) product is inlined: the 13 planes of one factor in Y0..Y12, the
// other factor read from memory, the 25 planes of the unreduced product on
// the stack, and the reduction by z^13 = z^4 + z^3 + z + 1 fused with what
// the kernel does next.
package main

import (
	"fmt"
	"os"
	"strings"
)

const (
	m       = 13
	vec4    = m * 32  // bytes of a vec4
	scratch = 25 * 32 // stack offset of the saved U planes
	frame   = scratch + m*32
)

var out strings.Builder

func p(format string, args ...any) { fmt.Fprintf(&out, "\t"+format+"\n", args...) }

func label(l string) { fmt.Fprintf(&out, "%s:\n", l) }

// reduction[k] lists the i >= 13 whose z^i mod the field polynomial has
// bit k set.
var reduction = func() (r [m][]int) {
	x := uint32(1 << (m - 1))
	for i := m; i <= 2*m-2; i++ {
		x <<= 1
		if x&(1<<m) != 0 {
			x ^= 1<<m | 0x1B
		}
		for k := 0; k < m; k++ {
			if x>>k&1 == 1 {
				r[k] = append(r[k], i)
			}
		}
	}
	return r
}()

// product writes the 25 planes of Y0..Y12 × g to 0..800(SP), g's plane j
// being at goff+32j(gbase).
func product(gbase string, goff int) {
	for k := 0; k <= 2*m-2; k++ {
		var terms [][2]int
		for i := max(0, k-m+1); i <= min(k, m-1); i++ {
			terms = append(terms, [2]int{i, k - i})
		}
		for n, t := range terms {
			src := fmt.Sprintf("%d(%s)", goff+32*t[1], gbase)
			switch n {
			case 0:
				p("VPAND %s, Y%d, Y13", src, t[0])
			case 1:
				p("VPAND %s, Y%d, Y14", src, t[0])
			default:
				p("VPAND %s, Y%d, Y15", src, t[0])
				p("VPXOR Y15, Y%d, Y%d", 13+n%2, 13+n%2)
			}
		}
		if len(terms) > 1 {
			p("VPXOR Y14, Y13, Y13")
		}
		p("VMOVDQU Y13, %d(SP)", 32*k)
	}
}

// loadFactor loads the 13 planes at base into Y0..Y12, the factor
// product keeps in registers.
func loadFactor(base string) {
	for k := 0; k < m; k++ {
		p("VMOVDQU %d(%s), Y%d", 32*k, base, k)
	}
}

// reduce leaves plane k of the reduced product in reg.
func reduce(k int, reg string) {
	p("VMOVDQU %d(SP), %s", 32*k, reg)
	for _, i := range reduction[k] {
		p("VPXOR %d(SP), %s, %s", 32*i, reg, reg)
	}
}

// wipeStack overwrites the first n 32-byte slots of the frame (product
// planes, saved operands), so that no secret-derived value stays on the
// stack after the kernel.
func wipeStack(n int) {
	p("VPXOR Y13, Y13, Y13")
	for k := 0; k < n; k++ {
		p("VMOVDQU Y13, %d(SP)", 32*k)
	}
}

// A layout says how one butterfly's halves sit in memory.
type layout int

const (
	groups layout = iota // lo and hi are whole vec4 groups (half >= 4 vecs)
	unpack               // m = 7: lanes 0, 2 of a group pair with 1, 3
	perm                 // m = 8: lanes 0, 1 of a group pair with 2, 3
)

// split emits lo and hi of plane k from groups A (a) and B (b = a + vec4)
// into lo, hi; merge emits the inverse into a and b (memory).
func split(l layout, k int, base, tmpA, tmpB, lo, hi string) {
	p("VMOVDQU %d(%s), %s", 32*k, base, tmpA)
	p("VMOVDQU %d(%s), %s", 32*k+vec4, base, tmpB)
	switch l {
	case unpack:
		p("VPUNPCKLQDQ %s, %s, %s", tmpB, tmpA, lo)
		p("VPUNPCKHQDQ %s, %s, %s", tmpB, tmpA, hi)
	case perm:
		p("VPERM2I128 $0x20, %s, %s, %s", tmpB, tmpA, lo)
		p("VPERM2I128 $0x31, %s, %s, %s", tmpB, tmpA, hi)
	}
}

func merge(l layout, k int, base, lo, hi, tmpA, tmpB string) {
	switch l {
	case unpack:
		p("VPUNPCKLQDQ %s, %s, %s", hi, lo, tmpA)
		p("VPUNPCKHQDQ %s, %s, %s", hi, lo, tmpB)
	case perm:
		p("VPERM2I128 $0x20, %s, %s, %s", hi, lo, tmpA)
		p("VPERM2I128 $0x31, %s, %s, %s", hi, lo, tmpB)
	}
	p("VMOVDQU %s, %d(%s)", tmpA, 32*k, base)
	p("VMOVDQU %s, %d(%s)", tmpB, 32*k+vec4, base)
}

// body emits one butterfly. For groups, lo is at SI and hi at BX;
// otherwise the group pair is at SI. α is at DX.
// eval: lo ← lo + α·hi, hi ← hi + lo.
// tr:   lo ← lo + hi, hi ← hi + α·lo.
func body(l layout, tr bool) {
	for k := 0; k < m; k++ {
		y := fmt.Sprintf("Y%d", k)
		switch {
		case l == groups && !tr:
			p("VMOVDQU %d(BX), %s", 32*k, y)
		case l == groups && tr:
			p("VMOVDQU %d(SI), %s", 32*k, y)
			p("VPXOR %d(BX), %s, %s", 32*k, y, y)
			p("VMOVDQU %s, %d(SI)", y, 32*k)
		case !tr:
			split(l, k, "SI", "Y13", "Y14", "Y15", y)
		default:
			split(l, k, "SI", "Y13", "Y14", "Y15", y)
			p("VPXOR Y15, %s, %s", y, y)
			p("VMOVDQU %s, %d(SP)", y, scratch+32*k)
		}
	}
	product("DX", 0)
	for k := 0; k < m; k++ {
		reduce(k, "Y13")
		switch {
		case l == groups && !tr:
			p("VPXOR %d(SI), Y13, Y13", 32*k)
			p("VMOVDQU Y13, %d(SI)", 32*k)
			p("VPXOR %d(BX), Y13, Y13", 32*k)
			p("VMOVDQU Y13, %d(BX)", 32*k)
		case l == groups && tr:
			p("VPXOR %d(BX), Y13, Y13", 32*k)
			p("VMOVDQU Y13, %d(BX)", 32*k)
		case !tr:
			split(l, k, "SI", "Y14", "Y15", "Y0", "Y1")
			p("VPXOR Y13, Y0, Y0")
			p("VPXOR Y0, Y1, Y1")
			merge(l, k, "SI", "Y0", "Y1", "Y14", "Y15")
		default:
			split(l, k, "SI", "Y14", "Y15", "Y0", "Y1")
			p("VPXOR Y13, Y1, Y1")
			p("VMOVDQU %d(SP), Y0", scratch+32*k)
			merge(l, k, "SI", "Y0", "Y1", "Y14", "Y15")
		}
	}
}

func kernelGroups(name string, tr bool) {
	what := "lo ← lo + α·hi, hi ← hi + lo"
	if tr {
		what = "lo ← lo + hi, hi ← hi + α·lo"
	}
	fmt.Fprintf(&out, "\n// func %s(v *fftVals, al *vec4, hg, blocks int)\n", name)
	fmt.Fprintf(&out, "// One level with halves of hg groups: for each of the blocks blocks of\n// 2·hg groups and t < hg, lo = group t, hi = group hg+t, α = al[t]:\n// %s.\n", what)
	fmt.Fprintf(&out, "TEXT ·%s(SB), 0, $%d-32\n", name, frame)
	p("MOVQ v+0(FP), SI")
	p("MOVQ hg+16(FP), R9")
	p("IMULQ $%d, R9", vec4)
	p("MOVQ blocks+24(FP), R11")
	label(name + "_block")
	p("MOVQ al+8(FP), DX")
	p("MOVQ hg+16(FP), R12")
	label(name + "_bfly")
	p("LEAQ (SI)(R9*1), BX")
	body(groups, tr)
	p("ADDQ $%d, SI", vec4)
	p("ADDQ $%d, DX", vec4)
	p("DECQ R12")
	p("JNZ %s_bfly", name)
	p("ADDQ R9, SI")
	p("DECQ R11")
	p("JNZ %s_block", name)
	wipeStack(frame / 32)
	p("VZEROUPPER")
	p("RET")
}

func kernelPairs(name string, l layout, tr bool) {
	which := map[layout]string{unpack: "7 (pairs: lanes 0 and 1, 2 and 3 of a group)", perm: "8 (pairs: lanes 0 and 2, 1 and 3 of a group)"}[l]
	fmt.Fprintf(&out, "\n// func %s(v *fftVals, al *vec4)\n", name)
	fmt.Fprintf(&out, "// Level %s, two groups per\n// iteration regrouped into all-lo and all-hi vec4s; α = al[0].\n", which)
	fmt.Fprintf(&out, "TEXT ·%s(SB), 0, $%d-16\n", name, frame)
	p("MOVQ v+0(FP), SI")
	p("MOVQ al+8(FP), DX")
	p("MOVQ $16, R11")
	label(name + "_loop")
	body(l, tr)
	p("ADDQ $%d, SI", 2*vec4)
	p("DECQ R11")
	p("JNZ %s_loop", name)
	wipeStack(frame / 32)
	p("VZEROUPPER")
	p("RET")
}

// gfMulScalar sets dst = a·b in GF(2^13) for 13-bit a and b in
// general registers, with one carry-less multiplication (constant time)
// and the reduction by shifts; it clobbers X14, X15 and tmp.
func gfMulScalar(dst, a, b, tmp string) {
	p("VMOVQ %s, X14", a)
	p("VMOVQ %s, X15", b)
	p("VPCLMULQDQ $0x00, X15, X14, X14")
	p("VMOVQ X14, %s", dst)
	for _, hi := range []int{0x1FF0000, 0xE000} {
		p("MOVQ %s, %s", dst, tmp)
		p("ANDQ $0x%X, %s", hi, tmp)
		for _, sh := range []int{9, 10, 12, 13} {
			p("SHRQ $%d, %s", sh, tmp)
			p("XORQ %s, %s", tmp, dst)
			p("SHLQ $%d, %s", sh, tmp)
		}
	}
	p("ANDQ $0x1FFF, %s", dst)
}

// bmLoop emits the whole inversion-free Berlekamp–Massey loop (see
// berlekampMasseyGeneric).
func bmLoop() {
	out.WriteString(`
// func bmLoopAVX2(X, W *vec4, s *[2 * T]gf, st *[3]uint64)
// The 2T steps of Berlekamp–Massey (berlekampMasseyGeneric) on X (lanes
// C lo, C hi, B lo, B hi) and W (lanes: the last syndromes, reversed),
// st = {c0, L, b} in and out. Per step: d = the lane sum of X·W (lanes 0,
// 1) + c0·s_n; m = all ones when d != 0 and 2L <= n; Y = the masks of
// (b, b, d, d) per plane; P = X·Y; C ← b·C + d·B; B ← x·(m ? C : B) with
// c0 AND m entering at the bottom; W ← (s_n, W shifted up); c0 ← b·c0;
// L ← m ? n+1-L : L; b ← m ? d : b. Everything is masks and shifts.
`)
	const yOff = 25 * 32
	fmt.Fprintf(&out, "TEXT ·bmLoopAVX2(SB), 0, $%d-32\n", yOff+m*32)
	p("MOVQ X+0(FP), SI")
	p("MOVQ W+8(FP), DI")
	p("MOVQ s+16(FP), R14")
	p("MOVQ st+24(FP), R15")
	p("MOVQ 0(R15), R10 // c0")
	p("MOVQ 8(R15), R11 // L")
	p("MOVQ 16(R15), R12 // b")
	p("XORQ R13, R13 // n")
	label("bmloop")
	// Discrepancy.
	loadFactor("SI")
	product("DI", 0)
	p("XORQ R8, R8")
	for k := 0; k < m; k++ {
		reduce(k, "Y13")
		p("VMOVQ X13, AX")
		p("VPEXTRQ $1, X13, BX")
		p("XORQ BX, AX")
		p("POPCNTQ AX, AX")
		p("ANDQ $1, AX")
		if k > 0 {
			p("SHLQ $%d, AX", k)
		}
		p("ORQ AX, R8")
	}
	p("MOVWQZX (R14)(R13*2), CX // s_n")
	gfMulScalar("AX", "R10", "CX", "BX")
	p("XORQ AX, R8 // d")
	// m = (d != 0) AND (2L <= n), as 64 bits.
	p("LEAQ -1(R8), AX")
	p("SHRQ $63, AX")
	p("DECQ AX")
	p("MOVQ R13, BX")
	p("SUBQ R11, BX")
	p("SUBQ R11, BX")
	p("SHRQ $63, BX")
	p("DECQ BX")
	p("ANDQ AX, BX")
	p("MOVQ BX, R9 // m")
	// Y: the masks of (b, b, d, d).
	p("VMOVQ R12, X14")
	p("VPBROADCASTQ X14, Y14")
	p("VMOVQ R8, X15")
	p("VPBROADCASTQ X15, Y15")
	p("VPBLENDD $0xF0, Y15, Y14, Y14")
	p("VPXOR Y15, Y15, Y15")
	for k := 0; k < m; k++ {
		p("VPSLLQ $%d, Y14, Y13", 63-k)
		p("VPCMPGTQ Y13, Y15, Y13")
		p("VMOVDQU Y13, %d(SP)", yOff+32*k)
	}
	loadFactor("SI")
	product("SP", yOff)
	p("VMOVQ R9, X5")
	p("VPBROADCASTQ X5, Y5")
	p("VPCMPEQQ Y6, Y6, Y6")
	p("VPSRLQ $63, Y6, Y6")
	p("MOVQ R10, AX")
	p("ANDQ R9, AX")
	p("VMOVQ AX, X7")
	p("VPERMQ $0x45, Y7, Y7 // (0, 0, c0 AND m, 0)")
	p("VMOVQ CX, X8 // (s_n, 0, 0, 0)")
	for k := 0; k < m; k++ {
		reduce(k, "Y13")
		p("VPERMQ $0x4E, Y13, Y0")
		p("VPXOR Y13, Y0, Y0")
		p("VMOVDQU %d(SI), Y1", 32*k)
		p("VPERMQ $0x4E, Y1, Y2")
		p("VPXOR Y1, Y2, Y2")
		p("VPAND Y5, Y2, Y2")
		p("VPXOR Y1, Y2, Y2")
		p("VPSLLQ $1, Y2, Y3")
		p("VPSRLQ $63, Y2, Y4")
		p("VPSLLDQ $8, Y4, Y4")
		p("VPOR Y4, Y3, Y3")
		p("VPSRLQ $%d, Y7, Y4", k)
		p("VPAND Y6, Y4, Y4")
		p("VPOR Y4, Y3, Y3")
		p("VPBLENDD $0xF0, Y3, Y0, Y0")
		p("VMOVDQU Y0, %d(SI)", 32*k)
		p("VMOVDQU %d(DI), Y1", 32*k)
		p("VPSLLQ $1, Y1, Y3")
		p("VPSRLQ $63, Y1, Y4")
		p("VPSLLDQ $8, Y4, Y4")
		p("VPOR Y4, Y3, Y3")
		p("VPSRLQ $%d, Y8, Y4", k)
		p("VPAND Y6, Y4, Y4")
		p("VPOR Y4, Y3, Y3")
		p("VMOVDQU Y3, %d(DI)", 32*k)
	}
	// c0 ← b·c0; L ← m ? n+1-L : L; b ← m ? d : b.
	gfMulScalar("AX", "R12", "R10", "BX")
	p("MOVQ AX, R10")
	p("LEAQ 1(R13), AX")
	p("SUBQ R11, AX")
	p("XORQ R11, AX")
	p("ANDQ R9, AX")
	p("XORQ AX, R11")
	p("MOVQ R8, AX")
	p("XORQ R12, AX")
	p("ANDQ R9, AX")
	p("XORQ AX, R12")
	p("INCQ R13")
	p("CMPQ R13, $%d", 2*128)
	p("JNE bmloop")
	p("MOVQ R10, 0(R15)")
	p("MOVQ R11, 8(R15)")
	p("MOVQ R12, 16(R15)")
	// The masks of b and d and the product planes: overwrite them.
	wipeStack(yOff/32 + m)
	p("VZEROUPPER")
	p("RET")
}

// Offsets in coeffConsts (fft_amd64.go).
const (
	cShuf16   = 0  // VPSHUFB: per 128-bit lane, even elements then odd
	cUnshuf16 = 32 // its inverse
	cShuf4    = 64 // VPSHUFB: per qword, elements 0, 2, 1, 3 (an involution)
	cMasks    = 96 // masks w1, w2, w3, d1, d2, d3, q1, q2, q3
)

// mask is the address of coeffConsts' mask: w (16-bit element of each
// qword), d (dword of each 128-bit lane) or q (qword of the vector), index i.
func mask(kind byte, i int) string {
	base := map[byte]int{'w': 0, 'd': 3, 'q': 6}[kind]
	return fmt.Sprintf("%d(BX)", cMasks+32*(base+i-1))
}

// twistBlock multiplies the 16 coefficients of vector i at base by the
// level's twist table (DX: tb blocks of 13 planes of 16 lanes), lane by
// lane with masks.
func twistBlock(base string, i, tb int) {
	blk := i % tb
	p("VMOVDQU %d(%s), Y0", 32*i, base)
	p("VPXOR Y1, Y1, Y1")
	for k := 0; k < m; k++ {
		p("VPSLLW $%d, Y0, Y2", 15-k)
		p("VPSRAW $15, Y2, Y2")
		p("VPAND %d(DX), Y2, Y2", blk*m*32+32*k)
		p("VPXOR Y2, Y1, Y1")
	}
	p("VMOVDQU Y1, %d(%s)", 32*i, base)
}

// radixSmall runs the radix-conversion step of size sz < 8 on Y0 (blocks
// of 4·sz elements inside the vector): C ← C + D, B ← B + C, or for the
// transpose C ← C + B, D ← D + C.
func radixSmall(sz int, tr bool) {
	step := func(shift string, msk string) {
		p("%s, Y0, Y2", shift)
		p("VPAND %s, Y2, Y2", msk)
		p("VPXOR Y2, Y0, Y0")
	}
	switch {
	case sz == 1 && !tr:
		step("VPSRLQ $16", mask('w', 2))
		step("VPSRLQ $16", mask('w', 1))
	case sz == 1:
		step("VPSLLQ $16", mask('w', 2))
		step("VPSLLQ $16", mask('w', 3))
	case sz == 2 && !tr:
		step("VPSRLDQ $4", mask('d', 2))
		step("VPSRLDQ $4", mask('d', 1))
	case sz == 2:
		step("VPSLLDQ $4", mask('d', 2))
		step("VPSLLDQ $4", mask('d', 3))
	case sz == 4 && !tr:
		step("VPSRLDQ $8", mask('q', 2))
		step("VPERMQ $0x08", mask('q', 1)) // qword 1 ← qword 2
	case sz == 4:
		step("VPERMQ $0x10", mask('q', 2)) // qword 2 ← qword 1
		step("VPSLLDQ $8", mask('q', 3))
	}
}

// radixCross runs the radix-conversion step of size sz >= 8 on the 256
// coefficients at base.
func radixCross(base string, sz int, tr bool) {
	if sz == 8 {
		for blk := 0; blk < 256/32; blk++ {
			a, b := 64*blk, 64*blk+32 // [A|B], [C|D]
			p("VMOVDQU %d(%s), Y0", a, base)
			p("VMOVDQU %d(%s), Y1", b, base)
			if !tr {
				p("VPERM2I128 $0x81, Y1, Y1, Y2") // [D, 0]
				p("VPXOR Y2, Y1, Y1")
				p("VPERM2I128 $0x08, Y1, Y1, Y2") // [0, C]
				p("VPXOR Y2, Y0, Y0")
				p("VMOVDQU Y0, %d(%s)", a, base)
			} else {
				p("VPERM2I128 $0x81, Y0, Y0, Y2") // [B, 0]
				p("VPXOR Y2, Y1, Y1")
				p("VPERM2I128 $0x08, Y1, Y1, Y2") // [0, C]
				p("VPXOR Y2, Y1, Y1")
			}
			p("VMOVDQU Y1, %d(%s)", b, base)
		}
		return
	}
	vs := sz / 16 // vectors per part
	for blk := 0; blk < 256/(4*sz); blk++ {
		for j := 0; j < vs; j++ {
			off := func(part int) int { return 2 * (blk*4*sz + part*sz + 16*j) }
			if !tr {
				p("VMOVDQU %d(%s), Y0", off(2), base)
				p("VPXOR %d(%s), Y0, Y0", off(3), base)
				p("VMOVDQU Y0, %d(%s)", off(2), base)
				p("VPXOR %d(%s), Y0, Y1", off(1), base)
				p("VMOVDQU Y1, %d(%s)", off(1), base)
			} else {
				p("VMOVDQU %d(%s), Y0", off(2), base)
				p("VPXOR %d(%s), Y0, Y0", off(1), base)
				p("VMOVDQU Y0, %d(%s)", off(2), base)
				p("VPXOR %d(%s), Y0, Y1", off(3), base)
				p("VMOVDQU Y1, %d(%s)", off(3), base)
			}
		}
	}
}

// crossSplit moves, in every block of n >= 32 coefficients, the low
// 128-bit halves of each pair of vectors at src (their even coefficients,
// after the in-vector shuffle) to the first half of the block at dst and
// the high halves to the second; crossMerge is the inverse.
func crossSplit(n int, src, dst string, merge bool) {
	vpb := n / 16
	for blk := 0; blk < 256/n; blk++ {
		for j := 0; j < vpb/2; j++ {
			base := 32 * vpb * blk
			v0, v1 := base+32*2*j, base+32*(2*j+1)
			q0, q1 := base+32*j, base+32*(vpb/2+j)
			if !merge {
				p("VMOVDQU %d(%s), Y0", v0, src)
				p("VMOVDQU %d(%s), Y1", v1, src)
				p("VPERM2I128 $0x20, Y1, Y0, Y2")
				p("VPERM2I128 $0x31, Y1, Y0, Y3")
				p("VMOVDQU Y2, %d(%s)", q0, dst)
				p("VMOVDQU Y3, %d(%s)", q1, dst)
			} else {
				p("VMOVDQU %d(%s), Y0", q0, src)
				p("VMOVDQU %d(%s), Y1", q1, src)
				p("VPERM2I128 $0x20, Y1, Y0, Y2")
				p("VPERM2I128 $0x31, Y1, Y0, Y3")
				p("VMOVDQU Y2, %d(%s)", v0, dst)
				p("VMOVDQU Y3, %d(%s)", v1, dst)
			}
		}
	}
}

// coeffKernel emits the coefficient step of level mm (see
// fftCoeffLevelGeneric and fftCoeffLevelTrGeneric).
func coeffKernel(mm int, tr bool) {
	n := 1 << (mm - 5)
	tb := max(n/16, 1)
	name := fmt.Sprintf("fftCoeff%dAVX2", mm)
	what := "twist, radix conversion, split into the children"
	if tr {
		name = fmt.Sprintf("fftCoeff%dTrAVX2", mm)
		what = "merge of the children, transposed radix conversion, twist"
	}
	if mm == m {
		what = strings.Replace(what, "twist, ", "", 1)
		what = strings.Replace(what, ", twist", "", 1)
	}
	fmt.Fprintf(&out, "\n// func %s(dst, src *[fftCoeffs]gf, tw *[M][16]uint16, c *coeffConsts)\n", name)
	fmt.Fprintf(&out, "// Level %d, subproblems of %d coefficients: %s. src is overwritten.\n", mm, n, what)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-32\n", name)
	p("MOVQ dst+0(FP), DI")
	p("MOVQ src+8(FP), SI")
	p("MOVQ tw+16(FP), DX")
	p("MOVQ c+24(FP), BX")
	var small []int // in-vector radix sizes, descending
	for sz := min(n/4, 4); sz >= 1; sz /= 2 {
		small = append(small, sz)
	}
	var cross []int // across-vector sizes, descending
	for sz := n / 4; sz >= 8; sz /= 2 {
		cross = append(cross, sz)
	}
	if !tr {
		if mm < m {
			for i := 0; i < 16; i++ {
				twistBlock("SI", i, tb)
			}
		}
		for _, sz := range cross {
			radixCross("SI", sz, false)
		}
		for i := 0; i < 16; i++ {
			p("VMOVDQU %d(SI), Y0", 32*i)
			for _, sz := range small {
				radixSmall(sz, false)
			}
			switch {
			case n >= 16:
				p("VPSHUFB %d(BX), Y0, Y0", cShuf16)
				p("VPERMQ $0xD8, Y0, Y0")
			case n == 8:
				p("VPSHUFB %d(BX), Y0, Y0", cShuf16)
			default:
				p("VPSHUFB %d(BX), Y0, Y0", cShuf4)
			}
			if n >= 32 {
				p("VMOVDQU Y0, %d(SI)", 32*i)
			} else {
				p("VMOVDQU Y0, %d(DI)", 32*i)
			}
		}
		if n >= 32 {
			crossSplit(n, "SI", "DI", false)
		}
	} else {
		src := "SI"
		if n >= 32 {
			crossSplit(n, "SI", "DI", true)
			src = "DI"
		}
		for i := 0; i < 16; i++ {
			p("VMOVDQU %d(%s), Y0", 32*i, src)
			switch {
			case n >= 16:
				p("VPERMQ $0xD8, Y0, Y0")
				p("VPSHUFB %d(BX), Y0, Y0", cUnshuf16)
			case n == 8:
				p("VPSHUFB %d(BX), Y0, Y0", cUnshuf16)
			default:
				p("VPSHUFB %d(BX), Y0, Y0", cShuf4)
			}
			for j := len(small) - 1; j >= 0; j-- {
				radixSmall(small[j], true)
			}
			p("VMOVDQU Y0, %d(DI)", 32*i)
		}
		for j := len(cross) - 1; j >= 0; j-- {
			radixCross("DI", cross[j], true)
		}
		if mm < m {
			for i := 0; i < 16; i++ {
				twistBlock("DI", i, tb)
			}
		}
	}
	p("VZEROUPPER")
	p("RET")
}

// benesKernel emits the Beneš network's layers in the given order on
// x (q/64 words at DI) with the masks bm (benesLayers × q/64 words at SI):
// see benesMasks.layer. Masks are zero at the upper element of every pair,
// so each layer is d = (x ^ partner) & mask, x ^= d at both elements.
func benesKernel(name string, layers []int) {
	fmt.Fprintf(&out, "\n// func %s(x *[q / 64]uint64, bm *benesMasks)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-16\n", name)
	p("MOVQ x+0(FP), DI")
	p("MOVQ bm+8(FP), SI")
	for _, l := range layers {
		sh := l
		if l >= m {
			sh = 2*m - 2 - l
		}
		lbl := fmt.Sprintf("%s_l%d", name, l)
		p("LEAQ %d(SI), DX", l*1024)
		p("MOVQ DI, BX")
		switch {
		case sh < 6:
			p("MOVQ $32, CX")
			label(lbl)
			p("VMOVDQU (BX), Y0")
			p("VPSRLQ $%d, Y0, Y1", 1<<sh)
			p("VPXOR Y0, Y1, Y1")
			p("VPAND (DX), Y1, Y1")
			p("VPXOR Y1, Y0, Y0")
			p("VPSLLQ $%d, Y1, Y1", 1<<sh)
			p("VPXOR Y1, Y0, Y0")
			p("VMOVDQU Y0, (BX)")
			p("ADDQ $32, BX")
			p("ADDQ $32, DX")
		case sh < 8: // partner 1 or 2 words away, inside the vector
			p("MOVQ $32, CX")
			label(lbl)
			p("VMOVDQU (BX), Y0")
			if sh == 6 {
				p("VPSHUFD $0x4E, Y0, Y1")
			} else {
				p("VPERMQ $0x4E, Y0, Y1")
			}
			p("VPXOR Y0, Y1, Y1")
			p("VPAND (DX), Y1, Y1")
			p("VPXOR Y1, Y0, Y0")
			if sh == 6 {
				p("VPSHUFD $0x4E, Y1, Y1")
			} else {
				p("VPERMQ $0x4E, Y1, Y1")
			}
			p("VPXOR Y1, Y0, Y0")
			p("VMOVDQU Y0, (BX)")
			p("ADDQ $32, BX")
			p("ADDQ $32, DX")
		default: // partner ws >= 4 words away: whole vectors
			ws := 1 << (sh - 6)
			p("MOVQ $16, CX")
			label(lbl)
			p("VMOVDQU (BX), Y0")
			p("VMOVDQU %d(BX), Y1", 8*ws)
			p("VPXOR Y0, Y1, Y2")
			p("VPAND (DX), Y2, Y2")
			p("VPXOR Y2, Y0, Y0")
			p("VPXOR Y2, Y1, Y1")
			p("VMOVDQU Y0, (BX)")
			p("VMOVDQU Y1, %d(BX)", 8*ws)
			p("ADDQ $32, BX")
			p("ADDQ $32, DX")
			// After ws/4 vectors of lower words, skip the upper ones.
			p("MOVQ BX, AX")
			p("SUBQ DI, AX")
			p("TESTQ $%d, AX", 8*ws)
			p("JZ %s_next", lbl)
			p("ADDQ $%d, BX", 8*ws)
			p("ADDQ $%d, DX", 8*ws)
			label(lbl + "_next")
		}
		p("DECQ CX")
		p("JNZ %s", lbl)
	}
	p("VZEROUPPER")
	p("RET")
}

// bottomKernel emits fftBottom6AVX2 (see fftBottom6Generic): per group,
// the 16-bit coefficients c0, c1 of its four subproblems widened to one
// qword per lane (c0 low, c1 at bit 32), plane j of the result starting as
// the mask of bit j of c0 and gaining tab[k][j] = plane j of z^k·bottom
// under the mask of bit k of c1.
func bottomKernel() {
	out.WriteString(`
// func fftBottom6AVX2(out *fftVals, cur *[fftCoeffs]gf, tab *[M]vec4)
TEXT ·fftBottom6AVX2(SB), NOSPLIT, $0-24
`)
	p("MOVQ out+0(FP), DI")
	p("MOVQ cur+8(FP), SI")
	p("MOVQ tab+16(FP), DX")
	p("MOVQ $32, CX")
	label("bottomloop")
	p("VPMOVZXWD (SI), Y14")
	bitMask := func(bit int, dst string) {
		p("VPSLLQ $%d, Y14, %s", 63-bit, dst)
		p("VPSRAD $31, %s, %s", dst, dst)
		p("VPSHUFD $0xF5, %s, %s", dst, dst)
	}
	for j := 0; j < m; j++ {
		bitMask(j, fmt.Sprintf("Y%d", j))
	}
	for k := 0; k < m; k++ {
		bitMask(32+k, "Y13")
		for j := 0; j < m; j++ {
			p("VPAND %d(DX), Y13, Y15", k*vec4+32*j)
			p("VPXOR Y15, Y%d, Y%d", j, j)
		}
	}
	for j := 0; j < m; j++ {
		p("VMOVDQU Y%d, %d(DI)", j, 32*j)
	}
	p("ADDQ $16, SI")
	p("ADDQ $%d, DI", vec4)
	p("DECQ CX")
	p("JNZ bottomloop")
	p("VZEROUPPER")
	p("RET")
}

// vecMul4Kernel emits vecMul4AVX2 (see vecMul4Generic): h = f·g.
func vecMul4Kernel() {
	out.WriteString(`
// func vecMul4AVX2(hp, fp, gp *vec4)
// Four bit-sliced GF(2^13) products at once: word k of vec4 holds plane k
// of four independent vecs.
`)
	fmt.Fprintf(&out, "TEXT ·vecMul4AVX2(SB), 0, $%d-24\n", 25*32)
	p("MOVQ hp+0(FP), DI")
	p("MOVQ fp+8(FP), SI")
	p("MOVQ gp+16(FP), DX")
	loadFactor("SI")
	product("DX", 0)
	for k := 0; k < m; k++ {
		reduce(k, "Y13")
		p("VMOVDQU Y13, %d(DI)", 32*k)
	}
	wipeStack(2*m - 1)
	p("VZEROUPPER")
	p("RET")
}

// valsKernels emits the two per-element steps of decoding on fftVals
// (decode_amd64.s).
func valsKernels() {
	out.WriteString(`
// func maskValsAVX2(c, gv *fftVals, x *[q / 64]uint64)
// Plane k of group i of c is plane k of group i of gv AND words 4i..4i+3
// of x: the values r_x/g(β_x)² of the syndrome, lane by lane.
TEXT ·maskValsAVX2(SB), NOSPLIT, $0-24
`)
	p("MOVQ c+0(FP), DI")
	p("MOVQ gv+8(FP), SI")
	p("MOVQ x+16(FP), BX")
	p("MOVQ $32, CX")
	label("maskloop")
	p("VMOVDQU (BX), Y13")
	for k := 0; k < m; k++ {
		p("VPAND %d(SI), Y13, Y%d", 32*k, k)
	}
	for k := 0; k < m; k++ {
		p("VMOVDQU Y%d, %d(DI)", k, 32*k)
	}
	p("ADDQ $%d, DI", vec4)
	p("ADDQ $%d, SI", vec4)
	p("ADDQ $32, BX")
	p("DECQ CX")
	p("JNZ maskloop")
	p("VZEROUPPER")
	p("RET")
	out.WriteString(`
// func rootsAVX2(x *[q / 64]uint64, ev *fftVals)
// Words 4i..4i+3 of x are the complement of the OR of the 13 planes of
// group i of ev: bit set exactly where the evaluated value is zero.
TEXT ·rootsAVX2(SB), NOSPLIT, $0-16
`)
	p("MOVQ x+0(FP), DI")
	p("MOVQ ev+8(FP), SI")
	p("MOVQ $32, CX")
	p("VPCMPEQQ Y15, Y15, Y15")
	label("rootloop")
	p("VMOVDQU (SI), Y0")
	p("VMOVDQU 32(SI), Y1")
	for k := 2; k < m; k++ {
		p("VPOR %d(SI), Y%d, Y%d", 32*k, k%2, k%2)
	}
	p("VPOR Y1, Y0, Y0")
	p("VPXOR Y15, Y0, Y0")
	p("VMOVDQU Y0, (DI)")
	p("ADDQ $%d, SI", vec4)
	p("ADDQ $32, DI")
	p("DECQ CX")
	p("JNZ rootloop")
	p("VZEROUPPER")
	p("RET")
}

const header = "// Code generated by gf_amd64_gen.go; DO NOT EDIT.\n\n//go:build amd64 && !purego\n\n#include \"textflag.h\"\n"

func write(name string) {
	if err := os.WriteFile(name, []byte(out.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out.Reset()
}

func main() {
	out.WriteString(header)
	kernelGroups("fftCombineGroupsAVX2", false)
	kernelGroups("fftCombineGroupsTrAVX2", true)
	kernelPairs("fftCombine7AVX2", unpack, false)
	kernelPairs("fftCombine7TrAVX2", unpack, true)
	kernelPairs("fftCombine8AVX2", perm, false)
	kernelPairs("fftCombine8TrAVX2", perm, true)
	bottomKernel()
	for mm := m; mm > 6; mm-- {
		coeffKernel(mm, false)
		coeffKernel(mm, true)
	}
	write("fft_amd64.s")
	out.WriteString(header)
	bmLoop()
	write("bm_amd64.s")
	out.WriteString(header)
	var fwd, inv []int
	for l := 0; l < 2*m-1; l++ {
		fwd = append(fwd, l)
		inv = append(inv, 2*m-2-l)
	}
	benesKernel("benesForwardAVX2", fwd)
	benesKernel("benesInverseAVX2", inv)
	write("benes_amd64.s")
	out.WriteString(header)
	valsKernels()
	write("decode_amd64.s")
	out.WriteString(header)
	vecMul4Kernel()
	write("vecmul4_amd64.s")
}
