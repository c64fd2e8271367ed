//go:build linux

package harness

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

	// The forky-only fields change the key when set, and leave the keys
	// of recipes that do not set them (the cached trixie and bookworm
	// root filesystems) as they were: that description has no line for
	// them.
	if d := a.describe(); strings.Contains(d, "script") || strings.Contains(d, "Valid-Until") {
		t.Errorf("a recipe without Script or IgnoreValidUntil describes them: %q", d)
	}
	withScript := a
	withScript.Script = "sid"
	if withScript.Key() == a.Key() {
		t.Error("Script does not change the key")
	}
	noValid := a
	noValid.IgnoreValidUntil = true
	if noValid.Key() == a.Key() || noValid.Key() == withScript.Key() {
		t.Error("IgnoreValidUntil does not change the key")
	}
}

func TestDebootstrapMirror(t *testing.T) {
	if _, err := exec.LookPath("debootstrap"); err != nil {
		t.Fatal("debootstrap is not installed: make test installs it (apt-get install debootstrap)")
	}
	m, err := debootstrapMirror()
	if err != nil || !strings.Contains(m, "://") {
		t.Fatalf("mirror %q, %v", m, err)
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
