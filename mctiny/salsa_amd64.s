//go:build amd64 && !purego

#include "textflag.h"

// Salsa20 key stream with AVX2 (the Salsa20 specification, Bernstein
// 2005): four blocks per iteration in two groups of two. Each group holds
// the state as four diagonals, one per YMM register, block i in the low
// 128-bit lane and block i+1 in the high lane:
//
//	A = (x0, x5, x10, x15)   B = (x4, x9, x14, x3)
//	C = (x8, x13, x2, x7)    D = (x12, x1, x6, x11)
//
// so that the column round is the quarter round on (A, B, C, D) lane by
// lane, and the row round the quarter round on (A, D', C', B') with D, C
// and B rotated by one, two and three words (VPSHUFD). x8, the low word of
// the block counter, is word 0 of C.

// Block counter offsets of the two groups and the step per iteration
// (added to word 0 of each lane of C).
DATA salsaCtrA<>+0x00(SB)/8, $0
DATA salsaCtrA<>+0x08(SB)/8, $0
DATA salsaCtrA<>+0x10(SB)/8, $1
DATA salsaCtrA<>+0x18(SB)/8, $0
GLOBL salsaCtrA<>(SB), RODATA|NOPTR, $32

DATA salsaCtrB<>+0x00(SB)/8, $2
DATA salsaCtrB<>+0x08(SB)/8, $0
DATA salsaCtrB<>+0x10(SB)/8, $3
DATA salsaCtrB<>+0x18(SB)/8, $0
GLOBL salsaCtrB<>(SB), RODATA|NOPTR, $32

DATA salsaCtrStep<>+0x00(SB)/8, $4
DATA salsaCtrStep<>+0x08(SB)/8, $0
DATA salsaCtrStep<>+0x10(SB)/8, $4
DATA salsaCtrStep<>+0x18(SB)/8, $0
GLOBL salsaCtrStep<>(SB), RODATA|NOPTR, $32

// STEP is one line of the quarter round: x ^= (y + z) <<< n, using t, u.
#define STEP(x, y, z, n, t, u) \
	VPADDD  z, y, t; \
	VPSLLD  $n, t, u; \
	VPSRLD  $(32-n), t, t; \
	VPXOR   u, x, x; \
	VPXOR   t, x, x

// QR is the Salsa20 quarter round: b ^= (a+d)<<<7, c ^= (b+a)<<<9,
// d ^= (c+b)<<<13, a ^= (d+c)<<<18, on two groups at once.
#define QR(a, b, c, d, a2, b2, c2, d2) \
	STEP(b, a, d, 7, Y8, Y9); \
	STEP(b2, a2, d2, 7, Y10, Y11); \
	STEP(c, b, a, 9, Y8, Y9); \
	STEP(c2, b2, a2, 9, Y10, Y11); \
	STEP(d, c, b, 13, Y8, Y9); \
	STEP(d2, c2, b2, 13, Y10, Y11); \
	STEP(a, d, c, 18, Y8, Y9); \
	STEP(a2, d2, c2, 18, Y10, Y11)

// OUT writes the two blocks of the group (a, b, c, d), XORed with src at
// SI+off, to DI+off, using Y8-Y11 and clobbering a-d. Words 0-3 of a block
// are (A0, D1, C2, B3), words 4-7 (B0, A1, D2, C3), words 8-11 (C0, B1,
// A2, D3), words 12-15 (D0, C1, B2, A3).
#define OUT(a, b, c, d, off) \
	VPBLENDD   $0x22, d, a, Y8; \
	VPBLENDD   $0x44, c, Y8, Y8; \
	VPBLENDD   $0x88, b, Y8, Y8; \
	VPBLENDD   $0x22, a, b, Y9; \
	VPBLENDD   $0x44, d, Y9, Y9; \
	VPBLENDD   $0x88, c, Y9, Y9; \
	VPBLENDD   $0x22, b, c, Y10; \
	VPBLENDD   $0x44, a, Y10, Y10; \
	VPBLENDD   $0x88, d, Y10, Y10; \
	VPBLENDD   $0x22, c, d, Y11; \
	VPBLENDD   $0x44, b, Y11, Y11; \
	VPBLENDD   $0x88, a, Y11, Y11; \
	VPERM2I128 $0x20, Y9, Y8, a; \
	VPERM2I128 $0x20, Y11, Y10, b; \
	VPERM2I128 $0x31, Y9, Y8, c; \
	VPERM2I128 $0x31, Y11, Y10, d; \
	VPXOR      (off+0)(SI), a, a; \
	VPXOR      (off+32)(SI), b, b; \
	VPXOR      (off+64)(SI), c, c; \
	VPXOR      (off+96)(SI), d, d; \
	VMOVDQU    a, (off+0)(DI); \
	VMOVDQU    b, (off+32)(DI); \
	VMOVDQU    c, (off+64)(DI); \
	VMOVDQU    d, (off+96)(DI)

// func salsa20XORAVX2(dst, src *byte, n int, state *[16]uint32)
// XORs n bytes (a multiple of 256) of src with the key stream into dst
// (dst == src allowed). state is the input state as the diagonals A, B,
// C, D; the block counter is x8 (word 8 of state) and must not wrap
// within the call.
TEXT ·salsa20XORAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ state+24(FP), AX
	VBROADCASTI128 0(AX), Y12
	VBROADCASTI128 16(AX), Y13
	VBROADCASTI128 32(AX), Y14
	VBROADCASTI128 48(AX), Y15

loop:
	CMPQ CX, $256
	JB   done
	VMOVDQA Y12, Y0
	VMOVDQA Y13, Y1
	VPADDD  salsaCtrA<>(SB), Y14, Y2
	VMOVDQA Y15, Y3
	VMOVDQA Y12, Y4
	VMOVDQA Y13, Y5
	VPADDD  salsaCtrB<>(SB), Y14, Y6
	VMOVDQA Y15, Y7
	MOVQ    $10, DX

rounds:
	// Column round.
	QR(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	// Row round: b = D rotated by one word, c = C by two, d = B by three.
	VPSHUFD $0x39, Y3, Y3
	VPSHUFD $0x4e, Y2, Y2
	VPSHUFD $0x93, Y1, Y1
	VPSHUFD $0x39, Y7, Y7
	VPSHUFD $0x4e, Y6, Y6
	VPSHUFD $0x93, Y5, Y5
	QR(Y0, Y3, Y2, Y1, Y4, Y7, Y6, Y5)
	VPSHUFD $0x39, Y1, Y1
	VPSHUFD $0x4e, Y2, Y2
	VPSHUFD $0x93, Y3, Y3
	VPSHUFD $0x39, Y5, Y5
	VPSHUFD $0x4e, Y6, Y6
	VPSHUFD $0x93, Y7, Y7
	DECQ DX
	JNZ  rounds

	// Add the input state.
	VPADDD Y12, Y0, Y0
	VPADDD Y13, Y1, Y1
	VPADDD salsaCtrA<>(SB), Y14, Y8
	VPADDD Y8, Y2, Y2
	VPADDD Y15, Y3, Y3
	VPADDD Y12, Y4, Y4
	VPADDD Y13, Y5, Y5
	VPADDD salsaCtrB<>(SB), Y14, Y9
	VPADDD Y9, Y6, Y6
	VPADDD Y15, Y7, Y7

	OUT(Y0, Y1, Y2, Y3, 0)
	OUT(Y4, Y5, Y6, Y7, 128)

	VPADDD salsaCtrStep<>(SB), Y14, Y14
	ADDQ   $256, SI
	ADDQ   $256, DI
	SUBQ   $256, CX
	JMP    loop

done:
	VZEROUPPER
	RET
