package kexsandbox

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pqssh/pqssh/kex"
)

func TestMain(m *testing.M) {
	Main()
	fakeHelperMain()
	os.Exit(m.Run())
}

// procStatus returns the value of a /proc/pid/status field.
func procStatus(t *testing.T, pid int, field string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return ""
}

// TestSandboxedExchanges: key exchanges computed in the helper agree with
// the client; the helper runs with no new privileges and the seccomp
// filter and, started by
// root, as the privilege-separation user chrooted to ChrootDir; a public
// value of the wrong size fails that exchange only; a killed helper fails
// the next exchange at once.
func TestSandboxedExchanges(t *testing.T) {
	sb, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	pid := sb.Pid()
	for _, name := range []string{kex.MLKEM768X25519SHA256, kex.MCELIECE6688128X25519SHA512, kex.SNTRUP761X25519SHA512, kex.CURVE448SHA512} {
		m, ok := sb.Method(name)
		if !ok {
			t.Fatalf("no method %s", name)
		}
		cl, err := m.NewClient(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		reply, secret, err := m.Respond(nil, cl.PublicValue())
		if err != nil {
			t.Fatalf("%s in the sandbox: %v", name, err)
		}
		got, err := cl.Finish(reply)
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("%s: client secret %x, sandbox %x (%v)", name, got, secret, err)
		}
	}
	if v := procStatus(t, pid, "NoNewPrivs"); v != "1" {
		t.Errorf("helper NoNewPrivs %s, want 1", v)
	}
	if v := procStatus(t, pid, "Seccomp"); v != "2" {
		t.Errorf("helper Seccomp %s, want 2 (the internal/sandbox filter)", v)
	}
	uid := strings.Fields(procStatus(t, pid, "Uid"))
	root, _ := os.Readlink(fmt.Sprintf("/proc/%d/root", pid))
	if os.Geteuid() == 0 {
		if uid[0] == "0" || uid[1] == "0" || uid[2] == "0" || uid[0] != fmt.Sprint(sb.UID) {
			t.Errorf("helper uids %v, want the privsep user %d", uid, sb.UID)
		}
		if root != ChrootDir || sb.Chroot != ChrootDir {
			t.Errorf("helper root %q (reported %q), want %s", root, sb.Chroot, ChrootDir)
		}
		if g := procStatus(t, pid, "Groups"); g != "" {
			t.Errorf("helper supplementary groups %q, want none", g)
		}
	} else if uid[0] != fmt.Sprint(os.Getuid()) || root != "/" {
		t.Errorf("unprivileged helper: uids %v root %q", uid, root)
	}
	t.Logf("helper pid %d: uids %v, root %s, Landlock ABI %d", pid, uid, root, sb.Landlock)

	m, _ := sb.Method(kex.MLKEM768X25519SHA256)
	if _, _, err := m.Respond(nil, []byte("short")); err == nil {
		t.Fatal("a malformed public value was accepted")
	}
	cl, _ := m.NewClient(rand.Reader)
	if _, _, err := m.Respond(nil, cl.PublicValue()); err != nil {
		t.Fatalf("exchange after a refused one: %v", err)
	}
	sb.cmd.Process.Kill()
	if _, _, err := m.Respond(nil, cl.PublicValue()); err == nil {
		t.Fatal("exchange with a killed helper succeeded")
	}
}
