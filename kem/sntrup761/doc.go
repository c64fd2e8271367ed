// Package sntrup761 implements the Streamlined NTRU Prime key encapsulation
// mechanism sntrup761 (p = 761, q = 4591, w = 286) as specified in "NTRU
// Prime: round 3" (Bernstein, Brumley, Chen, Chuengsatiansup, Lange,
// Marotzke, Peng, Tuveri, van Vredendaal, Yang; 2020-10-07), the KEM that
// OpenSSH's sntrup761x25519-sha512 key exchange (RFC 9941) uses.
//
// Sizes: public key 1158 bytes, private key 1763 bytes, ciphertext 1039
// bytes, shared secret 32 bytes. The private key holds, in this order, the
// encodings of f and of 1/g in R/3, the public key, the 191-byte implicit
// rejection value rho, and the 32-byte hash of the public key (the spec's
// "cache"), so its bytes are interchangeable with the reference code's,
// OpenSSH's and liboqs's.
//
// All computations on secret data run in time independent of that data: no
// branch, no memory index and no loop bound depends on a secret, and
// decapsulation of an invalid ciphertext follows the spec's implicit
// rejection (a pseudorandom secret derived from rho) without an early exit.
// The only data-dependent branch is the rejection sampling of g in key
// generation, which reveals only that a discarded candidate was not
// invertible modulo 3.
//
// The package implements circl's kem.Scheme (see Scheme). Randomness comes
// from crypto/rand: 32 bytes per key pair or encapsulation, expanded by
// AES-256-CTR into the few kilobytes the operation draws (see keystream);
// GenerateKeyPairFrom and EncapsulateFrom take an io.Reader for tests that
// replay known answers.
//
// Choices where the specification is silent:
//
//   - Randomness is drawn in the "bulk" pattern of liboqs and OpenSSH (one
//     4*761-byte read per random polynomial, then 191 bytes for rho), so
//     GenerateKeyPairFrom and EncapsulateFrom on a NIST DRBG reproduce
//     liboqs's known answers. The official round 3 KAT's one-word-at-a-time
//     pattern is reproduced by the package's tests.
//   - DeriveKeyPair and EncapsulateDeterministically take 32-byte seeds and
//     expand them with SHAKE256 under the labels "pqssh sntrup761
//     DeriveKeyPair v1" and "pqssh sntrup761 EncapsulateDeterministically
//     v1" into the same randomness stream. No other implementation defines
//     these; they are stable within pqssh.
//   - UnmarshalBinaryPublicKey accepts every 1158-byte string, as the
//     specification's Decode and OpenSSH do (out-of-range values are reduced
//     modulo q), and MarshalBinary returns the bytes unchanged, so the hash
//     of the public key that encapsulation binds is that of the received
//     bytes. UnmarshalBinaryPrivateKey checks only the length.
//
// Speed: key generation is dominated by the inversion in R/q, 2p-1
// constant-time divsteps. On amd64 CPUs with AVX2 the divstep sweeps, the
// bit-sliced inversion in R/3, the product of R/q by small polynomials and
// the sorting network run in assembly (16 coefficients of 16 bits per ymm
// register; masks, never branches or indexes, carry the secret decisions);
// elsewhere, and under the purego build tag, the pure-Go code does: divsteps
// over four 16-bit lanes per 64-bit word (recipq.go), bit-sliced R/3
// (recip3.go), Karatsuba over packed schoolbook blocks (poly.go). Tests
// compare the two paths on random inputs. docs/benchmarks.md has the
// measured figures.
package sntrup761
