//go:build !amd64 || purego

package sntrup761

// sortUint32 sorts x in place with sortUint32Generic's network.
func sortUint32(x []uint32) { sortUint32Generic(x) }
