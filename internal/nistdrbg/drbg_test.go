package nistdrbg

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// The first seed PQCgenKAT_kem.c draws from Init(00 01 … 2f) is the count-0
// seed of every NIST KEM KAT file.
func TestCount0Seed(t *testing.T) {
	entropy := make([]byte, 48)
	for i := range entropy {
		entropy[i] = byte(i)
	}
	d := New(entropy)
	seed := make([]byte, 48)
	d.Read(seed)
	want, _ := hex.DecodeString("061550234D158C5EC95595FE04EF7A25767F2E24CC2BC479D09D86DC9ABCFDE7056A8C266F9EF97ED08541DBD2E1FFA1")
	if !bytes.Equal(seed, want) {
		t.Fatalf("count-0 seed = %X, want %X", seed, want)
	}
}
