//go:build amd64 && !purego

#include "textflag.h"

// Offsets of the arrays of rqVec (four arrays of 784 uint16).
#define OFF_G 1568
#define OFF_V 3136
#define OFF_R 4704

// SETUP broadcasts the step's mask, s and sp (in R8, R9, R10) and the
// constants q and 2q to all 16 lanes.
#define SETUP \
	VMOVQ R8, X15; \
	VPBROADCASTW X15, Y15; \
	VMOVQ R9, X14; \
	VPBROADCASTW X14, Y14; \
	VMOVQ R10, X13; \
	VPBROADCASTW X13, Y13; \
	MOVL $4591, AX; \
	VMOVQ AX, X12; \
	VPBROADCASTW X12, Y12; \
	MOVL $9182, AX; \
	VMOVQ AX, X11; \
	VPBROADCASTW X11, Y11

// MULADD sets acc = reduce(acc + s*x) lane by lane, with Shoup's product
// s*x - floor(x*sp/2^16)*q in [0, 2q) and reduce(y) = min(y, y - 2q)
// (unsigned), which maps [0, 4q) to [0, 2q). Clobbers Y3, Y4.
#define MULADD(x, acc) \
	VPMULLW  Y14, x, Y3; \
	VPMULHUW Y13, x, Y4; \
	VPMULLW  Y12, Y4, Y4; \
	VPSUBW   Y4, Y3, Y3; \
	VPADDW   Y3, acc, acc; \
	VPSUBW   Y11, acc, Y3; \
	VPMINUW  Y3, acc, acc

// FGBLOCK handles lanes 16k+1..16k+16 of f and g, SI pointing at lane 16k
// of f: f, g = swapped by the mask; f stored back in place; g + s*f stored
// one lane down (division by x).
#define FGBLOCK \
	VMOVDQU   2(SI), Y0; \
	VMOVDQU   (OFF_G+2)(SI), Y1; \
	VPXOR     Y0, Y1, Y2; \
	VPAND     Y15, Y2, Y2; \
	VPXOR     Y2, Y0, Y5; \
	VPXOR     Y2, Y1, Y6; \
	VMOVDQU   Y5, 2(SI); \
	MULADD(Y5, Y6); \
	VMOVDQU   Y6, OFF_G(SI)

// VRBLOCK handles lanes 16k..16k+15 of v and r, SI pointing at lane 16k of
// the arrays (v is stored one lane up, so the load at the same index is v
// times x): v, r = swapped; v stored back; r + s*v stored in place.
#define VRBLOCK \
	VMOVDQU   OFF_V(SI), Y0; \
	VMOVDQU   OFF_R(SI), Y1; \
	VPXOR     Y0, Y1, Y2; \
	VPAND     Y15, Y2, Y2; \
	VPXOR     Y2, Y0, Y5; \
	VPXOR     Y2, Y1, Y6; \
	VMOVDQU   Y5, (OFF_V+2)(SI); \
	MULADD(Y5, Y6); \
	VMOVDQU   Y6, OFF_R(SI)

// A divstep (see recipq_avx2.go) is divstepHead then divstepTail with the
// same swap mask (0 or all ones), s in [0, q) and sp = floor(s*2^16/q):
//
//	for lanes i = 1 .. 16*nfg:      f[i], g[i] = swapped by mask;
//	                                g[i-1] = reduce(g[i] + s*f[i])
//	for lanes i = 16*nvr-1 .. 0:    v[i+1], r[i] = swapped v[i], r[i];
//	                                r[i] = reduce(r[i] + s*v[i+1])
//
// divstepHead does the first 16 lanes of f and g, which is all the next
// step's scalars depend on; the caller computes them between the two calls
// so that the processor overlaps that scalar chain with divstepTail's
// vector work. No branch or address depends on swap, s or sp; nfg and nvr
// (>= 1) are public.

// func divstepHead(st *rqVec, swap, s, sp uint64)
TEXT ·divstepHead(SB), NOSPLIT, $0-32
	MOVQ st+0(FP), SI
	MOVQ swap+8(FP), R8
	MOVQ s+16(FP), R9
	MOVQ sp+24(FP), R10
	SETUP
	FGBLOCK
	VZEROUPPER
	RET

// func divstepTail(st *rqVec, nfg, nvr int, swap, s, sp uint64)
TEXT ·divstepTail(SB), NOSPLIT, $0-48
	MOVQ st+0(FP), DI
	MOVQ nfg+8(FP), CX
	MOVQ nvr+16(FP), DX
	MOVQ swap+24(FP), R8
	MOVQ s+32(FP), R9
	MOVQ sp+40(FP), R10
	SETUP

	LEAQ 32(DI), SI
	DECQ CX
	JZ   vr

fgloop:
	FGBLOCK
	ADDQ $32, SI
	DECQ CX
	JNZ  fgloop

vr:
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
