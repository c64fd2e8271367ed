package testvectors

import (
	"bytes"
	"crypto/ecdh"
	"crypto/sha256"
	"crypto/sha512"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pqssh/pqssh/kem/mceliece"
	"github.com/pqssh/pqssh/kem/sntrup761"
	"github.com/pqssh/pqssh/kex"
)

var update = flag.Bool("update", false, "rewrite the vector files pqssh itself defines")

const multiHybridFile = "kex/mceliece6688128sntrup761x25519-sha512.txt"

// TestMultiHybridVector pins the wire format and combiner of pqssh's
// three-way hybrid (drafts/draft-pqssh-mceliece-sntrup761-x25519.md) to a
// vector file, and recomputes every component from the specification:
// C_INIT = mceliece pk || sntrup761 pk || X25519 pk, S_REPLY = mceliece ct
// || sntrup761 ct || X25519 pk, K = SHA-512(K_mceliece || K_sntrup761 ||
// K_X25519). The file is the test vector published with the draft.
func TestMultiHybridVector(t *testing.T) {
	m, ok := kex.Lookup(kex.MCELIECE6688128SNTRUP761X25519SHA512)
	if !ok {
		t.Fatal("multi-hybrid not registered")
	}
	var v map[string][]byte
	if *update {
		v = map[string][]byte{
			"client_random": bytes.Repeat([]byte{0xc1}, 32+32+32),
			"server_random": bytes.Repeat([]byte{0x5e}, 32+32+32),
		}
		for i := range v["client_random"] {
			v["client_random"][i] ^= byte(i * 7)
			v["server_random"][i] ^= byte(i * 13)
		}
	} else {
		var err error
		if v, err = Load(multiHybridFile); err != nil {
			t.Fatal(err)
		}
	}
	cr, sr := v["client_random"], v["server_random"]

	// Components, computed directly from the KEMs and X25519.
	mcPK, mcSK := mceliece.Scheme().DeriveKeyPair(cr[32:64])
	ntPK, ntSK := sntrup761.Scheme().DeriveKeyPair(cr[64:96])
	xc, err := ecdh.X25519().NewPrivateKey(cr[:32])
	if err != nil {
		t.Fatal(err)
	}
	mcCT, kMc, err := mceliece.Scheme().EncapsulateDeterministically(mcPK, sr[:32])
	if err != nil {
		t.Fatal(err)
	}
	ntCT, kNt, err := sntrup761.Scheme().EncapsulateDeterministically(ntPK, sr[32:64])
	if err != nil {
		t.Fatal(err)
	}
	xs, err := ecdh.X25519().NewPrivateKey(sr[64:96])
	if err != nil {
		t.Fatal(err)
	}
	kX, err := xs.ECDH(xc.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	mcPKb, _ := mcPK.MarshalBinary()
	ntPKb, _ := ntPK.MarshalBinary()
	cInit := bytes.Join([][]byte{mcPKb, ntPKb, xc.PublicKey().Bytes()}, nil)
	sReply := bytes.Join([][]byte{mcCT, ntCT, xs.PublicKey().Bytes()}, nil)
	k := sha512.Sum512(bytes.Join([][]byte{kMc, kNt, kX}, nil))
	if got, _ := mceliece.Scheme().Decapsulate(mcSK, mcCT); !bytes.Equal(got, kMc) {
		t.Fatal("McEliece component does not decapsulate")
	}
	if got, _ := sntrup761.Scheme().Decapsulate(ntSK, ntCT); !bytes.Equal(got, kNt) {
		t.Fatal("sntrup761 component does not decapsulate")
	}
	cInitDigest := sha256.Sum256(cInit)

	// The method, driven through the same interface the SSH fork uses.
	c, err := m.NewClient(bytes.NewReader(append(bytes.Clone(cr[:32]), cr[32:]...)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.PublicValue(), cInit) {
		t.Fatal("client C_INIT is not mceliece pk || sntrup761 pk || X25519 pk")
	}
	reply, serverK, err := m.Respond(bytes.NewReader(sr), c.PublicValue())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(reply, sReply) {
		t.Fatal("server S_REPLY is not mceliece ct || sntrup761 ct || X25519 pk")
	}
	clientK, err := c.Finish(reply)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(clientK, k[:]) || !bytes.Equal(serverK, k[:]) {
		t.Fatal("K is not SHA-512(K_mceliece || K_sntrup761 || K_X25519)")
	}

	computed := map[string][]byte{
		"C_INIT_sha256": cInitDigest[:],
		"S_REPLY":       sReply,
		"K_mceliece":    kMc,
		"K_sntrup761":   kNt,
		"K_X25519":      kX,
		"K":             k[:],
	}
	order := []string{"client_random", "server_random", "C_INIT_sha256", "S_REPLY", "K_mceliece", "K_sntrup761", "K_X25519", "K"}
	if *update {
		var b strings.Builder
		b.WriteString("# " + kex.MCELIECE6688128SNTRUP761X25519SHA512 + " (drafts/draft-pqssh-mceliece-sntrup761-x25519.md)\n")
		b.WriteString("# client_random = X25519 private key || mceliece6688128 seed δ (f key generation) || sntrup761 seed\n")
		b.WriteString("# server_random = mceliece6688128 encapsulation seed || sntrup761 encapsulation seed || X25519 private key\n")
		b.WriteString("# C_INIT (1,046,182 bytes) is given by its SHA-256; K is the raw 64-byte hash, encoded as an SSH string in H.\n")
		for _, f := range order[2:] {
			v[f] = computed[f]
		}
		for _, f := range order {
			fmt.Fprintf(&b, "%s = %x\n", f, v[f])
		}
		if err := os.WriteFile(multiHybridFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for f, want := range computed {
		if !bytes.Equal(v[f], want) {
			t.Errorf("%s = %x, vector file has %x", f, want, v[f])
		}
	}
}
