//go:build linux

package peers

import (
	"slices"
	"testing"
)

// The lines are plink 0.83's, captured against OpenSSH 10.0 restricted to
// each method.
func TestPuTTYKex(t *testing.T) {
	log := `Enabling strict key exchange semantics
Doing ML-KEM-768 / Curve25519 hybrid key exchange, using hash SHA-256 (SHA-NI accelerated)
Doing NTRU Prime / Curve25519 hybrid key exchange, using hash SHA-512 (unaccelerated)
Doing ECDH key exchange with curve Curve25519, using hash SHA-256 (SHA-NI accelerated)
Doing Diffie-Hellman key exchange using 4096-bit modulus and hash SHA-512
`
	want := []string{MLKEM768, SNTRUP761 + "|" + SNTRUP761OpenSSH, Curve25519,
		"putty: Doing Diffie-Hellman key exchange using 4096-bit modulus and hash SHA-512"}
	if got := puttyKex(log); !slices.Equal(got, want) {
		t.Errorf("puttyKex = %q, want %q", got, want)
	}
}

func TestOpenSSHKex(t *testing.T) {
	log := `debug1: SSH2_MSG_KEXINIT received
debug1: kex: algorithm: mlkem768x25519-sha256
debug1: kex: host key algorithm: ssh-ed25519
debug1: kex: algorithm: sntrup761x25519-sha512@openssh.com
`
	if got, want := openSSHKex(log), []string{MLKEM768, SNTRUP761OpenSSH}; !slices.Equal(got, want) {
		t.Errorf("openSSHKex = %q, want %q", got, want)
	}
}

func TestPqsshdKex(t *testing.T) {
	log := `time=2026-11-22T21:55:41.486Z level=DEBUG msg="connection accepted" conn=1 peer=192.0.2.11:50056
time=2026-11-22T21:55:41.585Z level=INFO msg="accepted publickey" user=root peer=192.0.2.11:50056 kex=mlkem768x25519-sha256 hostkey=ssh-ed25519 conn=1
time=2026-11-22T21:55:41.990Z level=WARN msg="connection is not using a post-quantum key exchange algorithm" conn=2 peer=192.0.2.11:50058 kex=curve25519-sha256
time=2026-11-22T21:55:42.000Z level=INFO msg="accepted publickey" user=root kex="curve25519-sha256" conn=2
time=2026-11-22T21:55:43.000Z level=INFO msg="connection failed" peer=192.0.2.11:50060 err="ssh: no auth passed yet" conn=3 user=root kex=mlkem768x25519-sha256 auth_failures=1
`
	if got, want := Pqssh.Server.Kex(log), []string{MLKEM768, Curve25519}; !slices.Equal(got, want) {
		t.Errorf("pqsshd log kex = %q, want %q", got, want)
	}
}

func TestPostQuantum(t *testing.T) {
	for _, n := range []string{MLKEM768, SNTRUP761, SNTRUP761OpenSSH, MCELIECE, MCELIECEOpenSSH, MCELIECESNTRUP761} {
		if !PostQuantum(n) {
			t.Errorf("PostQuantum(%s) = false", n)
		}
	}
	for _, n := range []string{Curve25519, "ecdh-sha2-nistp256", ""} {
		if PostQuantum(n) {
			t.Errorf("PostQuantum(%q) = true", n)
		}
	}
}
