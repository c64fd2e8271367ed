//go:build root

package config

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstalledSshdDumpKeywordsKnown runs the installed OpenSSH's sshd -T
// (make test installs openssh-server) and checks that pqsshd knows every
// keyword it prints, as TestSshdDumpKeywordsKnown does for the recorded
// lists. sshd insists on its privilege-separation directory /run/sshd even
// for -T, so it runs in a private mount namespace with a fresh /run (root).
func TestInstalledSshdDumpKeywordsKnown(t *testing.T) {
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
		t.Fatalf("%v: install openssh-server (make test does)", err)
	}
	hk := filepath.Join(t.TempDir(), "hk")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hk).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	out, err := exec.Command("unshare", "--mount", "sh", "-c",
		`mount -t tmpfs none /run && mkdir /run/sshd && exec /usr/sbin/sshd -T -f /dev/null -h "$0"`, hk).Output()
	if err != nil {
		t.Fatalf("sshd -T: %v", err)
	}
	var keywords []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			keywords = append(keywords, f[0])
		}
	}
	if len(keywords) < 50 {
		t.Fatalf("sshd -T printed %d keywords:\n%s", len(keywords), out)
	}
	checkKeywordsKnown(t, "installed sshd -T", keywords)
}
