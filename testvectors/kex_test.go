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
