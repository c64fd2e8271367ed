package testvectors

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"testing"

	"github.com/pqssh/pqssh/kex"
	"golang.org/x/crypto/ssh"
)

func lengthPrefix(b []byte) []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(len(b))) // length
}

// exchangeHash is RFC 4253 section 8 with K encoded as a string, as the
// hybrid drafts require.
func exchangeHash(h crypto.Hash, v map[string][]byte, K []byte) []byte {
	d := h.New()
	for _, f := range []string{"V_C", "V_S", "I_C", "I_S", "K_S", "C_INIT", "S_REPLY"} {
		d.Write(lengthPrefix(v[f]))
		d.Write(v[f])
	}
	d.Write(lengthPrefix(K))
	d.Write(K)
	return d.Sum(nil)
}

// TestMLKEM768OpenSSH99 checks our generic hybrid construction against the
// Go <-> OpenSSH 9.9 transcript: the same client randomness gives the same
// C_INIT, the server's S_REPLY gives the same K, and H computed from the
// transcript carries OpenSSH's host-key signature.
func TestMLKEM768OpenSSH99(t *testing.T) {
	v, err := Load("kex/mlkem768x25519-sha256.openssh-9.9.txt")
	if err != nil {
		t.Fatal(err)
	}
	m, ok := kex.Lookup("mlkem768x25519-sha256")
	if !ok {
		t.Fatal("mlkem768x25519-sha256 is not registered")
	}
	rand := bytes.NewReader(append(bytes.Clone(v["x25519_client_private"]), v["mlkem768_client_seed"]...))
	c, err := m.NewClient(rand)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.PublicValue(), v["C_INIT"]) {
		t.Fatal("C_INIT differs from the transcript")
	}
	K, err := c.Finish(v["S_REPLY"])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(K, v["K"]) {
		t.Fatalf("K = %x, want %x", K, v["K"])
	}
	combined := m.Hash().New()
	combined.Write(v["K_PQ"])
	combined.Write(v["K_CL"])
	if !bytes.Equal(combined.Sum(nil), v["K"]) {
		t.Fatal("K != SHA-256(K_PQ || K_CL) in the vector file")
	}
	H := exchangeHash(m.Hash(), v, K)
	if !bytes.Equal(H, v["H"]) {
		t.Fatalf("H = %x, want %x", H, v["H"])
	}
	hostKey, err := ssh.ParsePublicKey(v["K_S"])
	if err != nil {
		t.Fatal(err)
	}
	sig := new(ssh.Signature)
	if err := ssh.Unmarshal(v["signature"], sig); err != nil {
		t.Fatal(err)
	}
	if err := hostKey.Verify(H, sig); err != nil {
		t.Fatalf("OpenSSH's signature does not verify over H: %v", err)
	}
}

// sshStrings splits a concatenation of SSH strings.
func sshStrings(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			t.Fatal("truncated string length")
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(len(b)-4) < uint64(n) {
			t.Fatal("truncated string")
		}
		out = append(out, b[4:4+n])
		b = b[4+n:]
	}
	return out
}

// TestMcElieceOpenSSH10 checks mceliece6688128x25519-sha512 (our generic
// hybrid with the pure-Go Classic McEliece) against one exchange recorded
// from OpenSSH 10.0p1 patched for McEliece with libmceliece
// (interop/openssh-mceliece): seeded with the client's recorded X25519
// key and McEliece seed δ, our client sends the same C_INIT, turns the
// server's S_REPLY into the same K, and gets the same H.
func TestMcElieceOpenSSH10(t *testing.T) {
	v, err := Load("kex/mceliece6688128x25519-sha512.openssh-10.0p1.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{kex.MCELIECE6688128X25519SHA512, kex.MCELIECE6688128X25519SHA512OpenSSH} {
		t.Run(name, func(t *testing.T) {
			m, ok := kex.Lookup(name)
			if !ok {
				t.Fatalf("%s is not registered", name)
			}
			in := sshStrings(t, v["hash_input"])
			if len(in) != 8 {
				t.Fatalf("hash_input has %d strings, want 8", len(in))
			}
			fields := map[string][]byte{"V_C": in[0], "V_S": in[1], "I_C": in[2], "I_S": in[3], "K_S": in[4], "C_INIT": in[5], "S_REPLY": in[6]}
			// δ is the first 32 bytes of a Classic McEliece secret key.
			seed := append(bytes.Clone(v["x25519_client_priv"]), v["mceliece_sk"][:32]...)
			c, err := m.NewClient(bytes.NewReader(seed))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(c.PublicValue(), fields["C_INIT"]) {
				t.Fatal("C_INIT differs from the one OpenSSH sent")
			}
			K, err := c.Finish(fields["S_REPLY"])
			if err != nil {
				t.Fatal(err)
			}
			if want := sshStrings(t, v["k_encoded"])[0]; !bytes.Equal(K, want) {
				t.Fatalf("K = %x, want %x", K, want)
			}
			if !bytes.Equal(in[7], K) {
				t.Fatal("the K hashed into H by OpenSSH differs from ours")
			}
			if H := exchangeHash(m.Hash(), fields, K); !bytes.Equal(H, v["exchange_hash"]) {
				t.Fatalf("H = %x, want %x", H, v["exchange_hash"])
			}
		})
	}
}
