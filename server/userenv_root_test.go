//go:build root

package server

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pqssh/pqssh/server/pam"
)

// preloadMarker builds a shared object whose constructor creates
// euid-<effective uid> in a world-writable directory, and returns the
// object's path and the directory. A program that loads it (LD_PRELOAD)
// leaves a mark saying as whom it ran.
func preloadMarker(t *testing.T) (lib, marks string) {
	t.Helper()
	dir := t.TempDir()
	// The user's program loads the object too: the test's directories
	// must be open to it.
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o755)
	marks = filepath.Join(dir, "marks")
	os.Mkdir(marks, 0o755)
	os.Chmod(marks, 0o1777)
	src := filepath.Join(dir, "mark.c")
	code := fmt.Sprintf(`#include <stdio.h>
#include <unistd.h>
__attribute__((constructor)) static void mark(void) {
	char p[512];
	snprintf(p, sizeof p, "%s/euid-%%d", (int)geteuid());
	FILE *f = fopen(p, "w");
	if (f) fclose(f);
}
`, marks)
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	lib = filepath.Join(dir, "mark.so")
	if out, err := exec.Command("cc", "-shared", "-fPIC", "-o", lib, src).CombinedOutput(); err != nil {
		t.Fatalf("this test needs a C compiler (as cgo does): %v %s", err, out)
	}
	os.Chmod(lib, 0o755)
	return lib, marks
}

// checkMarks fails unless the user's program loaded the object as the
// user (so the environment did reach it) and nothing loaded it as root.
func checkMarks(t *testing.T, marks string, uid int) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(marks, "euid-0")); err == nil {
		t.Error("a program the user's environment reached ran as root: LD_PRELOAD from the user's environment executed code as root")
	}
	if _, err := os.Stat(filepath.Join(marks, fmt.Sprintf("euid-%d", uid))); err != nil {
		t.Errorf("the user's program did not get the user's LD_PRELOAD (the test proves nothing): %v", err)
	}
}

// TestUserEnvironmentNeverReachesRoot: the session's environment is the
// user's to choose (~/.pam_environment through Debian's
// "pam_env.so user_readenv=1", PermitUserEnvironment, AcceptEnv), so no
// pqsshd helper that starts as root may be executed with it: the dynamic
// loader of a root process honours LD_PRELOAD. Two helpers start as root
// before becoming the user: the one that applies pam_limits' limits, and
// internal-sftp in a ChrootDirectory. The user's program still gets the
// variables (and loads the object as the user).
func TestUserEnvironmentNeverReachesRoot(t *testing.T) {
	needRoot(t)
	if !pam.Available {
		t.Fatal("this test needs a build with cgo (PAM)")
	}
	t.Run("pam_limits", func(t *testing.T) {
		name, _ := testAccount(t)
		a, _ := lookupAccount(name)
		lib, marks := preloadMarker(t)
		dir := t.TempDir()
		os.Chmod(dir, 0o755)
		lf := filepath.Join(dir, "limits.conf")
		os.WriteFile(lf, []byte(name+" - nofile 3210\n"), 0o644)
		// Debian's /etc/pam.d/sshd reads ~/.pam_environment.
		svc := "pqsshd-test-env-" + name
		stack := fmt.Sprintf("auth required pam_unix.so\naccount required pam_unix.so\nsession required pam_limits.so conf=%s\nsession required pam_env.so readenv=0 conffile=/dev/null user_readenv=1\n", lf)
		p := filepath.Join("/etc/pam.d", svc)
		if err := os.WriteFile(p, []byte(stack), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(p) })
		penv := filepath.Join(a.Home, ".pam_environment")
		os.WriteFile(penv, []byte("LD_PRELOAD DEFAULT="+lib+"\n"), 0o644)
		os.Chown(penv, a.UID, a.GID)

		e := startServer(t, "", "UsePAM yes\nPAMServiceName "+svc)
		e.srv.helperPath = worldExecutableCopy(t)
		e.authorizeHome(name, "", e.key.PublicKey())
		c, err := e.dial(name, e.key)
		if err != nil {
			t.Fatal(err)
		}
		out, err := run(t, c, "ulimit -n")
		c.Close()
		if err != nil || out != "3210\n" {
			t.Fatalf("ulimit -n printed %q (%v), want pam_limits' 3210", out, err)
		}
		checkMarks(t, marks, a.UID)
	})
	t.Run("internal-sftp in ChrootDirectory", func(t *testing.T) {
		name, _ := testAccount(t)
		a, _ := lookupAccount(name)
		lib, marks := preloadMarker(t)
		root, err := os.MkdirTemp("/run", "pqsshd-chroot-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(root) })
		os.Chmod(root, 0o755)
		env := filepath.Join(a.Home, ".ssh", "environment")
		e := startServer(t, "", "Subsystem sftp internal-sftp\nPermitUserEnvironment LD_PRELOAD\nMatch User "+name+"\n\tChrootDirectory "+root+"\n\tForceCommand internal-sftp")
		e.srv.helperPath = worldExecutableCopy(t)
		e.authorizeHome(name, "", e.key.PublicKey())
		os.WriteFile(env, []byte("LD_PRELOAD="+lib+"\n"), 0o644)
		os.Chown(env, a.UID, a.GID)
		c, err := e.dial(name, e.key)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		sc, err := newSFTP(c)
		if err != nil {
			t.Fatal(err)
		}
		sc.Close()
		if _, err := os.Stat(filepath.Join(marks, "euid-0")); err == nil {
			t.Error("internal-sftp started as root with the user's LD_PRELOAD: code from the user ran as root")
		}
	})
}
