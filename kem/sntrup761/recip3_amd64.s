//go:build amd64 && !purego

#include "textflag.h"

// Offsets of the planes of r3Vec (eight planes of 12 words, 96 bytes).
#define FPOS 0
#define FNEG 96
#define GPOS 192
#define GNEG 288
#define VPOS 384
#define VNEG 480
#define RPOS 576
#define RNEG 672

// SHL1 multiplies the plane at off(DI) by x: a 768-bit left shift by one
// (carries move up a 64-bit lane: rotate the lanes' top bits, then take
// lane 0 from the vector below), keeping only the low p+1 bits (Y12).
// Y11 is zero. Clobbers Y0-Y5.
#define SHL1(off) \
	VMOVDQU  (off)(DI), Y0; \
	VMOVDQU  (off+32)(DI), Y1; \
	VMOVDQU  (off+64)(DI), Y2; \
	VPSRLQ   $63, Y0, Y3; \
	VPSRLQ   $63, Y1, Y4; \
	VPSRLQ   $63, Y2, Y5; \
	VPERMQ   $0x93, Y3, Y3; \
	VPERMQ   $0x93, Y4, Y4; \
	VPERMQ   $0x93, Y5, Y5; \
	VPSLLQ   $1, Y0, Y0; \
	VPSLLQ   $1, Y1, Y1; \
	VPSLLQ   $1, Y2, Y2; \
	VPBLENDD $0x03, Y4, Y5, Y5; \
	VPBLENDD $0x03, Y3, Y4, Y4; \
	VPBLENDD $0x03, Y11, Y3, Y3; \
	VPOR     Y3, Y0, Y0; \
	VPOR     Y4, Y1, Y1; \
	VPOR     Y5, Y2, Y2; \
	VPAND    Y12, Y2, Y2; \
	VMOVDQU  Y0, (off)(DI); \
	VMOVDQU  Y1, (off+32)(DI); \
	VMOVDQU  Y2, (off+64)(DI)

// SHR1 divides the plane at off(DI) by x (bit 0 is zero): a 768-bit right
// shift by one. Y11 is zero. Clobbers Y0-Y5.
#define SHR1(off) \
	VMOVDQU  (off)(DI), Y0; \
	VMOVDQU  (off+32)(DI), Y1; \
	VMOVDQU  (off+64)(DI), Y2; \
	VPSLLQ   $63, Y0, Y3; \
	VPSLLQ   $63, Y1, Y4; \
	VPSLLQ   $63, Y2, Y5; \
	VPERMQ   $0x39, Y3, Y3; \
	VPERMQ   $0x39, Y4, Y4; \
	VPERMQ   $0x39, Y5, Y5; \
	VPSRLQ   $1, Y0, Y0; \
	VPSRLQ   $1, Y1, Y1; \
	VPSRLQ   $1, Y2, Y2; \
	VPBLENDD $0xC0, Y4, Y3, Y3; \
	VPBLENDD $0xC0, Y5, Y4, Y4; \
	VPBLENDD $0xC0, Y11, Y5, Y5; \
	VPOR     Y3, Y0, Y0; \
	VPOR     Y4, Y1, Y1; \
	VPOR     Y5, Y2, Y2; \
	VMOVDQU  Y0, (off)(DI); \
	VMOVDQU  Y1, (off+32)(DI); \
	VMOVDQU  Y2, (off+64)(DI)

// SWAPADD handles one 256-bit column of a pair (a, b) of bit-sliced
// polynomials (planes at ap, an, bp, bn): a, b = swapped where Y15 is set;
// a stored back; b = b + sign*a stored back, with sign*a selected by the
// masks Y14 (sign 1) and Y13 (sign -1), and the F3 addition
//
//	pos = ~(apos|aneg)&bpos | apos&~(bpos|bneg) | aneg&bneg
//	neg = ~(apos|aneg)&bneg | aneg&~(bpos|bneg) | apos&bpos
//
// on the operands (b, sign*a). Clobbers Y0-Y10.
#define SWAPADD(ap, an, bp, bn) \
	VMOVDQU (ap)(DI), Y0; \
	VMOVDQU (an)(DI), Y1; \
	VMOVDQU (bp)(DI), Y2; \
	VMOVDQU (bn)(DI), Y3; \
	VPXOR   Y0, Y2, Y4; \
	VPAND   Y15, Y4, Y4; \
	VPXOR   Y4, Y0, Y0; \
	VPXOR   Y4, Y2, Y2; \
	VPXOR   Y1, Y3, Y4; \
	VPAND   Y15, Y4, Y4; \
	VPXOR   Y4, Y1, Y1; \
	VPXOR   Y4, Y3, Y3; \
	VMOVDQU Y0, (ap)(DI); \
	VMOVDQU Y1, (an)(DI); \
	VPAND   Y14, Y0, Y5; \
	VPAND   Y13, Y1, Y4; \
	VPOR    Y4, Y5, Y5; \
	VPAND   Y14, Y1, Y6; \
	VPAND   Y13, Y0, Y4; \
	VPOR    Y4, Y6, Y6; \
	VPOR    Y2, Y3, Y7; \
	VPOR    Y5, Y6, Y8; \
	VPANDN  Y5, Y7, Y9; \
	VPANDN  Y2, Y8, Y4; \
	VPOR    Y4, Y9, Y9; \
	VPAND   Y3, Y6, Y4; \
	VPOR    Y4, Y9, Y9; \
	VPANDN  Y6, Y7, Y10; \
	VPANDN  Y3, Y8, Y4; \
	VPOR    Y4, Y10, Y10; \
	VPAND   Y2, Y5, Y4; \
	VPOR    Y4, Y10, Y10; \
	VMOVDQU Y9, (bp)(DI); \
	VMOVDQU Y10, (bn)(DI)

// func r3StepsAVX2(st *r3Vec) int64
//
// The 2p-1 divsteps of r3RecipGeneric on the whole state; returns the final
// delta. Each step takes its decisions from bit 0 of f and g with
// conditional moves and bit operations (no branch on data): swap when
// delta > 0 and g(0) != 0 (then delta = -delta), delta += 1, and
// sign = -g(0)*f(0) after the swap as two masks (Y14: sign 1, Y13:
// sign -1). Then v = x*v; (f, g) and (v, r) swapped under the mask Y15;
// g += sign*f and r += sign*v; g = g/x. Every step touches every vector.
TEXT ·r3StepsAVX2(SB), NOSPLIT, $0-16
	MOVQ st+0(FP), DI
	MOVQ $1521, BX // 2p-1 steps
	MOVQ $1, R13   // delta
	VPXOR    Y11, Y11, Y11
	VPCMPEQQ Y12, Y12, Y12
	VPSRLQ   $6, Y12, Y10
	VPBLENDD $0xC0, Y10, Y12, Y12

step:
	MOVQ FPOS(DI), R8
	MOVQ FNEG(DI), R9
	MOVQ GPOS(DI), R10
	MOVQ GNEG(DI), R11
	ANDQ $1, R8
	ANDQ $1, R9
	ANDQ $1, R10
	ANDQ $1, R11

	// swap = delta > 0 && g0 != 0, as 0/1 in AX.
	MOVQ  R10, AX
	ORQ   R11, AX
	XORQ  DX, DX
	TESTQ R13, R13
	SETGT DX
	ANDQ  DX, AX
	MOVQ  R13, DX
	NEGQ  DX
	MOVQ  R8, CX
	MOVQ  R9, SI
	TESTQ AX, AX
	CMOVQNE DX, R13
	CMOVQNE R10, R8
	CMOVQNE R11, R9
	CMOVQNE CX, R10
	CMOVQNE SI, R11
	INCQ  R13

	// sign 1 when f0, g0 have opposite signs; -1 when equal and nonzero.
	MOVQ R10, CX
	ANDQ R9, CX
	MOVQ R11, DX
	ANDQ R8, DX
	ORQ  DX, CX  // sign == 1
	MOVQ R10, SI
	ANDQ R8, SI
	MOVQ R11, DX
	ANDQ R9, DX
	ORQ  DX, SI  // sign == -1
	NEGQ AX
	NEGQ CX
	NEGQ SI
	VMOVQ AX, X15
	VPBROADCASTQ X15, Y15
	VMOVQ CX, X14
	VPBROADCASTQ X14, Y14
	VMOVQ SI, X13
	VPBROADCASTQ X13, Y13

	SHL1(VPOS)
	SHL1(VNEG)

	SWAPADD(FPOS, FNEG, GPOS, GNEG)
	SWAPADD(FPOS+32, FNEG+32, GPOS+32, GNEG+32)
	SWAPADD(FPOS+64, FNEG+64, GPOS+64, GNEG+64)
	SWAPADD(VPOS, VNEG, RPOS, RNEG)
	SWAPADD(VPOS+32, VNEG+32, RPOS+32, RNEG+32)
	SWAPADD(VPOS+64, VNEG+64, RPOS+64, RNEG+64)

	SHR1(GPOS)
	SHR1(GNEG)

	DECQ BX
	JNZ  step

	MOVQ R13, ret+8(FP)
	VZEROUPPER
	RET
