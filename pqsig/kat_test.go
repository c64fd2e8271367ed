package pqsig

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// katFile is testvectors/mldsa/mldsa*.json.gz (see extract.py there): NIST
// ACVP keyGen vectors and Wycheproof's ML-DSA sign and verify vectors, all
// for the external, pure interface with a context string.
type katFile struct {
	ParameterSet string
	KeyGen       []struct {
		TcID     int    `json:"tcId"`
		Seed     string `json:"seed"`
		PK       string `json:"pk"`
		SKSHA256 string `json:"skSHA256"`
	}
	Sign []struct {
		TcID     int    `json:"tcId"`
		Comment  string `json:"comment"`
		Seed     string `json:"seed"`
		PKSHA256 string `json:"pkSHA256"`
		Msg, Ctx string
		Sig      string `json:"sig"`
		Result   string `json:"result"`
	}
	Verify []struct {
		TcID         int    `json:"tcId"`
		Comment      string `json:"comment"`
		Flags        []string
		PK, Msg, Ctx string
		Sig          string `json:"sig"`
		Result       string `json:"result"`
	}
}

func loadKAT(t *testing.T, name string) *katFile {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testvectors", "mldsa", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var k katFile
	if err := json.NewDecoder(zr).Decode(&k); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &k
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestMLDSAKnownAnswers runs the ML-DSA known-answer tests of the three
// parameter sets through the same code the SSH schemes use.
func TestMLDSAKnownAnswers(t *testing.T) {
	for _, tc := range []struct {
		file string
		p    *mldsaParams
	}{
		{"mldsa44.json.gz", mldsa44Params},
		{"mldsa65.json.gz", mldsa65Params},
		{"mldsa87.json.gz", mldsa87Params},
	} {
		t.Run(tc.p.name, func(t *testing.T) {
			k := loadKAT(t, tc.file)
			if k.ParameterSet != tc.p.name {
				t.Fatalf("%s holds %s", tc.file, k.ParameterSet)
			}
			var n [3]int
			for _, v := range k.KeyGen {
				var seed [32]byte
				copy(seed[:], unhex(t, v.Seed))
				pub, sk := tc.p.keyFromSeed(&seed)
				if !bytes.Equal(pub, unhex(t, v.PK)) {
					t.Errorf("keyGen tcId %d: public key differs", v.TcID)
				}
				if got := sha256hex(sk.packed()); got != v.SKSHA256 {
					t.Errorf("keyGen tcId %d: private key SHA-256 %s, want %s", v.TcID, got, v.SKSHA256)
				}
				n[0]++
			}
			for _, v := range k.Sign {
				var seed [32]byte
				copy(seed[:], unhex(t, v.Seed))
				pub, sk := tc.p.keyFromSeed(&seed)
				if sha256hex(pub) != v.PKSHA256 {
					t.Errorf("sign tcId %d: public key differs", v.TcID)
				}
				msg, ctx := unhex(t, v.Msg), unhex(t, v.Ctx)
				sig, err := sk.sign(msg, ctx, false)
				switch {
				case v.Result != "valid":
					if err == nil {
						t.Errorf("sign tcId %d (%s): signed with a %d-byte context", v.TcID, v.Comment, len(ctx))
					}
				case err != nil:
					t.Errorf("sign tcId %d (%s): %v", v.TcID, v.Comment, err)
				case !bytes.Equal(sig, unhex(t, v.Sig)):
					t.Errorf("sign tcId %d (%s): signature differs", v.TcID, v.Comment)
				case !tc.p.verify(pub, msg, ctx, sig):
					t.Errorf("sign tcId %d (%s): own signature does not verify", v.TcID, v.Comment)
				}
				n[1]++
			}
			for _, v := range k.Verify {
				got := tc.p.verify(unhex(t, v.PK), unhex(t, v.Msg), unhex(t, v.Ctx), unhex(t, v.Sig))
				if got != (v.Result == "valid") {
					t.Errorf("verify tcId %d (%s %v): verify says %v, want %s", v.TcID, v.Comment, v.Flags, got, v.Result)
				}
				n[2]++
			}
			t.Logf("%s: %d keyGen, %d sign, %d verify vectors", tc.p.name, n[0], n[1], n[2])
		})
	}
}
