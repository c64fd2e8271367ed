//go:build amd64 && !purego

#include "textflag.h"

// ACC512 ORs the bits of the eight candidates (Z12) whose word (Z10)
// equals idx into the accumulator acc, through the mask K2.
#define ACC512(idx, acc) \
	VPCMPEQQ idx, Z10, K2; \
	VPORQ    Z12, acc, K2, acc

// FOLD512 ORs the eight lanes of the accumulator z (y, x its low halves)
// and stores the word at DI+off, using Y11.
#define FOLD512(z, y, x, off) \
	VEXTRACTI64X4 $1, z, Y11; \
	VPORQ         Y11, y, y; \
	VEXTRACTI128  $1, y, X11; \
	VPOR          X11, x, x; \
	VPSHUFD       $0x4e, x, X11; \
	VPOR          X11, x, x; \
	MOVQ          x, off(DI)

// func bitsOfAVX512(dst *[10]uint64, pos *[256]uint64, start, width uint64)
// bitsOfAVX2 with AVX-512F: eight candidates per step; the window test and
// the word comparisons produce mask registers, and each word accumulates
// its bits by a masked OR. Z0-Z9 accumulate, Z16-Z25 hold the word
// numbers 0-9; no branch depends on the data.
TEXT ·bitsOfAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ pos+8(FP), SI
	VPBROADCASTQ start+16(FP), Z13
	VPBROADCASTQ width+24(FP), Z14
	MOVQ $1, AX
	VPBROADCASTQ AX, Z15
	MOVQ $63, AX
	VPBROADCASTQ AX, Z26
	MOVQ $0, AX
	VPBROADCASTQ AX, Z16
	MOVQ $1, AX
	VPBROADCASTQ AX, Z17
	MOVQ $2, AX
	VPBROADCASTQ AX, Z18
	MOVQ $3, AX
	VPBROADCASTQ AX, Z19
	MOVQ $4, AX
	VPBROADCASTQ AX, Z20
	MOVQ $5, AX
	VPBROADCASTQ AX, Z21
	MOVQ $6, AX
	VPBROADCASTQ AX, Z22
	MOVQ $7, AX
	VPBROADCASTQ AX, Z23
	MOVQ $8, AX
	VPBROADCASTQ AX, Z24
	MOVQ $9, AX
	VPBROADCASTQ AX, Z25
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	MOVQ $32, CX

loop:
	VMOVDQU64 (SI), Z10
	VPSUBQ    Z13, Z10, Z10        // rel
	VPCMPUQ   $1, Z14, Z10, K1     // rel < width
	VPANDQ    Z26, Z10, Z11
	VPSLLVQ.Z Z11, Z15, K1, Z12    // the bit within its word, or 0
	VPSRLQ    $6, Z10, Z10         // the word
	ACC512(Z16, Z0)
	ACC512(Z17, Z1)
	ACC512(Z18, Z2)
	ACC512(Z19, Z3)
	ACC512(Z20, Z4)
	ACC512(Z21, Z5)
	ACC512(Z22, Z6)
	ACC512(Z23, Z7)
	ACC512(Z24, Z8)
	ACC512(Z25, Z9)
	ADDQ $64, SI
	DECQ CX
	JNZ  loop

	FOLD512(Z0, Y0, X0, 0)
	FOLD512(Z1, Y1, X1, 8)
	FOLD512(Z2, Y2, X2, 16)
	FOLD512(Z3, Y3, X3, 24)
	FOLD512(Z4, Y4, X4, 32)
	FOLD512(Z5, Y5, X5, 40)
	FOLD512(Z6, Y6, X6, 48)
	FOLD512(Z7, Y7, X7, 56)
	FOLD512(Z8, Y8, X8, 64)
	FOLD512(Z9, Y9, X9, 72)
	VZEROUPPER
	RET
