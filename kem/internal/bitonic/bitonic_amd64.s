//go:build amd64 && !purego

#include "textflag.h"

// func smallStagesAVX2(x *uint32, n int, k int)
// The stride-4, -2 and -1 stages of bitonic merge level k (k >= 8) on the n
// elements of x (n a multiple of 8): each group of 8 is sorted ascending if
// its index & k == 0, else descending.
TEXT ·smallStagesAVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ k+16(FP), DX
	XORQ BX, BX // element index

loop:
	VMOVDQU (DI), Y0
	TESTQ DX, BX
	JNZ  desc

	// ascending
	VPERMQ $0x4E, Y0, Y1
	VPMINUD Y1, Y0, Y2
	VPMAXUD Y1, Y0, Y3
	VPBLENDD $0xF0, Y3, Y2, Y0
	VPSHUFD $0x4E, Y0, Y1
	VPMINUD Y1, Y0, Y2
	VPMAXUD Y1, Y0, Y3
	VPBLENDD $0xCC, Y3, Y2, Y0
	VPSHUFD $0xB1, Y0, Y1
	VPMINUD Y1, Y0, Y2
	VPMAXUD Y1, Y0, Y3
	VPBLENDD $0xAA, Y3, Y2, Y0
	JMP  store

desc:
	VPERMQ $0x4E, Y0, Y1
	VPMINUD Y1, Y0, Y2
	VPMAXUD Y1, Y0, Y3
	VPBLENDD $0xF0, Y2, Y3, Y0
	VPSHUFD $0x4E, Y0, Y1
	VPMINUD Y1, Y0, Y2
	VPMAXUD Y1, Y0, Y3
	VPBLENDD $0xCC, Y2, Y3, Y0
	VPSHUFD $0xB1, Y0, Y1
	VPMINUD Y1, Y0, Y2
	VPMAXUD Y1, Y0, Y3
	VPBLENDD $0xAA, Y2, Y3, Y0

store:
	VMOVDQU Y0, (DI)
	ADDQ $32, DI
	ADDQ $8, BX
	SUBQ $8, CX
	JNZ  loop
	VZEROUPPER
	RET

// func sortLevels24AVX2(x *uint32, n int)
// Bitonic merge levels k = 2 and k = 4 on each group of 8 elements (their
// directions depend only on the position inside the group).
TEXT ·sortLevels24AVX2(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX

loop24:
	VMOVDQU (DI), Y0
	VPSHUFD $0xB1, Y0, Y1
	VPMINUD Y1, Y0, Y2
	VPMAXUD Y1, Y0, Y3
	VPBLENDD $0x66, Y3, Y2, Y0
	VPSHUFD $0x4E, Y0, Y1
	VPMINUD Y1, Y0, Y2
	VPMAXUD Y1, Y0, Y3
	VPBLENDD $0x3C, Y3, Y2, Y0
	VPSHUFD $0xB1, Y0, Y1
	VPMINUD Y1, Y0, Y2
	VPMAXUD Y1, Y0, Y3
	VPBLENDD $0x5A, Y3, Y2, Y0
	VMOVDQU Y0, (DI)
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ  loop24
	VZEROUPPER
	RET

// func stageAVX2(x *uint32, n int, j int, k int)
// One bitonic stage with stride j >= 8 (a multiple of 8) of merge level k:
// for each block base (step 2j), elements base+i and base+j+i are put in
// ascending order if base&k == 0, else descending.
TEXT ·stageAVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ j+16(FP), DX
	MOVQ k+24(FP), R8
	MOVQ DX, R9
	SHLQ $2, R9        // j in bytes
	XORQ BX, BX        // base (elements)

blockloop:
	CMPQ BX, CX
	JGE  stagedone
	MOVQ BX, AX
	SHLQ $2, AX
	LEAQ (DI)(AX*1), SI   // &x[base]
	LEAQ (SI)(R9*1), R10  // &x[base+j]
	MOVQ DX, R11          // count
	TESTQ R8, BX
	JNZ  dloop

aloop:
	VMOVDQU (SI), Y0
	VMOVDQU (R10), Y1
	VPMINUD Y1, Y0, Y2
	VPMAXUD Y1, Y0, Y3
	VMOVDQU Y2, (SI)
	VMOVDQU Y3, (R10)
	ADDQ $32, SI
	ADDQ $32, R10
	SUBQ $8, R11
	JNZ  aloop
	JMP  nextblock

dloop:
	VMOVDQU (SI), Y0
	VMOVDQU (R10), Y1
	VPMINUD Y1, Y0, Y2
	VPMAXUD Y1, Y0, Y3
	VMOVDQU Y3, (SI)
	VMOVDQU Y2, (R10)
	ADDQ $32, SI
	ADDQ $32, R10
	SUBQ $8, R11
	JNZ  dloop

nextblock:
	LEAQ (BX)(DX*2), BX
	JMP  blockloop

stagedone:
	VZEROUPPER
	RET
