//go:build !amd64 || purego

package mceliece

func berlekampMassey(s *[2 * T]gf) [T + 1]gf { return berlekampMasseyGeneric(s) }
