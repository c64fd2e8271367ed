//go:build root

package server

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// dailyNeedRoot fails (never skips) a test that needs root: CI runs as root.
func dailyNeedRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root (it creates a system account with useradd and pqsshd switches to it); run go test as root, as CI does")
	}
}

// TestDailyRunsAsTestUser (root): pqssh, OpenSSH's ssh and scp log in to a
// pqsshd running as root as a fresh non-root account; id in the session
// names the account, and files written over scp belong to it.
func TestDailyRunsAsTestUser(t *testing.T) {
	dailyNeedRoot(t)
	name, group := testAccount(t)
	c := newDailyClient(t)
	e := startServer(t, "", "Subsystem sftp internal-sftp")
	e.srv.helperPath = worldExecutableCopy(t) // the internal-sftp helper runs as the account
	c.addHost("asuser", e, name, true)
	for _, tr := range c.transports() {
		bin, args := tr.command("asuser", "id -un; id -u; id -Gn; echo $HOME")
		out := strings.Split(c.mustRun(nil, "", bin, args...), "\n")
		if len(out) < 4 || out[0] != name || out[1] == "0" || !strings.Contains(" "+out[2]+" ", " "+group+" ") || out[3] != "/home/"+name {
			t.Errorf("%s: id in the session: %q", tr.name, out)
		}
		src := filepath.Join(c.home, "f-"+tr.name)
		os.WriteFile(src, []byte("mine"), 0o644)
		c.mustRun(nil, "", "scp", append(append(append([]string{}, tr.scpS...), "-F", c.cfg), src, "asuser:")...)
		fi, err := os.Stat(filepath.Join("/home", name, "f-"+tr.name))
		if err != nil {
			t.Fatalf("%s: scp to the account's home: %v", tr.name, err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid == 0 {
			t.Errorf("%s: file written over scp belongs to root", tr.name)
		}
		// The account cannot write where root can.
		bin, args = tr.command("asuser", "touch /root/pqssh-daily-test")
		if _, _, err := c.run(nil, "", bin, args...); err == nil {
			os.Remove("/root/pqssh-daily-test")
			t.Errorf("%s: the session wrote to /root", tr.name)
		}
	}
}
