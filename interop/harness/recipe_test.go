//go:build linux

package harness

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRecipeKey(t *testing.T) {
	a := Recipe{Suite: "trixie", Packages: []string{"socat", "openssh-server"}}
	b := Recipe{Suite: "trixie", Packages: []string{"openssh-server", "socat", "socat"}}
	if a.Key() != b.Key() {
		t.Errorf("package order or repetition changed the key: %s vs %s", a.Key(), b.Key())
	}
	if c := (Recipe{Suite: "bookworm", Packages: a.Packages}); c.Key() == a.Key() {
		t.Error("the suite does not change the key")
	}
	if c := (Recipe{Suite: "trixie", Packages: []string{"socat"}}); c.Key() == a.Key() {
		t.Error("the packages do not change the key")
	}

	dir := t.TempDir()
	patch := filepath.Join(dir, "p.patch")
	os.WriteFile(patch, []byte("one"), 0o644)
	withBuild := a
	withBuild.Build = []BuildStep{{Args: []string{"/bin/true"}, Inputs: []string{dir}}}
	k1 := withBuild.Key()
	if k1 == a.Key() {
		t.Error("a build step does not change the key")
	}
	os.WriteFile(patch, []byte("two"), 0o644)
	if withBuild.Key() == k1 {
		t.Error("changing a build input does not change the key")
	}
}

func TestKexLines(t *testing.T) {
	log := "a kex=mlkem768x25519-sha256 b\nno name here\nkex=\"curve25519-sha256\"\nkex=\n"
	got := KexLines(log, "kex=", "")
	if len(got) != 2 || got[0] != "mlkem768x25519-sha256" || got[1] != "curve25519-sha256" {
		t.Errorf("KexLines = %q", got)
	}
	got = KexLines("cipher: aes128-gcm@openssh.com MAC: <implicit>\n", "cipher: ", " MAC")
	if len(got) != 1 || got[0] != "aes128-gcm@openssh.com" {
		t.Errorf("KexLines with suffix = %q", got)
	}
}
