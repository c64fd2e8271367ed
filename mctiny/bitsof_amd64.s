//go:build amd64 && !purego

#include "textflag.h"

// Constants of bitsOfAVX2: the sign bit, 63, and the word numbers 0 to 9,
// each in four 64-bit lanes.
DATA bitsSign<>+0x00(SB)/8, $0x8000000000000000
DATA bitsSign<>+0x08(SB)/8, $0x8000000000000000
DATA bitsSign<>+0x10(SB)/8, $0x8000000000000000
DATA bitsSign<>+0x18(SB)/8, $0x8000000000000000
GLOBL bitsSign<>(SB), RODATA|NOPTR, $32

DATA bits63<>+0x00(SB)/8, $63
DATA bits63<>+0x08(SB)/8, $63
DATA bits63<>+0x10(SB)/8, $63
DATA bits63<>+0x18(SB)/8, $63
GLOBL bits63<>(SB), RODATA|NOPTR, $32

DATA bitsWord<>+0x00(SB)/8, $0
DATA bitsWord<>+0x08(SB)/8, $0
DATA bitsWord<>+0x10(SB)/8, $0
DATA bitsWord<>+0x18(SB)/8, $0
DATA bitsWord<>+0x20(SB)/8, $1
DATA bitsWord<>+0x28(SB)/8, $1
DATA bitsWord<>+0x30(SB)/8, $1
DATA bitsWord<>+0x38(SB)/8, $1
DATA bitsWord<>+0x40(SB)/8, $2
DATA bitsWord<>+0x48(SB)/8, $2
DATA bitsWord<>+0x50(SB)/8, $2
DATA bitsWord<>+0x58(SB)/8, $2
DATA bitsWord<>+0x60(SB)/8, $3
DATA bitsWord<>+0x68(SB)/8, $3
DATA bitsWord<>+0x70(SB)/8, $3
DATA bitsWord<>+0x78(SB)/8, $3
DATA bitsWord<>+0x80(SB)/8, $4
DATA bitsWord<>+0x88(SB)/8, $4
DATA bitsWord<>+0x90(SB)/8, $4
DATA bitsWord<>+0x98(SB)/8, $4
DATA bitsWord<>+0xa0(SB)/8, $5
DATA bitsWord<>+0xa8(SB)/8, $5
DATA bitsWord<>+0xb0(SB)/8, $5
DATA bitsWord<>+0xb8(SB)/8, $5
DATA bitsWord<>+0xc0(SB)/8, $6
DATA bitsWord<>+0xc8(SB)/8, $6
DATA bitsWord<>+0xd0(SB)/8, $6
DATA bitsWord<>+0xd8(SB)/8, $6
DATA bitsWord<>+0xe0(SB)/8, $7
DATA bitsWord<>+0xe8(SB)/8, $7
DATA bitsWord<>+0xf0(SB)/8, $7
DATA bitsWord<>+0xf8(SB)/8, $7
DATA bitsWord<>+0x100(SB)/8, $8
DATA bitsWord<>+0x108(SB)/8, $8
DATA bitsWord<>+0x110(SB)/8, $8
DATA bitsWord<>+0x118(SB)/8, $8
DATA bitsWord<>+0x120(SB)/8, $9
DATA bitsWord<>+0x128(SB)/8, $9
DATA bitsWord<>+0x130(SB)/8, $9
DATA bitsWord<>+0x138(SB)/8, $9
GLOBL bitsWord<>(SB), RODATA|NOPTR, $320

// ACC ORs the bits of the four candidates (Y11) whose word (Y10) is the
// word at bitsWord+off into the accumulator acc, using Y12.
#define ACC(off, acc) \
	VPCMPEQQ bitsWord<>+off(SB), Y10, Y12; \
	VPAND    Y11, Y12, Y12; \
	VPOR     Y12, acc, acc

// FOLD ORs the four lanes of the accumulator y (x its low half) and
// stores the word at DI+off, using X12.
#define FOLD(y, x, off) \
	VEXTRACTI128 $1, y, X12; \
	VPOR         X12, x, x; \
	VPSHUFD      $0x4e, x, X12; \
	VPOR         X12, x, x; \
	MOVQ         x, off(DI)

// func bitsOfAVX2(dst *[10]uint64, pos *[256]uint64, start, width uint64)
// For each candidate p: rel = p - start (mod 2^64); if rel < width
// (unsigned), bit rel%64 of word rel/64 is set. Y0-Y9 accumulate the ten
// words, four candidates per lane set; the loop has no branch on data.
TEXT ·bitsOfAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ pos+8(FP), SI
	VPBROADCASTQ start+16(FP), Y13
	VPBROADCASTQ width+24(FP), Y14
	VMOVDQU bitsSign<>(SB), Y15
	VPXOR Y15, Y14, Y14 // width with the sign bit flipped
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	MOVQ $64, CX

loop:
	VMOVDQU (SI), Y10
	VPSUBQ Y13, Y10, Y10       // rel
	VPXOR Y15, Y10, Y12
	VPCMPGTQ Y12, Y14, Y12     // all ones where rel < width (unsigned)
	VPSRLQ $63, Y12, Y12       // 1 where in the window
	VPAND bits63<>(SB), Y10, Y11
	VPSLLVQ Y11, Y12, Y11      // the bit within its word, or 0
	VPSRLQ $6, Y10, Y10        // the word
	ACC(0, Y0)
	ACC(32, Y1)
	ACC(64, Y2)
	ACC(96, Y3)
	ACC(128, Y4)
	ACC(160, Y5)
	ACC(192, Y6)
	ACC(224, Y7)
	ACC(256, Y8)
	ACC(288, Y9)
	ADDQ $32, SI
	DECQ CX
	JNZ loop

	FOLD(Y0, X0, 0)
	FOLD(Y1, X1, 8)
	FOLD(Y2, X2, 16)
	FOLD(Y3, X3, 24)
	FOLD(Y4, X4, 32)
	FOLD(Y5, X5, 40)
	FOLD(Y6, X6, 48)
	FOLD(Y7, X7, 56)
	FOLD(Y8, X8, 64)
	FOLD(Y9, X9, 72)
	VZEROUPPER
	RET
