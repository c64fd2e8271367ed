//go:build amd64 && !purego

#include "textflag.h"

// Salsa20 key stream with AVX-512F: the layout of salsa_amd64.s (the state
// as four diagonals A, B, C, D) with four blocks per ZMM register, block
// i+l in 128-bit lane l, two groups of four blocks per 512-byte iteration
// and one group for a final 256 bytes. VPROLD rotates in one instruction.

// Block counter offsets of the four lanes (word 0 of each lane of C), the
// offset of the second group, and the step per 512-byte iteration.
DATA salsa512Ctr<>+0x00(SB)/4, $0
DATA salsa512Ctr<>+0x10(SB)/4, $1
DATA salsa512Ctr<>+0x20(SB)/4, $2
DATA salsa512Ctr<>+0x30(SB)/4, $3
GLOBL salsa512Ctr<>(SB), RODATA|NOPTR, $64

DATA salsa512Four<>+0x00(SB)/4, $4
DATA salsa512Four<>+0x10(SB)/4, $4
DATA salsa512Four<>+0x20(SB)/4, $4
DATA salsa512Four<>+0x30(SB)/4, $4
GLOBL salsa512Four<>(SB), RODATA|NOPTR, $64

// STEP5 is x ^= (y + z) <<< n, using t.
#define STEP5(x, y, z, n, t) \
	VPADDD z, y, t; \
	VPROLD $n, t, t; \
	VPXORD t, x, x

#define QR5(a, b, c, d, t) \
	STEP5(b, a, d, 7, t); \
	STEP5(c, b, a, 9, t); \
	STEP5(d, c, b, 13, t); \
	STEP5(a, d, c, 18, t)

// QR52 is QR5 on two groups, interleaved.
#define QR52(a, b, c, d, a2, b2, c2, d2) \
	STEP5(b, a, d, 7, Z8); \
	STEP5(b2, a2, d2, 7, Z9); \
	STEP5(c, b, a, 9, Z8); \
	STEP5(c2, b2, a2, 9, Z9); \
	STEP5(d, c, b, 13, Z8); \
	STEP5(d2, c2, b2, 13, Z9); \
	STEP5(a, d, c, 18, Z8); \
	STEP5(a2, d2, c2, 18, Z9)

#define TOROWS(b, c, d) \
	VPSHUFD $0x39, d, d; \
	VPSHUFD $0x4e, c, c; \
	VPSHUFD $0x93, b, b

#define TOCOLS(b, c, d) \
	VPSHUFD $0x39, b, b; \
	VPSHUFD $0x4e, c, c; \
	VPSHUFD $0x93, d, d

// DOUBLEROUND52 is a column round and a row round on the groups Z0-Z3 and
// Z4-Z7.
#define DOUBLEROUND52 \
	QR52(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7); \
	TOROWS(Z1, Z2, Z3); \
	TOROWS(Z5, Z6, Z7); \
	QR52(Z0, Z3, Z2, Z1, Z4, Z7, Z6, Z5); \
	TOCOLS(Z1, Z2, Z3); \
	TOCOLS(Z5, Z6, Z7)

// OUT5 writes the four blocks of the group (a, b, c, d), XORed with src
// at SI+off, to DI+off, using Z8-Z11 and clobbering a-d. K1, K2, K3 select
// word 1, 2, 3 of every lane. Rows as in salsa_amd64.s, then a 4x4
// transpose of 128-bit lanes (VSHUFI32X4).
#define OUT5(a, b, c, d, off) \
	ROWS5(a, b, c, d); \
	VPXORD (off+0)(SI), Z8, Z8; \
	VPXORD (off+64)(SI), Z9, Z9; \
	VPXORD (off+128)(SI), Z10, Z10; \
	VPXORD (off+192)(SI), Z11, Z11; \
	STORE5(off)

// ROWS5 leaves the four blocks of the group (a, b, c, d) in Z8-Z11, in
// their natural word order, clobbering a-d.
#define ROWS5(a, b, c, d) \
	VPBLENDMD d, a, K1, Z8; \
	VPBLENDMD c, Z8, K2, Z8; \
	VPBLENDMD b, Z8, K3, Z8; \
	VPBLENDMD a, b, K1, Z9; \
	VPBLENDMD d, Z9, K2, Z9; \
	VPBLENDMD c, Z9, K3, Z9; \
	VPBLENDMD b, c, K1, Z10; \
	VPBLENDMD a, Z10, K2, Z10; \
	VPBLENDMD d, Z10, K3, Z10; \
	VPBLENDMD c, d, K1, Z11; \
	VPBLENDMD b, Z11, K2, Z11; \
	VPBLENDMD a, Z11, K3, Z11; \
	VSHUFI32X4 $0x44, Z9, Z8, a; \
	VSHUFI32X4 $0xee, Z9, Z8, b; \
	VSHUFI32X4 $0x44, Z11, Z10, c; \
	VSHUFI32X4 $0xee, Z11, Z10, d; \
	VSHUFI32X4 $0x88, c, a, Z8; \
	VSHUFI32X4 $0xdd, c, a, Z9; \
	VSHUFI32X4 $0x88, d, b, Z10; \
	VSHUFI32X4 $0xdd, d, b, Z11

// STORE5 stores Z8-Z11 at DI+off.
#define STORE5(off) \
	VMOVDQU32 Z8, (off+0)(DI); \
	VMOVDQU32 Z9, (off+64)(DI); \
	VMOVDQU32 Z10, (off+128)(DI); \
	VMOVDQU32 Z11, (off+192)(DI)

// func salsa20XORAVX512(dst, src *byte, n int, state *[16]uint32)
// As salsa20XORAVX2 (n a multiple of 256).
TEXT ·salsa20XORAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ state+24(FP), AX
	VBROADCASTI32X4 0(AX), Z12
	VBROADCASTI32X4 16(AX), Z13
	VBROADCASTI32X4 32(AX), Z14
	VBROADCASTI32X4 48(AX), Z15
	VPADDD  salsa512Ctr<>(SB), Z14, Z14 // counters of lanes 0-3
	VMOVDQU32 salsa512Four<>(SB), Z16
	MOVW $0x2222, AX
	KMOVW AX, K1
	MOVW $0x4444, AX
	KMOVW AX, K2
	MOVW $0x8888, AX
	KMOVW AX, K3

loop2:
	CMPQ CX, $512
	JB   tail
	VMOVDQA32 Z12, Z0
	VMOVDQA32 Z13, Z1
	VMOVDQA32 Z14, Z2
	VMOVDQA32 Z15, Z3
	VMOVDQA32 Z12, Z4
	VMOVDQA32 Z13, Z5
	VPADDD    Z16, Z14, Z6
	VMOVDQA32 Z15, Z7
	MOVQ $10, DX

rounds2:
	DOUBLEROUND52
	DECQ DX
	JNZ  rounds2

	VPADDD Z12, Z0, Z0
	VPADDD Z13, Z1, Z1
	VPADDD Z14, Z2, Z2
	VPADDD Z15, Z3, Z3
	VPADDD Z14, Z16, Z8
	VPADDD Z12, Z4, Z4
	VPADDD Z13, Z5, Z5
	VPADDD Z8, Z6, Z6
	VPADDD Z15, Z7, Z7
	OUT5(Z0, Z1, Z2, Z3, 0)
	OUT5(Z4, Z5, Z6, Z7, 256)
	VPADDD Z16, Z14, Z14
	VPADDD Z16, Z14, Z14
	ADDQ $512, SI
	ADDQ $512, DI
	SUBQ $512, CX
	JMP  loop2

tail:
	CMPQ CX, $256
	JB   done
	VMOVDQA32 Z12, Z0
	VMOVDQA32 Z13, Z1
	VMOVDQA32 Z14, Z2
	VMOVDQA32 Z15, Z3
	MOVQ $10, DX

rounds1:
	QR5(Z0, Z1, Z2, Z3, Z8)
	TOROWS(Z1, Z2, Z3)
	QR5(Z0, Z3, Z2, Z1, Z8)
	TOCOLS(Z1, Z2, Z3)
	DECQ DX
	JNZ  rounds1

	VPADDD Z12, Z0, Z0
	VPADDD Z13, Z1, Z1
	VPADDD Z14, Z2, Z2
	VPADDD Z15, Z3, Z3
	OUT5(Z0, Z1, Z2, Z3, 0)

done:
	VZEROUPPER
	RET

// OUTS5 is OUT5 without the XOR: it stores the four blocks of the group
// to DI+off.
#define OUTS5(a, b, c, d, off) \
	ROWS5(a, b, c, d); \
	STORE5(off)

// func salsa20LanesAVX512(out *[512]byte, st *[2][4][16]uint32, feed bool)
// Eight independent Salsa20 cores, one per 128-bit lane of two groups:
// st[g][r] is row r (A, B, C, D as in salsa_amd64.s) of the four lanes of
// group g. out[64(4g+l):] receives lane l's 16 output words in their natural
// order: the Salsa20 block (input added) if feed, else the raw state
// after 20 rounds (HSalsa20 takes words 0, 5, 10, 15, 6, 7, 8, 9).
TEXT ·salsa20LanesAVX512(SB), NOSPLIT, $0-17
	MOVQ out+0(FP), DI
	MOVQ st+8(FP), AX
	MOVW $0x2222, BX
	KMOVW BX, K1
	MOVW $0x4444, BX
	KMOVW BX, K2
	MOVW $0x8888, BX
	KMOVW BX, K3
	VMOVDQU32 0(AX), Z12
	VMOVDQU32 64(AX), Z13
	VMOVDQU32 128(AX), Z14
	VMOVDQU32 192(AX), Z15
	VMOVDQU32 256(AX), Z20
	VMOVDQU32 320(AX), Z21
	VMOVDQU32 384(AX), Z22
	VMOVDQU32 448(AX), Z23
	VMOVDQA32 Z12, Z0
	VMOVDQA32 Z13, Z1
	VMOVDQA32 Z14, Z2
	VMOVDQA32 Z15, Z3
	VMOVDQA32 Z20, Z4
	VMOVDQA32 Z21, Z5
	VMOVDQA32 Z22, Z6
	VMOVDQA32 Z23, Z7
	MOVQ $10, DX

lanesRounds:
	DOUBLEROUND52
	DECQ DX
	JNZ  lanesRounds

	CMPB feed+16(FP), $0
	JE   lanesOut
	VPADDD Z12, Z0, Z0
	VPADDD Z13, Z1, Z1
	VPADDD Z14, Z2, Z2
	VPADDD Z15, Z3, Z3
	VPADDD Z20, Z4, Z4
	VPADDD Z21, Z5, Z5
	VPADDD Z22, Z6, Z6
	VPADDD Z23, Z7, Z7

lanesOut:
	OUTS5(Z0, Z1, Z2, Z3, 0)
	OUTS5(Z4, Z5, Z6, Z7, 256)
	VZEROUPPER
	RET
