//go:build amd64 && !purego

#include "textflag.h"

// func addMaskedRowsAVX2(dst *uint64, n int, src *uint64, stride int, masks *uint64, nm int)
// dst[x] ^= XOR_j (src[j*stride/8 + x] AND masks[j]) for x < n; n is a
// multiple of 4, nm >= 1, stride in bytes.
TEXT ·addMaskedRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ src+16(FP), SI
	MOVQ stride+24(FP), DX
	MOVQ masks+32(FP), BX
	MOVQ nm+40(FP), AX

big:
	CMPQ CX, $16
	JLT  small
	VMOVDQU 0(DI), Y0
	VMOVDQU 32(DI), Y1
	VMOVDQU 64(DI), Y2
	VMOVDQU 96(DI), Y3
	MOVQ SI, R10
	MOVQ BX, R8
	MOVQ AX, R9

bigloop:
	VPBROADCASTQ (R8), Y4
	VPAND 0(R10), Y4, Y5
	VPXOR Y5, Y0, Y0
	VPAND 32(R10), Y4, Y6
	VPXOR Y6, Y1, Y1
	VPAND 64(R10), Y4, Y7
	VPXOR Y7, Y2, Y2
	VPAND 96(R10), Y4, Y8
	VPXOR Y8, Y3, Y3
	ADDQ DX, R10
	ADDQ $8, R8
	DECQ R9
	JNZ  bigloop

	VMOVDQU Y0, 0(DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	ADDQ $128, DI
	ADDQ $128, SI
	SUBQ $16, CX
	JMP  big

small:
	CMPQ CX, $4
	JLT  done
	VMOVDQU 0(DI), Y0
	MOVQ SI, R10
	MOVQ BX, R8
	MOVQ AX, R9

smallloop:
	VPBROADCASTQ (R8), Y4
	VPAND 0(R10), Y4, Y5
	VPXOR Y5, Y0, Y0
	ADDQ DX, R10
	ADDQ $8, R8
	DECQ R9
	JNZ  smallloop

	VMOVDQU Y0, 0(DI)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $4, CX
	JMP  small

done:
	VZEROUPPER
	RET

// func addRowsByBitsAVX2(dst *uint64, n int, src *uint64, stride int, bits uint64, nm int, sel *[64][4]uint64)
// dst[x] ^= XOR_{j<nm} (src[j*stride/8 + x] AND -(bits>>j & 1)) for x < n;
// n is a multiple of 4, nm >= 1. The mask of source j is computed in a
// vector register as (bits AND 1<<j) == 1<<j, with sel[j] = 1<<j in every
// lane.
TEXT ·addRowsByBitsAVX2(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ src+16(FP), SI
	MOVQ stride+24(FP), DX
	VPBROADCASTQ bits+32(FP), Y15
	MOVQ nm+40(FP), AX
	MOVQ sel+48(FP), BX

big32:
	CMPQ CX, $32
	JLT  small4
	VMOVDQU 0(DI), Y0
	VMOVDQU 32(DI), Y1
	VMOVDQU 64(DI), Y2
	VMOVDQU 96(DI), Y3
	VMOVDQU 128(DI), Y8
	VMOVDQU 160(DI), Y9
	VMOVDQU 192(DI), Y10
	VMOVDQU 224(DI), Y11
	MOVQ SI, R10
	MOVQ BX, R11
	MOVQ AX, R9

loop32:
	VPAND (R11), Y15, Y4
	VPCMPEQQ (R11), Y4, Y4
	VPAND 0(R10), Y4, Y5
	VPXOR Y5, Y0, Y0
	VPAND 32(R10), Y4, Y6
	VPXOR Y6, Y1, Y1
	VPAND 64(R10), Y4, Y7
	VPXOR Y7, Y2, Y2
	VPAND 96(R10), Y4, Y5
	VPXOR Y5, Y3, Y3
	VPAND 128(R10), Y4, Y6
	VPXOR Y6, Y8, Y8
	VPAND 160(R10), Y4, Y7
	VPXOR Y7, Y9, Y9
	VPAND 192(R10), Y4, Y5
	VPXOR Y5, Y10, Y10
	VPAND 224(R10), Y4, Y6
	VPXOR Y6, Y11, Y11
	ADDQ DX, R10
	ADDQ $32, R11
	DECQ R9
	JNZ  loop32

	VMOVDQU Y0, 0(DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	VMOVDQU Y8, 128(DI)
	VMOVDQU Y9, 160(DI)
	VMOVDQU Y10, 192(DI)
	VMOVDQU Y11, 224(DI)
	ADDQ $256, DI
	ADDQ $256, SI
	SUBQ $32, CX
	JMP  big32

small4:
	CMPQ CX, $4
	JLT  done4
	VMOVDQU 0(DI), Y0
	MOVQ SI, R10
	MOVQ BX, R11
	MOVQ AX, R9

loop4:
	VPAND (R11), Y15, Y4
	VPCMPEQQ (R11), Y4, Y4
	VPAND 0(R10), Y4, Y5
	VPXOR Y5, Y0, Y0
	ADDQ DX, R10
	ADDQ $32, R11
	DECQ R9
	JNZ  loop4

	VMOVDQU Y0, 0(DI)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $4, CX
	JMP  small4

done4:
	VZEROUPPER
	RET
