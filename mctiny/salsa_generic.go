//go:build !amd64 || purego

package mctiny

import "golang.org/x/crypto/salsa20/salsa"

// salsaXOR is salsa.XORKeyStream.
func salsaXOR(dst, src []byte, counter *[16]byte, key *[32]byte) {
	salsa.XORKeyStream(dst, src, counter, key)
}
