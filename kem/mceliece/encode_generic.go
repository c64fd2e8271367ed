//go:build !amd64 || purego

package mceliece

func encode(c, pk, e []byte) { encodeGeneric(c, pk, e) }
