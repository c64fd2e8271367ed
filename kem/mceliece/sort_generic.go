//go:build !amd64 || purego

package mceliece

func sortUint32(x []uint32) { sortUint32Generic(x) }
