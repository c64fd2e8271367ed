//go:build amd64 && !purego

#include "textflag.h"

// Offsets of the arrays of rqVec (four arrays of 784 uint16).
#define OFF_G 1568
#define OFF_V 3136
#define OFF_R 4704

// func divstepAVX2(st *rqVec, nfg, nvr int, swap, s, sp uint64)
//
// One divstep's vector passes (see recipq_avx2.go), 16 lanes per register:
//
//	for lanes i = 1 .. 16*nfg:      f[i], g[i] = swapped by mask;
//	                                g[i-1] = reduce(g[i] + s*f[i])
//	for lanes i = 16*nvr-1 .. 0:    v[i+1], r[i] = swapped v[i], r[i];
//	                                r[i] = reduce(r[i] + s*v[i+1])
//
// where s*x is Shoup's product with sp = floor(s*2^16/q) and reduce maps
// [0, 4q) to [0, 2q). swap is 0 or all ones; nfg, nvr >= 1 are public.
// No branch or address depends on swap, s or sp.
TEXT ·divstepAVX2(SB), NOSPLIT, $0-48
	MOVQ st+0(FP), DI
	MOVQ nfg+8(FP), CX
	MOVQ nvr+16(FP), DX
	MOVQ swap+24(FP), AX
	VMOVQ AX, X15
	VPBROADCASTW X15, Y15
	MOVQ s+32(FP), AX
	VMOVQ AX, X14
	VPBROADCASTW X14, Y14
	MOVQ sp+40(FP), AX
	VMOVQ AX, X13
	VPBROADCASTW X13, Y13
	MOVL $4591, AX
	VMOVQ AX, X12
	VPBROADCASTW X12, Y12
	MOVL $9182, AX
	VMOVQ AX, X11
	VPBROADCASTW X11, Y11

	MOVQ DI, SI

fgloop:
	VMOVDQU 2(SI), Y0
	VMOVDQU (OFF_G+2)(SI), Y1
	VPXOR   Y0, Y1, Y2
	VPAND   Y15, Y2, Y2
	VPXOR   Y2, Y0, Y0
	VPXOR   Y2, Y1, Y1
	VMOVDQU Y0, 2(SI)
	VPMULLW  Y14, Y0, Y3
	VPMULHUW Y13, Y0, Y4
	VPMULLW  Y12, Y4, Y4
	VPSUBW   Y4, Y3, Y3
	VPADDW   Y3, Y1, Y1
	VPSUBW   Y11, Y1, Y3
	VPMINUW  Y3, Y1, Y1
	VMOVDQU Y1, OFF_G(SI)
	ADDQ $32, SI
	DECQ CX
	JNZ  fgloop

	MOVQ DX, AX
	SHLQ $5, AX
	LEAQ -32(DI)(AX*1), SI

vrloop:
	VMOVDQU OFF_V(SI), Y0
	VMOVDQU OFF_R(SI), Y1
	VPXOR   Y0, Y1, Y2
	VPAND   Y15, Y2, Y2
	VPXOR   Y2, Y0, Y0
	VPXOR   Y2, Y1, Y1
	VMOVDQU Y0, (OFF_V+2)(SI)
	VPMULLW  Y14, Y0, Y3
	VPMULHUW Y13, Y0, Y4
	VPMULLW  Y12, Y4, Y4
	VPSUBW   Y4, Y3, Y3
	VPADDW   Y3, Y1, Y1
	VPSUBW   Y11, Y1, Y3
	VPMINUW  Y3, Y1, Y1
	VMOVDQU Y1, OFF_R(SI)
	SUBQ $32, SI
	DECQ DX
	JNZ  vrloop

	VZEROUPPER
	RET
