package sshkey

import (
	"crypto/sha512"
	"encoding/binary"
	"errors"

	"golang.org/x/crypto/blowfish"
)

// bcryptPBKDF derives keyLen bytes from a passphrase as OpenBSD's
// bcrypt_pbkdf(3) does (the KDF "bcrypt" of OpenSSH's PROTOCOL.key): a
// PBKDF2-like construction whose pseudo-random function is a bcrypt hash
// (Blowfish key schedule over SHA-512 digests), with the output bytes
// interleaved across the blocks.
func bcryptPBKDF(pass, salt []byte, rounds, keyLen int) ([]byte, error) {
	if rounds < 1 {
		return nil, errors.New("sshkey: bcrypt_pbkdf needs at least one round")
	}
	if len(pass) == 0 || len(salt) == 0 || keyLen <= 0 || keyLen > 1024 || len(salt) > 1<<20 {
		return nil, errors.New("sshkey: bcrypt_pbkdf: bad arguments")
	}
	const blockLen = 32
	stride := (keyLen + blockLen - 1) / blockLen
	amt := (keyLen + stride - 1) / stride
	key := make([]byte, keyLen)

	sha2pass := sha512.Sum512(pass)
	defer clear(sha2pass[:])
	countSalt := make([]byte, len(salt)+4)
	copy(countSalt, salt)
	var out, tmp [blockLen]byte
	defer clear(out[:])
	defer clear(tmp[:])
	remaining := keyLen
	for count := uint32(1); remaining > 0; count++ {
		binary.BigEndian.PutUint32(countSalt[len(salt):], count)
		sha2salt := sha512.Sum512(countSalt)
		bcryptHash(&tmp, sha2pass[:], sha2salt[:])
		out = tmp
		for i := 1; i < rounds; i++ {
			sha2salt = sha512.Sum512(tmp[:])
			bcryptHash(&tmp, sha2pass[:], sha2salt[:])
			for j := range out {
				out[j] ^= tmp[j]
			}
		}
		n := min(amt, remaining)
		i := 0
		for ; i < n; i++ {
			dest := i*stride + int(count-1)
			if dest >= keyLen {
				break
			}
			key[dest] = out[i]
		}
		remaining -= i
	}
	return key, nil
}

// bcryptHash is bcrypt_hash of OpenBSD's bcrypt_pbkdf.c: an expensive
// Blowfish key schedule keyed by the passphrase and salt digests, then 64
// encryptions of "OxychromaticBlowfishSwatDynamite", output as
// little-endian 32-bit words.
func bcryptHash(out *[32]byte, sha2pass, sha2salt []byte) {
	c, err := blowfish.NewSaltedCipher(sha2pass, sha2salt)
	if err != nil {
		panic("sshkey: blowfish: " + err.Error()) // key and salt are 64 bytes: cannot fail
	}
	for range 64 {
		blowfish.ExpandKey(sha2salt, c)
		blowfish.ExpandKey(sha2pass, c)
	}
	copy(out[:], "OxychromaticBlowfishSwatDynamite")
	for range 64 {
		for b := 0; b < 32; b += 8 {
			c.Encrypt(out[b:b+8], out[b:b+8])
		}
	}
	for b := 0; b < 32; b += 4 {
		out[b], out[b+1], out[b+2], out[b+3] = out[b+3], out[b+2], out[b+1], out[b]
	}
}
