//go:build amd64 && !purego

#include "textflag.h"

// Kernels of the exact integer product behind rqMulSmall and r3Mul (see
// mulint_amd64.go). Every loop count and address depends only on the
// public sizes, never on the coefficients.

// One block of four output vectors (32 int32 outputs starting at 32*u) of
// mulLeafAVX2: for t = tlo .. tlo+cnt-1 the pair (a[2t], a[2t+1]) is
// broadcast and VPMADDWD adds a[2t]*b[o-2t] + a[2t+1]*b[o-2t-1] to output
// lane o, reading (b[k], b[k-1]) at k = o-2t from the pair table.
#define LEAFINIT(u, tlo, cnt) \
	VPXOR Y0, Y0, Y0; \
	VPXOR Y1, Y1, Y1; \
	VPXOR Y2, Y2, Y2; \
	VPXOR Y3, Y3, Y3; \
	LEAQ (4*(tlo))(SI), R8; \
	LEAQ (384+4*(32*(u)-2*(tlo)+32))(BX), R9; \
	MOVQ $(cnt), CX

#define LEAFSTEP \
	VPBROADCASTD (R8), Y4; \
	VPMADDWD 0(R9), Y4, Y5; \
	VPMADDWD 32(R9), Y4, Y6; \
	VPMADDWD 64(R9), Y4, Y7; \
	VPMADDWD 96(R9), Y4, Y8; \
	VPADDD Y5, Y0, Y0; \
	VPADDD Y6, Y1, Y1; \
	VPADDD Y7, Y2, Y2; \
	VPADDD Y8, Y3, Y3; \
	ADDQ $4, R8; \
	SUBQ $8, R9; \
	DECQ CX

#define LEAFSTORE(u) \
	VMOVDQU Y0, (128*(u))(DI); \
	VMOVDQU Y1, (128*(u)+32)(DI); \
	VMOVDQU Y2, (128*(u)+64)(DI); \
	VMOVDQU Y3, (128*(u)+96)(DI)

// func mulLeafAVX2(c *[2 * leafN]int32, a, b *[leafN]int16, w *[leafScratch]int32)
//
// c = a*b exactly, for 96-coefficient a and b (c[191] = 0). The scratch w
// holds b among zeros (int16 index j at byte 96+2j, j in [-48, 144)) and,
// from byte 384, the pair table: (b[k], b[k-1]) as one 32-bit lane at
// byte 384+4(k+32), k in [-32, 128).
TEXT ·mulLeafAVX2(SB), NOSPLIT, $0-32
	MOVQ c+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ w+24(FP), BX

	// b among zeros.
	VPXOR Y0, Y0, Y0
	VMOVDQU Y0, 0(BX)
	VMOVDQU Y0, 32(BX)
	VMOVDQU Y0, 64(BX)
	VMOVDQU Y0, 288(BX)
	VMOVDQU Y0, 320(BX)
	VMOVDQU Y0, 352(BX)
	VMOVDQU 0(DX), Y1
	VMOVDQU Y1, 96(BX)
	VMOVDQU 32(DX), Y1
	VMOVDQU Y1, 128(BX)
	VMOVDQU 64(DX), Y1
	VMOVDQU Y1, 160(BX)
	VMOVDQU 96(DX), Y1
	VMOVDQU Y1, 192(BX)
	VMOVDQU 128(DX), Y1
	VMOVDQU Y1, 224(BX)
	VMOVDQU 160(DX), Y1
	VMOVDQU Y1, 256(BX)

	// Pair table, 16 pairs an iteration: x = b[k0..k0+15], y =
	// b[k0-1..k0+14]; VPUNPCKL/HWD interleave them within 128-bit halves.
	LEAQ 32(BX), R8   // &b[-32]
	LEAQ 384(BX), R9  // pair k = -32
	MOVQ $10, CX

pairs:
	VMOVDQU 0(R8), Y0
	VMOVDQU -2(R8), Y1
	VPUNPCKLWD Y1, Y0, Y2 // pairs k0..k0+3 | k0+8..k0+11
	VPUNPCKHWD Y1, Y0, Y3 // pairs k0+4..k0+7 | k0+12..k0+15
	VMOVDQU X2, 0(R9)
	VMOVDQU X3, 16(R9)
	VEXTRACTI128 $1, Y2, 32(R9)
	VEXTRACTI128 $1, Y3, 48(R9)
	ADDQ $32, R8
	ADDQ $64, R9
	DECQ CX
	JNZ  pairs

	// Output block u covers outputs 32u..32u+31; the pairs t with
	// b[o-2t] or b[o-2t-1] possibly nonzero there run from
	// max(0, 16u-48) to min(47, 16u+15).
	LEAFINIT(0, 0, 16)
leaf0:
	LEAFSTEP
	JNZ leaf0
	LEAFSTORE(0)
	LEAFINIT(1, 0, 32)
leaf1:
	LEAFSTEP
	JNZ leaf1
	LEAFSTORE(1)
	LEAFINIT(2, 0, 48)
leaf2:
	LEAFSTEP
	JNZ leaf2
	LEAFSTORE(2)
	LEAFINIT(3, 0, 48)
leaf3:
	LEAFSTEP
	JNZ leaf3
	LEAFSTORE(3)
	LEAFINIT(4, 16, 32)
leaf4:
	LEAFSTEP
	JNZ leaf4
	LEAFSTORE(4)
	LEAFINIT(5, 32, 16)
leaf5:
	LEAFSTEP
	JNZ leaf5
	LEAFSTORE(5)

	VZEROUPPER
	RET

// func add16AVX2(dst, x, y *int16, n int)
//
// dst[i] = x[i] + y[i] (wrapping int16) for i < n, n a positive multiple
// of 16.
TEXT ·add16AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $4, CX

add16loop:
	VMOVDQU (SI), Y0
	VPADDW  (DX), Y0, Y0
	VMOVDQU Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ  add16loop
	VZEROUPPER
	RET

// func karaCombineAVX2(out, z1 *int32, h int)
//
// One Karatsuba recombination in place: out[0:2h] holds z0 = a0*b0,
// out[2h:4h] z2 = a1*b1 and z1 = (a0+a1)(b0+b1); afterwards out[0:4h] is
// z0 + x^h (z1 - z0 - z2) + x^(2h) z2. With halves z0 = z0L + x^h z0H and
// so on, and T = z0H - z2L, the middle blocks become T + z1L - z0L and
// z1H - z2H - T, each lane reading only its own position of every block.
// h is a positive multiple of 8.
TEXT ·karaCombineAVX2(SB), NOSPLIT, $0-24
	MOVQ out+0(FP), DI
	MOVQ z1+8(FP), SI
	MOVQ h+16(FP), CX
	MOVQ CX, DX
	SHLQ $2, DX            // h in bytes
	LEAQ (DI)(DX*1), R8    // z0H
	LEAQ (R8)(DX*1), R9    // z2L
	LEAQ (R9)(DX*1), R10   // z2H
	LEAQ (SI)(DX*1), R11   // z1H
	SHRQ $3, CX

combine:
	VMOVDQU (R8), Y0
	VPSUBD  (R9), Y0, Y0   // T
	VMOVDQU (SI), Y1
	VPSUBD  (DI), Y1, Y1
	VPADDD  Y0, Y1, Y1     // T + z1L - z0L
	VMOVDQU (R11), Y2
	VPSUBD  (R10), Y2, Y2
	VPSUBD  Y0, Y2, Y2     // z1H - z2H - T
	VMOVDQU Y1, (R8)
	VMOVDQU Y2, (R9)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $32, R11
	DECQ CX
	JNZ  combine
	VZEROUPPER
	RET

// Fold and reduce 8 lanes at byte offset off of c into Y0 (see
// foldFreezeAVX2); Y1, Y2 scratch.
#define FOLD8(off, R) \
	VMOVDQU (off)(SI), R; \
	VPADDD  (off+4*761)(SI), R, R; \
	VPADDD  (off+4*760)(SI), R, R; \
	VCVTDQ2PS R, Y1; \
	VMULPS Y14, Y1, Y1; \
	VCVTPS2DQ Y1, Y1; \
	VPMULLD Y15, Y1, Y1; \
	VPSUBD Y1, R, R; \
	VPCMPGTD Y13, R, Y2; \
	VPAND Y15, Y2, Y2; \
	VPSUBD Y2, R, R; \
	VPCMPGTD R, Y12, Y2; \
	VPAND Y15, Y2, Y2; \
	VPADDD Y2, R, R

// func foldFreezeAVX2(out *[mulN]int16, c *[2 * mulN]int32, m int32, inv float32)
//
// out[i] = c[i] + c[i+p] + c[i+p-1] reduced modulo the odd m into
// [-(m-1)/2, (m-1)/2], for i < mulN; out[0] wrongly includes c[p-1] and
// the caller recomputes it. inv is 1/m as float32. Each sum x must satisfy
// |x| < 2^24, so that it converts to float32 exactly; then
// round(x*inv) is x/m rounded to the nearest integer or one off from it
// (only when x lies within a few units of a multiple of m plus m/2), so
// x - m*round(x*inv) lies in [-(m-1)/2 - m, (m-1)/2 + m] and is moved into
// range by one masked subtraction and one masked addition of m. No branch
// depends on the data.
TEXT ·foldFreezeAVX2(SB), NOSPLIT, $0-24
	MOVQ out+0(FP), DI
	MOVQ c+8(FP), SI
	MOVL m+16(FP), AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15         // m
	VBROADCASTSS inv+20(FP), Y14  // 1/m
	SHRL $1, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13         // (m-1)/2
	VPXOR Y12, Y12, Y12
	VPSUBD Y13, Y12, Y12          // -(m-1)/2
	MOVQ $(768/16), CX

fold:
	FOLD8(0, Y0)
	FOLD8(32, Y3)
	VPACKSSDW Y3, Y0, Y0
	VPERMQ $0xD8, Y0, Y0
	VMOVDQU Y0, (DI)
	ADDQ $64, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  fold
	VZEROUPPER
	RET
