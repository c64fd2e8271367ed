package sshkex

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/pqssh/pqssh/mctiny"
)

func TestKeyOfferRoundTrip(t *testing.T) {
	pk := make([]byte, mctiny.PublicKeySize)
	rand.Read(pk)
	o := &KeyOffer{Params: mctiny.Name, Port: 2222, PublicKey: pk}
	b := MarshalKeyOffer(o)
	if len(b) != 4+len(mctiny.Name)+4+4+mctiny.PublicKeySize {
		t.Fatalf("offer is %d bytes", len(b))
	}
	got, err := ParseKeyOffer(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Port != 2222 || got.Params != mctiny.Name || !bytes.Equal(got.PublicKey, pk) {
		t.Fatal("offer changed in the round trip")
	}
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"truncated": b[:len(b)-1],
		"trailing":  append(bytes.Clone(b), 0),
		"params":    MarshalKeyOffer(&KeyOffer{Params: "mctiny6960119", Port: 1, PublicKey: pk}),
		"port 0":    MarshalKeyOffer(&KeyOffer{Params: mctiny.Name, PublicKey: pk}),
		"short key": MarshalKeyOffer(&KeyOffer{Params: mctiny.Name, Port: 1, PublicKey: pk[:10]}),
		"huge len":  {0xff, 0xff, 0xff, 0xff, 0},
	} {
		if _, err := ParseKeyOffer(bad); !errors.Is(err, ErrBadOffer) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestFingerprint(t *testing.T) {
	pk := []byte("key")
	sum := sha256.Sum256(pk)
	want := "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
	if got := Fingerprint(pk); got != want || strings.Contains(got, "=") {
		t.Fatalf("Fingerprint = %q, want %q", got, want)
	}
}
