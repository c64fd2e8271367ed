// Package mceliece implements the Classic McEliece key-encapsulation
// mechanism with the parameter set mceliece6688128, as specified in
// "Classic McEliece: conservative code-based cryptography: cryptosystem
// specification" (NIST PQC round 4 submission, 2022-10-23), non-pc variant:
// n = 6688, t = 128, m = 13, public key 1,044,992 bytes (the 1664 × 5024
// matrix T), private key 13,932 bytes, ciphertext C = He of 208 bytes, session
// key SHAKE256(1 ‖ e ‖ C) of 32 bytes, implicit rejection with
// SHAKE256(0 ‖ s ‖ C).
//
// Scheme returns the default scheme, with the "f" key generation
// (mceliece6688128f: semi-systematic form, (μ, ν) = (32, 64)), which is
// several times faster and produces keys in exactly the same formats;
// PlainScheme returns the scheme with the plain systematic-form key
// generation (mceliece6688128). Encapsulation and decapsulation are the
// same in both, and both reproduce the published known-answer tests.
//
// For the McTiny protocol the package exports the pieces a server needs to
// compute a ciphertext block by block: FixedWeight (the error vector e),
// Encode (C = He for a given e), SessionKey (SHAKE256(1 ‖ e ‖ C)), and the
// layout of T (Rows, RowBytes: row i of T is bytes [i·RowBytes,
// (i+1)·RowBytes) of the public key, bit j%8 of byte j/8 is column j).
//
// # Implementation
//
// Key generation: the Goppa polynomial is the minimal polynomial of a random
// element of GF(2^13)[y]/F(y), found by bit-sliced Gauss–Jordan elimination;
// the parity-check matrix is built 64 columns at a time with bit-sliced
// GF(2^13) arithmetic and reduced by a blocked, mask-pivoted Gauss–Jordan
// elimination (64-column panels, AVX2 row kernels on amd64); the Beneš
// control bits are computed with a constant-time sorting network (AVX2
// bitonic sort on amd64).
//
// Decapsulation: syndromes by the transposed additive FFT (Gao–Mateer, as in
// McBits), an inversion-free bit-sliced Berlekamp–Massey, the additive FFT
// for the roots of the error locator at all 8192 field elements, and the
// Beneš network applied to bit vectors to move between field order and
// support order. Parsing a private key derives, once, the per-key data this
// needs (the network's layer masks and 1/g(α)² for every field element,
// about 40 KB); decapsulation then reads only that and s. On amd64 all of
// decoding runs in AVX2 kernels that gf_amd64_gen.go generates (the FFT
// levels and their transposes, the whole Berlekamp–Massey loop, the Beneš
// layers), with the 4-way bit-sliced GF(2^13) product inlined; encapsulation
// uses AVX2 for FixedWeight's distinctness check and vector and for He.
//
// All secret-dependent code runs in constant time (masks and conditional
// moves, no secret-dependent branches or table indices), except for
// branches the reference has too: key-generation retries reveal how many
// attempts a key took, and FixedWeight's rejection sampling reveals which
// 16-bit words were out of range (never the kept values). The blocked
// elimination also branches on one event of probability at most 2^-64 per
// pivot (no fixing row among the 64 rows past the panel), falling back to
// the full search. Every assembly routine has a pure-Go fallback (build tag
// purego, or a CPU without AVX2; the Berlekamp–Massey kernel also needs
// PCLMULQDQ) that the tests compare it with.
//
// # Choices where the specification is silent
//
//   - Scheme (the f key generation) is the default for new keys.
//   - GenerateKeyPairFrom and EncapsulateFrom read randomness in the
//     reference implementation's pieces (one 32-byte read for δ; repeated
//     512-byte reads for e), so a NIST CTR_DRBG reproduces the KATs. They
//     are deterministic seams for tests; the kem.Scheme methods use
//     crypto/rand.
//   - EncapsulateDeterministically expands its 32-byte seed with SHAKE256
//     into the stream EncapsulateFrom reads.
//   - PrivateKey.Public of a parsed key regenerates the public key from δ
//     (one f key-generation attempt, which also reproduces plain keys) and
//     returns nil if it does not reproduce the private key.
//   - SessionKey panics on inputs of the wrong length: its inputs are made
//     by the caller, never parsed from the network.
package mceliece
