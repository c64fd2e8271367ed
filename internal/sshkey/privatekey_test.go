package sshkey

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"os"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/pqsig"
)

var (
	testKeysOnce sync.Once
	testKeysMap  map[string]any
)

// testKeys returns one key of every type, by algorithm name (made once:
// RSA key generation is slow).
func testKeys(t *testing.T) map[string]any {
	t.Helper()
	testKeysOnce.Do(func() { testKeysMap = makeTestKeys(t) })
	return testKeysMap
}

func makeTestKeys(t *testing.T) map[string]any {
	keys := map[string]any{}
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	keys[ssh.KeyAlgoED25519] = ed
	for name, c := range map[string]elliptic.Curve{ssh.KeyAlgoECDSA256: elliptic.P256(), ssh.KeyAlgoECDSA384: elliptic.P384(), ssh.KeyAlgoECDSA521: elliptic.P521()} {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys[name] = k
	}
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keys[ssh.KeyAlgoRSA] = r
	for _, n := range pqsig.Names() {
		s, _ := pqsig.Lookup(n)
		k, err := s.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		keys[n] = k
	}
	return keys
}

// TestPrivateKeyRoundTrip writes every key type unencrypted and encrypted
// and reads it back; x/crypto (with its own bcrypt_pbkdf) must decrypt what
// we encrypt, and a wrong passphrase must be told apart.
func TestPrivateKeyRoundTrip(t *testing.T) {
	for algo, key := range testKeys(t) {
		t.Run(algo, func(t *testing.T) {
			f, err := FromKey(key, "c@h")
			if err != nil {
				t.Fatal(err)
			}
			if f.Type() != algo {
				t.Fatalf("type %s", f.Type())
			}
			for _, pass := range []string{"", "sesame"} {
				b, err := f.Marshal([]byte(pass), 0)
				if err != nil {
					t.Fatal(err)
				}
				if blk, _ := pem.Decode(b); blk == nil || blk.Type != "OPENSSH PRIVATE KEY" {
					t.Fatalf("not an OpenSSH private key:\n%s", b)
				}
				g, err := Parse(b, []byte(pass))
				if err != nil {
					t.Fatal(err)
				}
				if g.Comment != "c@h" || !bytes.Equal(g.PublicKey.Marshal(), f.PublicKey.Marshal()) || g.Encrypted != (pass != "") {
					t.Fatalf("read back %q %v encrypted=%v", g.Comment, g.PublicKey.Type(), g.Encrypted)
				}
				pub, err := ParsePublic(b)
				if err != nil || !bytes.Equal(pub.Marshal(), f.PublicKey.Marshal()) {
					t.Fatalf("ParsePublic: %v", err)
				}
				if pass == "" {
					if IsEncrypted(b) {
						t.Error("IsEncrypted on an unencrypted key")
					}
					continue
				}
				if g.Rounds != DefaultRounds {
					t.Errorf("rounds %d", g.Rounds)
				}
				if _, err := Parse(b, nil); !errors.Is(err, ErrPassphraseNeeded) {
					t.Errorf("no passphrase: %v", err)
				}
				if _, err := Parse(b, []byte("sesamE")); !errors.Is(err, ErrWrongPassphrase) {
					t.Errorf("wrong passphrase: %v", err)
				}
				if !IsEncrypted(b) {
					t.Error("IsEncrypted false")
				}
				s, err := ssh.ParsePrivateKeyWithPassphrase(b, []byte(pass))
				if err != nil {
					t.Fatalf("x/crypto cannot decrypt our key: %v", err)
				}
				sig, err := s.Sign(rand.Reader, []byte("m"))
				if err != nil || f.PublicKey.Verify([]byte("m"), sig) != nil {
					t.Fatalf("x/crypto's signer of our key: %v", err)
				}
			}
		})
	}
}

// TestRounds writes a key with -a style rounds and checks that the file
// records them.
func TestRounds(t *testing.T) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	f, _ := FromKey(ed, "")
	b, err := f.Marshal([]byte("pw"), 3)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Parse(b, []byte("pw"))
	if err != nil || g.Rounds != 3 {
		t.Fatalf("rounds %v %v", g, err)
	}
}

// TestRecordedOpenSSHKeys decrypts private keys ssh-keygen encrypted:
// OpenSSH 9.2's Ed25519 (rounds 20) and OpenSSH 10.6's ssh-mldsa44-ed25519
// (rounds 16); the public key must match the .pub file ssh-keygen wrote.
func TestRecordedOpenSSHKeys(t *testing.T) {
	for file, pass := range map[string]string{
		"testdata/ed25519_openssh92_encrypted":          "correct horse",
		"testdata/mldsa44_ed25519_openssh106_encrypted": "pw",
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		pubLine, err := os.ReadFile(file + ".pub")
		if err != nil {
			t.Fatal(err)
		}
		want, comment, _, _, err := ssh.ParseAuthorizedKey(pubLine)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(b, []byte("wrong")); !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("%s: wrong passphrase: %v", file, err)
		}
		f, err := Parse(b, []byte(pass))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if !bytes.Equal(f.PublicKey.Marshal(), want.Marshal()) || f.Comment != comment || !f.Encrypted {
			t.Errorf("%s: read %s %q", file, f.Type(), f.Comment)
		}
		s, err := f.Signer()
		if err != nil {
			t.Fatal(err)
		}
		sig, err := s.Sign(rand.Reader, []byte("x"))
		if err != nil || want.Verify([]byte("x"), sig) != nil {
			t.Errorf("%s: the decrypted key does not sign for its public key: %v", file, err)
		}
	}
}

// TestBcryptPBKDFLengths checks the output interleaving and the argument
// checks (TestPrivateKeyRoundTrip and TestRecordedOpenSSHKeys pin the KDF
// itself to x/crypto's and OpenSSH's).
func TestBcryptPBKDFLengths(t *testing.T) {
	// Output bytes are interleaved across 32-byte blocks: a longer output
	// must not be a prefix extension of a shorter one, but the same length
	// must be deterministic.
	a, _ := bcryptPBKDF([]byte("p"), []byte("salt"), 2, 48)
	b, _ := bcryptPBKDF([]byte("p"), []byte("salt"), 2, 48)
	c, _ := bcryptPBKDF([]byte("p"), []byte("salt"), 2, 32)
	if !bytes.Equal(a, b) || bytes.Equal(a[:32], c) {
		t.Errorf("bcrypt_pbkdf lengths: %x %x", a, c)
	}
	if _, err := bcryptPBKDF([]byte("p"), []byte("salt"), 0, 32); err == nil {
		t.Error("zero rounds accepted")
	}
}

// TestHostileFiles: truncated or inconsistent files are errors, not panics.
func TestHostileFiles(t *testing.T) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	f, _ := FromKey(ed, "x")
	good, _ := f.Marshal(nil, 0)
	blk, _ := pem.Decode(good)
	for n := range len(blk.Bytes) {
		b := pem.EncodeToMemory(&pem.Block{Type: blk.Type, Bytes: blk.Bytes[:n]})
		if _, err := Parse(b, nil); err == nil {
			t.Fatalf("truncated to %d bytes: parsed", n)
		}
	}
	// Another key's public half in the header.
	_, ed2, _ := ed25519.GenerateKey(rand.Reader)
	f2, _ := FromKey(ed2, "x")
	mixed := *f
	mixed.PublicKey = f2.PublicKey
	b, _ := mixed.Marshal(nil, 0)
	if _, err := Parse(b, nil); err == nil {
		t.Error("a file whose public key is not its private key's parsed")
	}
}
