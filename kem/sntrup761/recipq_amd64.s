//go:build amd64 && !purego

#include "textflag.h"

// Offsets of the arrays of rqVec (f, g: 784 uint16 each; 16 zero lanes;
// v, r: 784 uint16 each). All multiples of 32: with rqVec 32-byte aligned,
// every load and store below is aligned.
#define OFF_G 1568
#define OFF_V 3168
#define OFF_R 4736

// SETUP broadcasts the step's mask, s, sp, t, tp (in R8, R9, R10, R11,
// R12) and the constant q to all 16 lanes. VEX-encoded moves only:
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
	VPBROADCASTW X12, Y12

// MULADD sets acc = t*acc + s*x modulo q, lane by lane, in [0, 4q), with
// Shoup's method on the sum: the quotient estimate floor(acc*tp/2^16) +
// floor(x*sp/2^16), with ap = floor(a*2^16/q), leaves a remainder
// t*acc + s*x - estimate*q in [0, 4q) for any 16-bit acc and x (each
// product's share lies in [0, 2q)), so the packed 16-bit arithmetic is
// exact and no further reduction is needed. Clobbers Y3, Y4, Y5, Y7.
#define MULADD(x, acc) \
	VPMULLW  Y14, x, Y3; \
	VPMULHUW Y13, x, Y4; \
	VPMULLW  Y10, acc, Y5; \
	VPMULHUW Y9, acc, Y7; \
	VPADDW   Y5, Y3, Y3; \
	VPADDW   Y7, Y4, Y4; \
	VPMULLW  Y12, Y4, Y4; \
	VPSUBW   Y4, Y3, acc

// FGH handles lanes 16k..16k+15 of f and g, SI pointing at lane 16k of f:
// f, g = swapped by the mask Y15 (f stored back in place) and
// h = t*g + s*f left in register h (the caller stores h/x, shifted down a
// lane). Clobbers Y0-Y5, Y7.
#define FGH(h) \
	VMOVDQU   (SI), Y0; \
	VMOVDQU   OFF_G(SI), Y1; \
	VPBLENDVB Y15, Y1, Y0, Y2; \
	VPBLENDVB Y15, Y0, Y1, h; \
	VMOVDQU   Y2, (SI); \
	MULADD(Y2, h)

// GSTORE stores lanes 1..16 of the pair (lo, hi) of h vectors (h/x for
// lo's block) as the block of g below SI. Clobbers Y0.
#define GSTORE(lo, hi) \
	VPERM2I128 $0x21, hi, lo, Y0; \
	VPALIGNR   $2, lo, Y0, Y0; \
	VMOVDQU    Y0, (OFF_G-32)(SI)

// VRB handles lanes 16k..16k+15 of v and r, SI pointing at lane 16k, with
// the old v of the block in cur: loads the old v of the block below into
// below, forms x*v from the two, swaps it with r by the mask, stores v and
// r = t*r + s*v, and moves SI down a block. Clobbers Y0-Y5, Y7.
#define VRB(cur, below) \
	VMOVDQU    (OFF_V-32)(SI), below; \
	VPERM2I128 $0x21, cur, below, Y2; \
	VPALIGNR   $14, Y2, cur, Y0; \
	VMOVDQU    OFF_R(SI), Y1; \
	VPBLENDVB  Y15, Y1, Y0, Y2; \
	VPBLENDVB  Y15, Y0, Y1, Y1; \
	VMOVDQU    Y2, OFF_V(SI); \
	MULADD(Y2, Y1); \
	VMOVDQU    Y1, OFF_R(SI); \
	SUBQ       $32, SI

// REDUCE4 maps x in [0, 4q) to [0, q) with conditional moves. Clobbers tmp.
#define REDUCE4(x, tmp) \
	LEAQ    -9182(x), tmp; \
	TESTQ   tmp, tmp; \
	CMOVQGE tmp, x; \
	LEAQ    -4591(x), tmp; \
	TESTQ   tmp, tmp; \
	CMOVQGE tmp, x

// SHOUPC sets dst = floor(src*2^16/q) for src < q (multiplication by
// ceil(2^42/q), exact in this range).
#define SHOUPC(src, dst) \
	MOVQ  src, dst; \
	SHLQ  $16, dst; \
	IMULQ $957971360, dst; \
	SHRQ  $42, dst

// func divstepsAVX2(st *rqVec)
//
// The 2p-1 divsteps of the inversion (see recipq_avx2.go). Each step makes
// its decisions from lane 0 of f and g with conditional moves (no branch on
// data): with delta > 0 and g(0) != 0 it swaps (mask all ones) and negates
// delta; then delta += 1, t = f(0) and s = -g(0) mod q after the swap, and
// their Shoup constants. It then sweeps, with n = 16*nfg,
//
//	for lanes i = 0 .. n+15:   f[i], g[i] = swapped by mask
//	                           h[i] = t*g[i] + s*f[i] mod q, in [0, 4q)
//	for lanes i = 0 .. n+15:   g[i] = h[i+1] (h[n+16] taken as 0)
//	for lanes i = 16*nvr-1 .. 0:
//	                           v[i], r[i] = swapped v[i-1], r[i] (v[-1] = 0)
//	                           r[i] = t*r[i] + s*v[i] mod q, in [0, 4q)
//
// where nfg = ceil(min(2p-loop, p)/16) and nvr = min(loop, p)/16 + 1 depend
// only on the step counter loop (the public length bounds of
// rqRecip3Generic). The one-lane shifts are done in registers (VPERM2I128
// and VPALIGNR on neighbouring vectors) so that memory accesses stay
// aligned. No branch or address depends on f, g, v, r or delta.
TEXT ·divstepsAVX2(SB), NOSPLIT, $0-8
	MOVQ st+0(FP), DI
	XORQ BX, BX  // loop
	MOVQ $1, R13 // delta

step:
	MOVWQZX (DI), R8
	MOVWQZX OFF_G(DI), R9
	REDUCE4(R8, AX)
	REDUCE4(R9, AX)

	// swap = delta > 0 && g0 != 0
	XORQ  AX, AX
	XORQ  R10, R10
	TESTQ R9, R9
	SETNE AL
	TESTQ R13, R13
	SETGT R10B
	ANDQ  R10, AX
	MOVQ  R13, R10
	NEGQ  R10
	MOVQ  R8, R11
	TESTQ AX, AX
	CMOVQNE R10, R13
	CMOVQNE R9, R8
	CMOVQNE R11, R9
	INCQ  R13
	NEGQ  AX

	// t = f0 (R11), s = -g0 mod q (R9), their Shoup constants (R12, R10),
	// mask (R8).
	MOVQ    R8, R11
	MOVQ    $4591, R12
	SUBQ    R9, R12
	XORQ    R10, R10
	CMPQ    R12, $4591
	CMOVQEQ R10, R12
	MOVQ    R12, R9
	SHOUPC(R9, R10)
	SHOUPC(R11, R12)
	MOVQ    AX, R8
	SETUP

	// nfg = (min(2p-loop, p) + 15) / 16, nvr = min(loop, p)/16 + 1.
	MOVQ    $1522, CX
	SUBQ    BX, CX
	MOVQ    $761, AX
	CMPQ    CX, AX
	CMOVQGT AX, CX
	ADDQ    $15, CX
	SHRQ    $4, CX
	MOVQ    BX, DX
	CMPQ    DX, AX
	CMOVQGT AX, DX
	SHRQ    $4, DX
	INCQ    DX

	// Block 0, then blocks 1..nfg (two per iteration, the h vectors
	// alternating between Y6 and Y8), storing g's block k-1 once h of
	// block k is known. nfg's parity is public.
	MOVQ DI, SI
	FGH(Y6)
	ADDQ $32, SI
	MOVQ CX, AX
	ANDQ $1, AX
	SHRQ $1, CX
	JZ   fgodd

fgpair:
	FGH(Y8)
	GSTORE(Y6, Y8)
	ADDQ $32, SI
	FGH(Y6)
	GSTORE(Y8, Y6)
	ADDQ $32, SI
	DECQ CX
	JNZ  fgpair

fgodd:
	TESTQ AX, AX
	JZ    fglast
	FGH(Y8)
	GSTORE(Y6, Y8)
	ADDQ    $32, SI
	VMOVDQA Y8, Y6

fglast:
	// The last block's h/x, with a zero lane shifted in at the top.
	VPERM2I128 $0x81, Y6, Y6, Y0
	VPALIGNR   $2, Y6, Y0, Y0
	VMOVDQU    Y0, (OFF_G-32)(SI)

	// v, r from block nvr-1 down to 0 (two per iteration); the old v of
	// the current block is in Y6 or Y8, the zero lanes z sit below block 0.
	MOVQ DX, AX
	SHLQ $5, AX
	LEAQ -32(DI)(AX*1), SI
	VMOVDQU OFF_V(SI), Y6
	MOVQ DX, AX
	ANDQ $1, AX
	SHRQ $1, DX
	JZ   vrodd

vrpair:
	VRB(Y6, Y8)
	VRB(Y8, Y6)
	DECQ DX
	JNZ  vrpair

vrodd:
	TESTQ AX, AX
	JZ    vrdone
	VRB(Y6, Y8)

vrdone:
	INCQ BX
	CMPQ BX, $1521
	JLT  step

	VZEROUPPER
	RET
