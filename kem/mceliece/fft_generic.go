//go:build !amd64 || purego

package mceliece

func fftCombine(out *fftVals, m int) { fftCombineGeneric(out, m) }

func fftCombineTr(in *fftVals, m int) { fftCombineTrGeneric(in, m) }

func fftCoeffLevel(nxt, cur *[fftCoeffs]gf, m int) { fftCoeffLevelGeneric(nxt, cur, m) }

func fftCoeffLevelTr(nxt, cur *[fftCoeffs]gf, m int) { fftCoeffLevelTrGeneric(nxt, cur, m) }

func fftBottom6(out *fftVals, cur *[fftCoeffs]gf) { fftBottom6Generic(out, cur) }
