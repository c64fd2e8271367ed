//go:build !amd64 || purego

package mceliece

func fftCombine(out *fftVals, m int) { fftCombineGeneric(out, m) }

func fftCombineTr(in *fftVals, m int) { fftCombineTrGeneric(in, m) }
