//go:build ignore

// Command fft_amd64_gen writes fft_amd64.s, the AVX2 combine levels of the
// additive FFT and of its transpose (see fft_iter.go): go run
// fft_amd64_gen.go > fft_amd64.s. Each kernel runs the butterflies of one
// level with the 4-way bit-sliced GF(2^13) product inlined: the 13 planes
// of one factor in Y0..Y12, the other factor (the level's α) read from
// memory, the 25 planes of the unreduced product on the stack, and the
// reduction by z^13 = z^4 + z^3 + z + 1 fused with the butterfly's
// additions.
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

// product writes the 25 planes of Y0..Y12 × (g) to 0..800(SP).
func product(g string) {
	for k := 0; k <= 2*m-2; k++ {
		var terms [][2]int
		for i := max(0, k-m+1); i <= min(k, m-1); i++ {
			terms = append(terms, [2]int{i, k - i})
		}
		for n, t := range terms {
			src := fmt.Sprintf("%d(%s)", 32*t[1], g)
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

// reduce leaves plane k of the reduced product in reg.
func reduce(k int, reg string) {
	p("VMOVDQU %d(SP), %s", 32*k, reg)
	for _, i := range reduction[k] {
		p("VPXOR %d(SP), %s, %s", 32*i, reg, reg)
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
	product("DX")
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
	p("VZEROUPPER")
	p("RET")
}

func main() {
	out.WriteString("// Code generated by fft_amd64_gen.go; DO NOT EDIT.\n\n//go:build amd64 && !purego\n\n#include \"textflag.h\"\n")
	kernelGroups("fftCombineGroupsAVX2", false)
	kernelGroups("fftCombineGroupsTrAVX2", true)
	kernelPairs("fftCombine7AVX2", unpack, false)
	kernelPairs("fftCombine7TrAVX2", unpack, true)
	kernelPairs("fftCombine8AVX2", perm, false)
	kernelPairs("fftCombine8TrAVX2", perm, true)
	if _, err := os.Stdout.WriteString(out.String()); err != nil {
		os.Exit(1)
	}
}
