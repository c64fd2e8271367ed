package vectors

import (
	"bytes"
	"compress/gzip"
	"crypto/ecdh"
	"crypto/sha512"
	"encoding/binary"
	"strings"
	"testing"
)

// Sizes from draft-josefsson-ssh-mceliece-00 / Classic McEliece round 4.
const (
	mcPublicKey  = 1044992
	mcSecretKey  = 13932
	mcCiphertext = 208
	x25519Size   = 32
)

// sshStrings splits b into SSH strings (RFC 4251 §5).
func sshStrings(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			t.Fatalf("truncated string length")
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(n) > uint64(len(b)-4) {
			t.Fatalf("string of %d bytes with %d left", n, len(b)-4)
		}
		out = append(out, b[4:4+n])
		b = b[4+n:]
	}
	return out
}

// TestOpenSSHVectorFollowsDraft00 checks the exchange recorded from the
// patched OpenSSH against draft-josefsson-ssh-mceliece-00 computed here
// independently: the C_INIT/S_REPLY layout, the X25519 part, the SHA-512
// combiner, K encoded as a string, H = SHA-512 of the RFC 4253 §8 fields,
// and RFC 4253 §7.2 key derivation.
func TestOpenSSHVectorFollowsDraft00(t *testing.T) {
	v, err := Load(OpenSSHMcEliece)
	if err != nil {
		t.Fatal(err)
	}
	if v.Method != "mceliece6688128x25519-sha512" {
		t.Fatalf("method %q", v.Method)
	}
	f := v.Fields
	if len(f["mceliece_sk"]) != mcSecretKey || len(f["mceliece_ct"]) != mcCiphertext {
		t.Fatalf("sk %d bytes, ct %d bytes", len(f["mceliece_sk"]), len(f["mceliece_ct"]))
	}

	parts := sshStrings(t, f["hash_input"])
	if len(parts) != 8 {
		t.Fatalf("hash input has %d strings, want 8 (V_C V_S I_C I_S K_S C_INIT S_REPLY K)", len(parts))
	}
	vc, ic, cInit, sReply, k := parts[0], parts[2], parts[5], parts[6], parts[7]
	if !bytes.HasPrefix(vc, []byte("SSH-2.0-OpenSSH_10.0")) {
		t.Errorf("V_C = %q", vc)
	}
	// I_C is the client's KEXINIT payload: byte 20, 16-byte cookie, name-list.
	if len(ic) < 21 || ic[0] != 20 {
		t.Fatalf("I_C is not a KEXINIT")
	}
	n := binary.BigEndian.Uint32(ic[17:])
	if uint64(n) > uint64(len(ic)-21) {
		t.Fatalf("I_C: bad kex name-list length")
	}
	kexNames := ic[21 : 21+n]
	if !strings.HasPrefix(string(kexNames), v.Method+",") {
		t.Errorf("client kex list %q does not start with %s", kexNames, v.Method)
	}

	// C_INIT = McEliece pk || X25519 pk; S_REPLY = ct || X25519 pk.
	if len(cInit) != mcPublicKey+x25519Size {
		t.Fatalf("C_INIT is %d bytes, want %d", len(cInit), mcPublicKey+x25519Size)
	}
	if !bytes.Equal(cInit[mcPublicKey:], f["x25519_client_pub"]) {
		t.Errorf("C_INIT does not end with the client X25519 key")
	}
	if !bytes.Equal(sReply, append(append([]byte{}, f["mceliece_ct"]...), f["x25519_server_pub"]...)) {
		t.Errorf("S_REPLY is not ct || server X25519 key")
	}

	// X25519: the recorded private key gives the recorded public key and
	// the second half of K_mceliece || K_X25519.
	priv, err := ecdh.X25519().NewPrivateKey(f["x25519_client_priv"])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(priv.PublicKey().Bytes(), f["x25519_client_pub"]) {
		t.Errorf("X25519 private key does not match the public key")
	}
	peer, err := ecdh.X25519().NewPublicKey(f["x25519_server_pub"])
	if err != nil {
		t.Fatal(err)
	}
	kcl, err := priv.ECDH(peer)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte{}, f["k_mceliece"]...), kcl...)
	if !bytes.Equal(f["k_concat"], want) {
		t.Errorf("K_mceliece || K_X25519 mismatch")
	}

	// K = SHA-512(K_mceliece || K_X25519), encoded as a string (not mpint:
	// the vector was picked with K[0] >= 0x80, where they differ).
	sum := sha512.Sum512(want)
	if sum[0] < 0x80 {
		t.Fatalf("vector K[0] = %#x; want one >= 0x80", sum[0])
	}
	enc := binary.BigEndian.AppendUint32(nil, sha512.Size)
	enc = append(enc, sum[:]...)
	if !bytes.Equal(f["k_encoded"], enc) || !bytes.Equal(k, sum[:]) {
		t.Errorf("K is not string(SHA-512(K_mceliece || K_X25519))")
	}

	// H = SHA-512(hash input); the session id is H (first exchange).
	h := sha512.Sum512(f["hash_input"])
	if !bytes.Equal(h[:], f["exchange_hash"]) {
		t.Fatalf("H mismatch")
	}
	for _, c := range "ABCDEF" {
		d := sha512.New()
		d.Write(enc)
		d.Write(h[:])
		d.Write([]byte{byte(c)})
		d.Write(h[:])
		key := f["derived_key_"+string(c)]
		if len(key) == 0 || !bytes.Equal(d.Sum(nil)[:len(key)], key) {
			t.Errorf("derived key %c mismatch", c)
		}
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	for _, in := range []string{"method = x\nk = zz\n", "k = 00\n", "method = x\nnovalue\n", "method = x\nk = 00\nk = 01\n"} {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(in))
		zw.Close()
		if _, err := Parse(&buf); err == nil {
			t.Errorf("Parse(%q) succeeded", in)
		}
	}
}
