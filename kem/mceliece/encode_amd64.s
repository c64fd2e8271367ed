//go:build amd64 && !purego

#include "textflag.h"

// func encodeRowsAVX2(out *[Rows / 64]uint64, pk *byte, e *byte, tail *[32]byte)
// Bit i of out is the parity of row i of pk (Rows rows, RowBytes = 628
// bytes apart) AND e (the last RowBytes bytes of the error vector). The
// first 19·32 = 608 bytes of a row are read in 32-byte blocks; its last 20
// bytes by one 32-byte load at offset 596 that overlaps the previous block,
// ANDed with tail = 12 zero bytes ‖ e[608:628], so the overlap counts once.
TEXT ·encodeRowsAVX2(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ pk+8(FP), SI
	MOVQ e+16(FP), DX
	MOVQ tail+24(FP), BX
	VMOVDQU (BX), Y15
	MOVQ $26, R9 // output words
wordloop:
	XORQ R8, R8
	MOVQ $64, CX
rowloop:
	VMOVDQU 0(SI), Y0
	VPAND 0(DX), Y0, Y0
	VMOVDQU 32(SI), Y1
	VPAND 32(DX), Y1, Y1
	VMOVDQU 64(SI), Y2
	VPAND 64(DX), Y2, Y2
	VMOVDQU 96(SI), Y3
	VPAND 96(DX), Y3, Y3
	VMOVDQU 128(SI), Y4
	VPAND 128(DX), Y4, Y4
	VPXOR Y4, Y0, Y0
	VMOVDQU 160(SI), Y4
	VPAND 160(DX), Y4, Y4
	VPXOR Y4, Y1, Y1
	VMOVDQU 192(SI), Y4
	VPAND 192(DX), Y4, Y4
	VPXOR Y4, Y2, Y2
	VMOVDQU 224(SI), Y4
	VPAND 224(DX), Y4, Y4
	VPXOR Y4, Y3, Y3
	VMOVDQU 256(SI), Y4
	VPAND 256(DX), Y4, Y4
	VPXOR Y4, Y0, Y0
	VMOVDQU 288(SI), Y4
	VPAND 288(DX), Y4, Y4
	VPXOR Y4, Y1, Y1
	VMOVDQU 320(SI), Y4
	VPAND 320(DX), Y4, Y4
	VPXOR Y4, Y2, Y2
	VMOVDQU 352(SI), Y4
	VPAND 352(DX), Y4, Y4
	VPXOR Y4, Y3, Y3
	VMOVDQU 384(SI), Y4
	VPAND 384(DX), Y4, Y4
	VPXOR Y4, Y0, Y0
	VMOVDQU 416(SI), Y4
	VPAND 416(DX), Y4, Y4
	VPXOR Y4, Y1, Y1
	VMOVDQU 448(SI), Y4
	VPAND 448(DX), Y4, Y4
	VPXOR Y4, Y2, Y2
	VMOVDQU 480(SI), Y4
	VPAND 480(DX), Y4, Y4
	VPXOR Y4, Y3, Y3
	VMOVDQU 512(SI), Y4
	VPAND 512(DX), Y4, Y4
	VPXOR Y4, Y0, Y0
	VMOVDQU 544(SI), Y4
	VPAND 544(DX), Y4, Y4
	VPXOR Y4, Y1, Y1
	VMOVDQU 576(SI), Y4
	VPAND 576(DX), Y4, Y4
	VPXOR Y4, Y2, Y2
	VPAND 596(SI), Y15, Y4
	VPXOR Y4, Y3, Y3
	VPXOR Y1, Y0, Y0
	VPXOR Y3, Y2, Y2
	VPXOR Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPXOR X1, X0, X0
	VPSHUFD $0x4E, X0, X1
	VPXOR X1, X0, X0
	VMOVQ X0, AX
	POPCNTQ AX, AX
	SHLQ $63, AX
	SHRQ $1, R8
	ORQ AX, R8
	ADDQ $628, SI
	DECQ CX
	JNZ rowloop
	MOVQ R8, (DI)
	ADDQ $8, DI
	DECQ R9
	JNZ wordloop
	VZEROUPPER
	RET
