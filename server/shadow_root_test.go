//go:build root

package server

import (
	"os/exec"
	"regexp"
	"testing"
	"time"
)

// usermod runs usermod(8) with args on the test account.
func usermod(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("usermod", args...).CombinedOutput(); err != nil {
		t.Fatalf("usermod %v: %v %s", args, err, out)
	}
}

// TestLockedAccountRefused: an account locked with usermod -L cannot log
// in with a key, with sshd's log line; unlocked, it can.
func TestLockedAccountRefused(t *testing.T) {
	needRoot(t)
	name, _ := testAccount(t)
	e := startServer(t, "", "")
	e.authorizeHome(name, "", e.key.PublicKey())
	usermod(t, "-L", name)
	if c, err := e.dial(name, e.key); err == nil {
		c.Close()
		t.Fatal("a locked account logged in")
	}
	e.logs.waitLog(t, "User "+name+" not allowed because account is locked")

	usermod(t, "-U", name)
	c, err := e.dial(name, e.key)
	if err != nil {
		t.Fatalf("unlocked account: %v", err)
	}
	defer c.Close()
	if out, err := run(t, c, "id -un"); err != nil || out != name+"\n" {
		t.Fatalf("session of the unlocked account: %q %v", out, err)
	}
}

// TestExpiredAccountRefused: an account expired with usermod -e 1 cannot
// log in with a key, with sshd's two log lines; without an expiry date it
// can.
func TestExpiredAccountRefused(t *testing.T) {
	needRoot(t)
	name, _ := testAccount(t)
	e := startServer(t, "", "")
	e.authorizeHome(name, "", e.key.PublicKey())
	usermod(t, "-e", "1", name)
	if c, err := e.dial(name, e.key); err == nil {
		c.Close()
		t.Fatal("an expired account logged in")
	}
	e.logs.waitLog(t, "Account "+name+" has expired")
	e.logs.waitLog(t, "User "+name+" not allowed because account is locked")

	usermod(t, "-e", "", name)
	c, err := e.dial(name, e.key)
	if err != nil {
		t.Fatalf("account without an expiry date: %v", err)
	}
	c.Close()

	// Within the warning period (7 days from useradd), a terminal session
	// starts with sshd's warning.
	usermod(t, "-e", time.Now().UTC().AddDate(0, 0, 2).Format("2006-01-02"), name)
	c, err = e.dial(name, e.key)
	if err != nil {
		t.Fatalf("account expiring in 2 days: %v", err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.RequestPty("xterm", 24, 80, nil); err != nil {
		t.Fatal(err)
	}
	out, _ := s.Output("true")
	if !regexp.MustCompile(`^Your account will expire in [123] days?\.\r\n`).Match(out) {
		t.Fatalf("terminal session output %q, want the expiry warning", out)
	}
}

// TestPasswordAgeDoesNotRefuseKeyLogin: sshd without PAM checks password
// ageing only for password authentication, so a key login of an account
// whose password must be changed (chage -d 0) or has aged out succeeds.
func TestPasswordAgeDoesNotRefuseKeyLogin(t *testing.T) {
	needRoot(t)
	name, _ := testAccount(t)
	e := startServer(t, "", "")
	e.authorizeHome(name, "", e.key.PublicKey())
	for _, args := range [][]string{{"-d", "0", name}, {"-d", "1", "-M", "1", name}} {
		if out, err := exec.Command("chage", args...).CombinedOutput(); err != nil {
			t.Fatalf("chage %v: %v %s", args, err, out)
		}
		c, err := e.dial(name, e.key)
		if err != nil {
			t.Fatalf("key login after chage %v: %v", args, err)
		}
		c.Close()
	}
}
