package vectors

import (
	"bytes"
	"testing"

	"github.com/pqssh/pqssh/kem/mceliece"
)

// TestOpenSSHVectorMcEliece checks the project's mceliece6688128 against the
// keys and ciphertext libmceliece made inside the patched OpenSSH: the public
// key Go recomputes from the client's secret key (seed δ, f key generation)
// is the one OpenSSH sent in C_INIT, and Go decapsulates the server's
// ciphertext to the key OpenSSH's client obtained.
func TestOpenSSHVectorMcEliece(t *testing.T) {
	v, err := Load(OpenSSHMcEliece)
	if err != nil {
		t.Fatal(err)
	}
	f := v.Fields
	s := mceliece.Scheme()
	sk, err := s.UnmarshalBinaryPrivateKey(f["mceliece_sk"])
	if err != nil {
		t.Fatal(err)
	}
	ss, err := s.Decapsulate(sk, f["mceliece_ct"])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ss, f["k_mceliece"]) {
		t.Errorf("Go decapsulated %x, OpenSSH (libmceliece) got %x", ss, f["k_mceliece"])
	}

	pk := sk.Public()
	if pk == nil {
		t.Fatal("Go does not regenerate libmceliece's secret key from its seed")
	}
	pkb, err := pk.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	cInit := sshStrings(t, f["hash_input"])[5]
	if len(cInit) != mcPublicKey+x25519Size || !bytes.Equal(pkb, cInit[:mcPublicKey]) {
		t.Errorf("public key recomputed by Go differs from the one in OpenSSH's C_INIT")
	}
}
