package sshwire

import (
	"bytes"
	"testing"
)

// The signed data of a host key proof is three SSH strings (OpenSSH
// PROTOCOL section 2.5).
func TestHostKeyProofData(t *testing.T) {
	got := HostKeyProofData([]byte{1, 2}, []byte("key"))
	want := append([]byte{0, 0, 0, 29}, "hostkeys-prove-00@openssh.com"...)
	want = append(want, 0, 0, 0, 2, 1, 2, 0, 0, 0, 3, 'k', 'e', 'y')
	if !bytes.Equal(got, want) {
		t.Fatalf("HostKeyProofData = %x, want %x", got, want)
	}
	s, rest, err := String(got)
	if err != nil || string(s) != HostKeysProveRequest || len(rest) != 4+2+4+3 {
		t.Fatalf("String: %q %x %v", s, rest, err)
	}
	if _, _, err := String([]byte{0, 0, 0, 5, 'a'}); err == nil {
		t.Fatal("truncated string accepted")
	}
}
