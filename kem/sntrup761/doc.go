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
// from crypto/rand; GenerateKeyPairFrom and EncapsulateFrom take an
// io.Reader for tests that replay known answers.
package sntrup761
