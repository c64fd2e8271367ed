//go:build amd64 && !purego

#include "textflag.h"

// Offsets of the arrays of rqVec (four arrays of 784 uint16).
#define OFF_G 1568
#define OFF_V 3136
#define OFF_R 4704

// SETUP broadcasts the step's mask, s, sp, t, tp (in R8, R9, R10, R11,
// R12) and the constants q and 2q to all 16 lanes. VEX-encoded moves only:
// a legacy-SSE MOVQ into an XMM register while upper halves are dirty costs
// a state transition.
#define SETUP \
	VMOVQ R8, X15; \
	VPBROADCASTW X15, Y15; \
	VMOVQ R9, X14; \
	VPBROADCASTW X14, Y14; \
	VMOVQ R10, X13; \
	VPBROADCASTW X13, Y13; \
	VMOVQ R11, X10; \
	VPBROADCASTW X10, Y10; \
	VMOVQ R12, X9; \
	VPBROADCASTW X9, Y9; \
	MOVL $4591, AX; \
	VMOVQ AX, X12; \
	VPBROADCASTW X12, Y12; \
	MOVL $9182, AX; \
	VMOVQ AX, X11; \
	VPBROADCASTW X11, Y11

// MULADD sets acc = reduce(t*acc + s*x) lane by lane, with Shoup's
// method on the sum: the quotient estimate floor(acc*tp/2^16) +
// floor(x*sp/2^16), with ap = floor(a*2^16/q), leaves a remainder
// t*acc + s*x - estimate*q in [0, 4q) for any 16-bit acc and x, so the
// packed 16-bit arithmetic is exact; reduce(y) = min(y, y - 2q) (unsigned)
// then maps [0, 4q) to [0, 2q). Clobbers Y3, Y4, Y5, Y7.
#define MULADD(x, acc) \
	VPMULLW  Y14, x, Y3; \
	VPMULHUW Y13, x, Y4; \
	VPMULLW  Y10, acc, Y5; \
	VPMULHUW Y9, acc, Y7; \
	VPADDW   Y5, Y3, Y3; \
	VPADDW   Y7, Y4, Y4; \
	VPMULLW  Y12, Y4, Y4; \
	VPSUBW   Y4, Y3, acc; \
	VPSUBW   Y11, acc, Y3; \
	VPMINUW  Y3, acc, acc

// SWAP exchanges Y0 and Y1 where the mask Y15 is set. Clobbers Y2.
#define SWAP \
	VPXOR Y0, Y1, Y2; \
	VPAND Y15, Y2, Y2; \
	VPXOR Y2, Y0, Y0; \
	VPXOR Y2, Y1, Y1

// FGBLOCK handles lanes 16k+1..16k+16 of f and g, SI pointing at lane 16k
// of f: f, g = swapped by the mask; f stored back in place; t*g + s*f
// stored one lane down (division by x).
#define FGBLOCK \
	VMOVDQU 2(SI), Y0; \
	VMOVDQU (OFF_G+2)(SI), Y1; \
	SWAP; \
	VMOVDQU Y0, 2(SI); \
	MULADD(Y0, Y1); \
	VMOVDQU Y1, OFF_G(SI)

// VRBLOCK handles lanes 16k..16k+15 of v and r, SI pointing at lane 16k of
// the arrays (v is stored one lane up, so the load at the same index is v
// times x): v, r = swapped; v stored back; t*r + s*v stored in place.
#define VRBLOCK \
	VMOVDQU OFF_V(SI), Y0; \
	VMOVDQU OFF_R(SI), Y1; \
	SWAP; \
	VMOVDQU Y0, (OFF_V+2)(SI); \
	MULADD(Y0, Y1); \
	VMOVDQU Y1, OFF_R(SI)

// func divstepAVX2(st *rqVec, nfg, nvr int, swap, s, sp, t, tp uint64)
//
// The vector passes of one divstep (see recipq_avx2.go), with swap 0 or all
// ones, s = -g(0) and t = f(0) (after the swap) in [0, q), sp and tp their
// Shoup constants floor(a*2^16/q):
//
//	for lanes i = 1 .. 16*nfg:      f[i], g[i] = swapped by mask;
//	                                g[i-1] = reduce(t*g[i] + s*f[i])
//	for lanes i = 16*nvr-1 .. 0:    v[i+1], r[i] = swapped v[i], r[i];
//	                                r[i] = reduce(t*r[i] + s*v[i+1])
//
// No branch or address depends on swap, s, t; nfg, nvr >= 1 are public.
TEXT ·divstepAVX2(SB), NOSPLIT, $0-64
	MOVQ st+0(FP), DI
	MOVQ nfg+8(FP), CX
	MOVQ nvr+16(FP), DX
	MOVQ swap+24(FP), R8
	MOVQ s+32(FP), R9
	MOVQ sp+40(FP), R10
	MOVQ t+48(FP), R11
	MOVQ tp+56(FP), R12
	SETUP

	MOVQ DI, SI

fgloop:
	FGBLOCK
	ADDQ $32, SI
	DECQ CX
	JNZ  fgloop

	MOVQ DX, AX
	SHLQ $5, AX
	LEAQ -32(DI)(AX*1), SI

vrloop:
	VRBLOCK
	SUBQ $32, SI
	DECQ DX
	JNZ  vrloop

	VZEROUPPER
	RET
