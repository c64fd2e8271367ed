//go:build !amd64 || purego

package mceliece

func distinct(ind *[T]uint16) bool { return distinctGeneric(ind) }

func setBits(ew *[fwWords]uint64, ind *[T]uint16) { setBitsGeneric(ew, ind) }
