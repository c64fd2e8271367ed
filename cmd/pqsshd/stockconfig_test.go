package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pqssh/pqssh/server/pam"
)

// stockConfigs are Debian's stock sshd_config files: the keyword lines of
// bookworm's, trixie's and forky's (testdata, with their origin), and the
// template the installed openssh-server ships (make test installs it).
var stockConfigs = []string{
	"testdata/sshd_config.debian-bookworm",
	"testdata/sshd_config.debian-trixie-forky",
	"/usr/share/openssh/sshd_config",
}

// TestStockDebianConfigChecks: pqsshd -t accepts each stock Debian
// sshd_config unchanged, printing the notice for X11Forwarding yes, and
// for UsePAM yes only in a build without PAM.
func TestStockDebianConfigChecks(t *testing.T) {
	if _, err := os.Stat(stockConfigs[2]); err != nil {
		t.Fatalf("%v: install openssh-server (make test does, as root)", err)
	}
	hk := filepath.Join(t.TempDir(), "hk_ed25519")
	for _, f := range stockConfigs {
		out, err := pqsshd(t, "-t", "-f", f, "-h", hk).CombinedOutput()
		if err != nil {
			t.Errorf("pqsshd -t -f %s: %v\n%s", f, err, out)
			continue
		}
		for _, want := range []string{"pqsshd: notice: " + f + ":", "X11Forwarding yes: X11 forwarding is not offered"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("pqsshd -t -f %s: output lacks %q:\n%s", f, want, out)
			}
		}
		if pamNotice := strings.Contains(string(out), "UsePAM yes: this pqsshd was built without cgo"); pamNotice == pam.Available {
			t.Errorf("pqsshd -t -f %s (PAM in this build: %v): UsePAM notice %v:\n%s", f, pam.Available, pamNotice, out)
		}
	}
}

// TestStockDebianConfigServes: pqsshd started with trixie's and forky's
// stock sshd_config serves a login, and its sftp subsystem is OpenSSH's
// sftp-server as configured.
func TestStockDebianConfigServes(t *testing.T) {
	data, err := os.ReadFile(stockConfigs[1])
	if err != nil {
		t.Fatal(err)
	}
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	// AuthorizedKeysFile comes first: the first value wins, and the stock
	// file does not set it.
	cfg := fmt.Sprintf("AuthorizedKeysFile %s/keys\n", kdir) + string(data)
	_, addr, logs, _ := daemon(t, cfg)
	c, err := dial(addr, me(t), key)
	if err != nil {
		t.Fatalf("login with the stock configuration: %v", err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat("/usr/lib/openssh/sftp-server"); err != nil {
		t.Fatalf("%v: install openssh-server (make test does, as root)", err)
	}
	if err := s.RequestSubsystem("sftp"); err != nil {
		t.Fatalf("sftp subsystem: %v", err)
	}
	waitFor(t, logs, "session started")
}
