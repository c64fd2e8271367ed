//go:build amd64 && !purego

#include "textflag.h"

// func countEqualAVX2(ind *[T]uint16, counts *[16]uint16)
// counts[l] is the number of pairs (i, j), i and j < T = 128, j = l mod
// 16, with ind[i] == ind[j]: the 16 lanes sum to T exactly when the
// entries are distinct. Every pair is compared, whatever the values.
TEXT ·countEqualAVX2(SB), NOSPLIT, $0-16
	MOVQ ind+0(FP), SI
	MOVQ counts+8(FP), DI
	VMOVDQU 0(SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 64(SI), Y2
	VMOVDQU 96(SI), Y3
	VMOVDQU 128(SI), Y4
	VMOVDQU 160(SI), Y5
	VMOVDQU 192(SI), Y6
	VMOVDQU 224(SI), Y7
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	VPXOR Y10, Y10, Y10
	VPXOR Y11, Y11, Y11
	MOVQ $128, CX
	MOVQ SI, DX
cmploop:
	VPBROADCASTW (DX), Y12
	VPCMPEQW Y0, Y12, Y13
	VPSUBW Y13, Y8, Y8
	VPCMPEQW Y1, Y12, Y14
	VPSUBW Y14, Y9, Y9
	VPCMPEQW Y2, Y12, Y13
	VPSUBW Y13, Y10, Y10
	VPCMPEQW Y3, Y12, Y14
	VPSUBW Y14, Y11, Y11
	VPCMPEQW Y4, Y12, Y13
	VPSUBW Y13, Y8, Y8
	VPCMPEQW Y5, Y12, Y14
	VPSUBW Y14, Y9, Y9
	VPCMPEQW Y6, Y12, Y13
	VPSUBW Y13, Y10, Y10
	VPCMPEQW Y7, Y12, Y14
	VPSUBW Y14, Y11, Y11
	ADDQ $2, DX
	DECQ CX
	JNZ cmploop
	VPADDW Y9, Y8, Y8
	VPADDW Y11, Y10, Y10
	VPADDW Y10, Y8, Y8
	VMOVDQU Y8, (DI)
	VZEROUPPER
	RET

// func setBitsAVX2(ew *[fwWords]uint64, ind *[T]uint16, widx *[fwWords]uint64)
// ew is the vector with bits ind[0..T-1] set: every output word w is
// compared with every index's word ind>>6 (widx[w] = w), and the index's
// bit 1<<(ind&63) is ORed in under the comparison mask. Nine 4-word
// vectors are built per pass over the indices, three passes.
TEXT ·setBitsAVX2(SB), NOSPLIT, $0-24
	MOVQ ew+0(FP), DI
	MOVQ ind+8(FP), SI
	MOVQ widx+16(FP), BX
	MOVQ $3, R9
passloop:
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	VPXOR Y8, Y8, Y8
	MOVQ SI, DX
	MOVQ $128, R11
indloop:
	MOVWQZX (DX), CX
	MOVQ CX, R8
	SHRQ $6, R8
	MOVQ $1, R10
	SHLQ CX, R10 // shift count CL mod 64
	VMOVQ R8, X9
	VPBROADCASTQ X9, Y9
	VMOVQ R10, X10
	VPBROADCASTQ X10, Y10
	VPCMPEQQ 0(BX), Y9, Y11
	VPAND Y10, Y11, Y11
	VPOR Y11, Y0, Y0
	VPCMPEQQ 32(BX), Y9, Y12
	VPAND Y10, Y12, Y12
	VPOR Y12, Y1, Y1
	VPCMPEQQ 64(BX), Y9, Y13
	VPAND Y10, Y13, Y13
	VPOR Y13, Y2, Y2
	VPCMPEQQ 96(BX), Y9, Y11
	VPAND Y10, Y11, Y11
	VPOR Y11, Y3, Y3
	VPCMPEQQ 128(BX), Y9, Y12
	VPAND Y10, Y12, Y12
	VPOR Y12, Y4, Y4
	VPCMPEQQ 160(BX), Y9, Y13
	VPAND Y10, Y13, Y13
	VPOR Y13, Y5, Y5
	VPCMPEQQ 192(BX), Y9, Y11
	VPAND Y10, Y11, Y11
	VPOR Y11, Y6, Y6
	VPCMPEQQ 224(BX), Y9, Y12
	VPAND Y10, Y12, Y12
	VPOR Y12, Y7, Y7
	VPCMPEQQ 256(BX), Y9, Y13
	VPAND Y10, Y13, Y13
	VPOR Y13, Y8, Y8
	ADDQ $2, DX
	DECQ R11
	JNZ indloop
	VMOVDQU Y0, 0(DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	VMOVDQU Y4, 128(DI)
	VMOVDQU Y5, 160(DI)
	VMOVDQU Y6, 192(DI)
	VMOVDQU Y7, 224(DI)
	VMOVDQU Y8, 256(DI)
	ADDQ $288, DI
	ADDQ $288, BX
	DECQ R9
	JNZ passloop
	VPXOR Y9, Y9, Y9
	VPXOR Y10, Y10, Y10
	VZEROUPPER
	RET
