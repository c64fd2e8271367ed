//go:build interop && linux

package interop_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	"github.com/pqssh/pqssh/interop/peers"
	"github.com/pqssh/pqssh/kem/mceliece"
)

const mcDiffTool = "/usr/local/bin/mceliece-diff"

// mcDiffContainer starts a container (peers.LibKEM: libmceliece 20241009
// and a C compiler) with mceliece-diff compiled in it.
func mcDiffContainer(t *testing.T, ctx context.Context) *harness.Container {
	t.Helper()
	c, err := lab.NewContainer(ctx, "mcdiff", peers.LibKEM)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("libmceliece-bench", "diff.c"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteFile("/root/mceliece-diff.c", src, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sh(ctx, "cc -O2 -Wall -o "+mcDiffTool+" /root/mceliece-diff.c -lmceliece"); err != nil {
		t.Fatal(err)
	}
	return c
}

// mcDiff runs mceliece-diff with args in c; it fails the test unless the
// tool exits 0.
func mcDiff(t *testing.T, ctx context.Context, c *harness.Container, args ...string) {
	t.Helper()
	res, err := c.Run(ctx, harness.Exec{Args: append([]string{mcDiffTool}, args...)})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 0 {
		t.Fatalf("mceliece-diff %q: exit %d: %s", args, res.ExitCode, res.Stderr)
	}
}

func writeIn(t *testing.T, c *harness.Container, path string, b []byte) {
	t.Helper()
	if err := c.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readIn(t *testing.T, c *harness.Container, path string, size int) []byte {
	t.Helper()
	b, err := c.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != size {
		t.Fatalf("%s: %d bytes, want %d", path, len(b), size)
	}
	return b
}

// TestMcElieceDifferential checks the project's mceliece6688128 (kem/mceliece)
// against libmceliece in both directions, on the standard byte formats:
// keys made by Go are encapsulated to by libmceliece and decapsulated by Go;
// keys made by libmceliece (both the plain and the "f" key generation) are
// encapsulated to by Go and decapsulated by libmceliece and by Go; and a
// corrupted ciphertext gives the same implicit-rejection key on both sides.
func TestMcElieceDifferential(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c := mcDiffContainer(t, ctx)
	s := mceliece.Scheme()
	if s.PublicKeySize() != 1044992 || s.PrivateKeySize() != 13932 ||
		s.CiphertextSize() != 208 || s.SharedKeySize() != 32 {
		t.Fatalf("sizes pk %d sk %d ct %d ss %d", s.PublicKeySize(), s.PrivateKeySize(), s.CiphertextSize(), s.SharedKeySize())
	}

	t.Run("GoKeys", func(t *testing.T) {
		pk, sk, err := s.GenerateKeyPair()
		if err != nil {
			t.Fatal(err)
		}
		pkb, err := pk.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		writeIn(t, c, "/tmp/go.pk", pkb)
		mcDiff(t, ctx, c, "enc", "/tmp/go.pk", "/tmp/c.ct", "/tmp/c.ss")
		ct := readIn(t, c, "/tmp/c.ct", s.CiphertextSize())
		want := readIn(t, c, "/tmp/c.ss", s.SharedKeySize())
		got, err := s.Decapsulate(sk, ct)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Go decapsulated %x, libmceliece encapsulated %x", got, want)
		}

		// libmceliece decapsulates with Go's secret key too.
		skb, err := sk.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		ct2, ss2, err := s.Encapsulate(pk)
		if err != nil {
			t.Fatal(err)
		}
		writeIn(t, c, "/tmp/go.sk", skb)
		writeIn(t, c, "/tmp/go.ct", ct2)
		mcDiff(t, ctx, c, "dec", "/tmp/go.sk", "/tmp/go.ct", "/tmp/go.ss")
		if got := readIn(t, c, "/tmp/go.ss", s.SharedKeySize()); !bytes.Equal(got, ss2) {
			t.Fatalf("libmceliece decapsulated %x with Go's key, Go encapsulated %x", got, ss2)
		}
	})

	for _, mode := range []string{"keypair", "keypair-f"} {
		t.Run("LibmcelieceKeys/"+mode, func(t *testing.T) {
			mcDiff(t, ctx, c, mode, "/tmp/lib.pk", "/tmp/lib.sk")
			pkb := readIn(t, c, "/tmp/lib.pk", s.PublicKeySize())
			skb := readIn(t, c, "/tmp/lib.sk", s.PrivateKeySize())
			pk, err := s.UnmarshalBinaryPublicKey(pkb)
			if err != nil {
				t.Fatal(err)
			}
			sk, err := s.UnmarshalBinaryPrivateKey(skb)
			if err != nil {
				t.Fatal(err)
			}
			// Go recomputes the same public key from the secret key's seed δ.
			if re := sk.Public(); re == nil || !re.Equal(pk) {
				t.Errorf("public key recomputed by Go from libmceliece's secret key differs")
			}
			ct, ss, err := s.Encapsulate(pk)
			if err != nil {
				t.Fatal(err)
			}
			writeIn(t, c, "/tmp/lib.ct", ct)
			mcDiff(t, ctx, c, "dec", "/tmp/lib.sk", "/tmp/lib.ct", "/tmp/lib.ss")
			if got := readIn(t, c, "/tmp/lib.ss", s.SharedKeySize()); !bytes.Equal(got, ss) {
				t.Fatalf("libmceliece decapsulated %x, Go encapsulated %x", got, ss)
			}
			if got, err := s.Decapsulate(sk, ct); err != nil || !bytes.Equal(got, ss) {
				t.Fatalf("Go decapsulated %x (%v) with libmceliece's key, want %x", got, err, ss)
			}

			// Implicit rejection (Classic McEliece round 4: K = H(0, s, C)):
			// a corrupted ciphertext yields the same, different, key.
			bad := bytes.Clone(ct)
			bad[len(bad)/2] ^= 0x10
			writeIn(t, c, "/tmp/bad.ct", bad)
			mcDiff(t, ctx, c, "dec", "/tmp/lib.sk", "/tmp/bad.ct", "/tmp/bad.ss")
			lib := readIn(t, c, "/tmp/bad.ss", s.SharedKeySize())
			got, err := s.Decapsulate(sk, bad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, lib) || bytes.Equal(got, ss) {
				t.Fatalf("implicit rejection: Go %x, libmceliece %x, honest key %x", got, lib, ss)
			}
		})
	}
}
