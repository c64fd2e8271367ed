package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// fakeSyslog is a unixgram socket standing in for /dev/log.
type fakeSyslog struct {
	path string
	mu   sync.Mutex
	msgs []string
}

func newFakeSyslog(t *testing.T) *fakeSyslog {
	f := &fakeSyslog{path: filepath.Join(t.TempDir(), "log")}
	pc, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: f.path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			n, err := pc.Read(buf)
			if err != nil {
				return
			}
			f.mu.Lock()
			f.msgs = append(f.msgs, string(buf[:n]))
			f.mu.Unlock()
		}
	}()
	return f
}

// waitFor returns the first datagram containing s.
func (f *fakeSyslog) waitFor(t *testing.T, s string) string {
	t.Helper()
	for i := 0; i < 1000; i++ {
		f.mu.Lock()
		for _, m := range f.msgs {
			if strings.Contains(m, s) {
				f.mu.Unlock()
				return m
			}
		}
		f.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Fatalf("no syslog message with %q in:\n%s", s, strings.Join(f.msgs, "\n"))
	return ""
}

var syslogLine = regexp.MustCompile(`^<(\d+)>([A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d) (pqsshd\[\d+\]): (.*)$`)

// TestSyslogOpenSSHLines runs pqsshd -D logging to a fake /dev/log with
// SyslogFacility LOCAL3 and LogLevel VERBOSE, and checks: OpenSSH's
// authentication lines exactly (accepted and failed keys, an invalid user,
// too many failures, connections closed before authentication), the
// priorities (facility LOCAL3, severity from the level), the VERBOSE
// lines; then it writes the lines as rsyslog would (/var/log/auth.log)
// and runs fail2ban-regex with Debian's stock sshd filter in its default
// and aggressive modes, which must find the failed logins (keys, and
// passwords through PAM) and the invalid user.
func TestSyslogOpenSSHLines(t *testing.T) {
	if _, err := exec.LookPath("fail2ban-regex"); err != nil {
		t.Fatal("fail2ban-regex is not installed: apt-get install fail2ban (make test does, as root)")
	}
	sl := newFakeSyslog(t)
	dir := t.TempDir()
	key := clientKey(t, dir)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cfg := filepath.Join(dir, "sshd_config")
	os.WriteFile(cfg, []byte(fmt.Sprintf("AuthorizedKeysFile %s/keys\nSyslogFacility LOCAL3\nLogLevel VERBOSE\nMaxAuthTries 4\nPerSourcePenalties no\nUsePAM yes\n", dir)), 0o644)
	cmd := pqsshd(t, "-D", "-f", cfg, "-h", filepath.Join(dir, "hk_ed25519"), "-o", "ListenAddress=127.0.0.1", "-p", port)
	cmd.Env = append(cmd.Env, "PQSSHD_TEST_SYSLOG_SOCKET="+sl.path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sl.waitFor(t, "server listening")
	addr := "127.0.0.1:" + port
	user := me(t)

	// An accepted login.
	c, err := dial(addr, user, key)
	if err != nil {
		t.Fatal(err)
	}
	lport := c.LocalAddr().(*net.TCPAddr).Port
	c.Close()
	acc := sl.waitFor(t, "Accepted publickey for ")
	want := fmt.Sprintf("Accepted publickey for %s from 127.0.0.1 port %d ssh2: ED25519 %s", user, lport, gossh.FingerprintSHA256(key.PublicKey()))
	m := syslogLine.FindStringSubmatch(acc)
	if m == nil || m[4] != want {
		t.Fatalf("accepted line %q, want message %q", acc, want)
	}
	if pri, _ := strconv.Atoi(m[1]); pri != 19*8+6 {
		t.Errorf("accepted line priority %d, want local3.info (%d)", pri, 19*8+6)
	}
	sl.waitFor(t, fmt.Sprintf("Disconnected from user %s 127.0.0.1 port %d", user, lport))
	sl.waitFor(t, fmt.Sprintf("Connection from 127.0.0.1 port %d on 127.0.0.1 port %s", lport, port)) // VERBOSE

	// Wrong keys until MaxAuthTries is exceeded.
	var wrong []gossh.Signer
	for i := 0; i < 5; i++ {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		s, _ := gossh.NewSignerFromKey(priv)
		wrong = append(wrong, s)
	}
	if c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(wrong...)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second}); err == nil {
		c.Close()
		t.Fatal("login with unauthorized keys accepted")
	}
	failed := sl.waitFor(t, "Failed publickey for "+user+" from 127.0.0.1 port ")
	if !strings.HasSuffix(failed, " ssh2: ED25519 "+gossh.FingerprintSHA256(wrong[0].PublicKey())) {
		t.Errorf("failed line %q", failed)
	}
	maxed := sl.waitFor(t, "maximum authentication attempts exceeded for "+user+" from 127.0.0.1 port ")
	if m := syslogLine.FindStringSubmatch(maxed); m == nil || m[1] != strconv.Itoa(19*8+3) || !strings.HasSuffix(m[4], " ssh2 [preauth]") {
		t.Errorf("too many failures: %q, want local3.err and \"… ssh2 [preauth]\"", maxed)
	}

	// An invalid user; the client gives up after one key.
	if c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "nosuchuser-f2b", Auth: []gossh.AuthMethod{gossh.PublicKeys(wrong[0])},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second}); err == nil {
		c.Close()
		t.Fatal("login as an invalid user accepted")
	}
	sl.waitFor(t, "Invalid user nosuchuser-f2b from 127.0.0.1 port ")
	sl.waitFor(t, "Failed publickey for invalid user nosuchuser-f2b from 127.0.0.1 port ")
	sl.waitFor(t, "Connection closed by invalid user nosuchuser-f2b 127.0.0.1 port ")

	// A valid user who gives up after one wrong key.
	if c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(wrong[1])},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second}); err == nil {
		c.Close()
		t.Fatal("login with an unauthorized key accepted")
	}
	sl.waitFor(t, "Connection closed by authenticating user "+user+" 127.0.0.1 port ")
	time.Sleep(200 * time.Millisecond)

	// Wrong passwords through PAM (Debian's /etc/pam.d/sshd), for a
	// valid and an invalid user.
	for _, u := range []string{user, "nosuchuser-f2b"} {
		if c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: u, Auth: []gossh.AuthMethod{gossh.Password("wrong-f2b")},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 30 * time.Second}); err == nil {
			c.Close()
			t.Fatal("login with a wrong password accepted")
		}
	}
	sl.waitFor(t, "Failed password for "+user+" from 127.0.0.1 port ")
	sl.waitFor(t, "Failed password for invalid user nosuchuser-f2b from 127.0.0.1 port ")
	time.Sleep(200 * time.Millisecond)

	// The lines as rsyslog writes them to /var/log/auth.log.
	sl.mu.Lock()
	var file strings.Builder
	for _, msg := range sl.msgs {
		if m := syslogLine.FindStringSubmatch(msg); m != nil {
			fmt.Fprintf(&file, "%s testhost %s: %s\n", m[2], m[3], m[4])
		} else {
			t.Errorf("not a syslog(3) datagram: %q", msg)
		}
	}
	sl.mu.Unlock()
	logFile := filepath.Join(dir, "auth.log")
	os.WriteFile(logFile, []byte(file.String()), 0o644)
	for _, mode := range []string{"normal", "aggressive"} {
		// The stock filter; _daemon names the syslog tag (sshd's is sshd).
		filter := fmt.Sprintf("/etc/fail2ban/filter.d/sshd.conf[mode=%s, _daemon=pqsshd]", mode)
		out, err := exec.Command("fail2ban-regex", "--print-all-matched", logFile, filter).CombinedOutput()
		if err != nil {
			t.Fatalf("fail2ban-regex %s: %v\n%s", mode, err, out)
		}
		matched := string(out)
		for _, want := range []string{
			"Invalid user nosuchuser-f2b from 127.0.0.1",
			"Failed publickey for invalid user nosuchuser-f2b from 127.0.0.1",
			"maximum authentication attempts exceeded for " + user + " from 127.0.0.1",
			"Failed password for " + user + " from 127.0.0.1",
			"Failed password for invalid user nosuchuser-f2b from 127.0.0.1",
		} {
			if !strings.Contains(matched, want) {
				t.Errorf("fail2ban-regex (mode %s) did not match %q:\n%s", mode, want, out)
			}
		}
		if mode == "aggressive" && !strings.Contains(matched, "Connection closed by authenticating user "+user) {
			t.Errorf("fail2ban-regex (mode aggressive) did not match the closed authenticating connection:\n%s", out)
		}
		if i := strings.Index(matched, "Lines: "); i >= 0 {
			t.Logf("fail2ban-regex mode %s: %s", mode, strings.SplitN(matched[i:], "\n", 2)[0])
		}
	}
}
