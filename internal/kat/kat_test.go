package kat

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func TestSeedsMatchReference(t *testing.T) {
	s := Seeds(2)
	want := "061550234D158C5EC95595FE04EF7A25767F2E24CC2BC479D09D86DC9ABCFDE7056A8C266F9EF97ED08541DBD2E1FFA1"
	if got := strings.ToUpper(hex.EncodeToString(s[0])); got != want {
		t.Fatalf("seed 0 = %s, want %s", got, want)
	}
	if bytes.Equal(s[0], s[1]) {
		t.Fatal("seeds repeat")
	}
}

func TestFraming(t *testing.T) {
	e := Entry{Count: 3, Seed: []byte{0xab}, PK: []byte{1}, SK: []byte{2}, CT: []byte{3}, SS: []byte{0xff}}
	want := "count = 3\nseed = AB\npk = 01\nsk = 02\nct = 03\nss = FF\n"
	if e.String() != want {
		t.Fatalf("framing %q, want %q", e.String(), want)
	}
	// all digest of one entry equals the single digest
	if AllDigest([]Entry{e}) != SingleDigest([]Entry{e}) {
		t.Fatal("digests of one entry differ")
	}
}
