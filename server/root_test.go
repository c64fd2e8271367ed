//go:build root

package server

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needRoot fails (never skips) a test that needs root to create accounts
// and switch to them: CI runs as root, and a skipped test proves nothing.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("needs root (creates system accounts with useradd and runs sessions as them); run go test as root, as CI does")
	}
}

// testAccount creates a system user (and a group it belongs to) for the
// test and removes them afterwards.
func testAccount(t *testing.T) (name, group string) {
	t.Helper()
	b := make([]byte, 3)
	rand.Read(b)
	name = "pqt" + hex.EncodeToString(b)
	group = name + "g"
	if out, err := exec.Command("groupadd", group).CombinedOutput(); err != nil {
		t.Fatalf("groupadd: %v %s", err, out)
	}
	if out, err := exec.Command("useradd", "-m", "-s", "/bin/sh", "-G", group, name).CombinedOutput(); err != nil {
		exec.Command("groupdel", group).Run()
		t.Fatalf("useradd: %v %s", err, out)
	}
	t.Cleanup(func() {
		exec.Command("userdel", "-r", "-f", name).Run()
		exec.Command("groupdel", group).Run()
	})
	// useradd leaves the password field "!", which sshd without PAM (and
	// pqsshd) treats as a locked account; "*" is a key-only account that
	// is not locked.
	if out, err := exec.Command("usermod", "-p", "*", name).CombinedOutput(); err != nil {
		t.Fatalf("usermod -p: %v %s", err, out)
	}
	return name, group
}

func TestRootRunsSessionAsUser(t *testing.T) {
	needRoot(t)
	name, group := testAccount(t)
	e := startServer(t, "", "AcceptEnv LANG")
	e.authorizeHome(name, "", e.key.PublicKey())
	c, err := e.dial(name, e.key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, _ := c.NewSession()
	defer s.Close()
	s.Setenv("LANG", "C")
	out, err := s.Output(`id -un; id -Gn; pwd; echo "$USER|$LOGNAME|$HOME|$SHELL|$MAIL|$PATH|$LANG"; env | cut -d= -f1 | sort | tr '\n' ' '`)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	home := "/home/" + name
	if lines[0] != name {
		t.Errorf("id -un = %q, want %q", lines[0], name)
	}
	if !strings.Contains(" "+lines[1]+" ", " "+group+" ") {
		t.Errorf("id -Gn = %q, want supplementary group %s", lines[1], group)
	}
	if lines[2] != home {
		t.Errorf("pwd = %q", lines[2])
	}
	want := strings.Join([]string{name, name, home, "/bin/sh", "/var/mail/" + name, userPath, "C"}, "|")
	if lines[3] != want {
		t.Errorf("environment %q, want %q", lines[3], want)
	}
	// Nothing of the server's environment leaks in.
	for _, v := range strings.Fields(lines[4]) {
		switch v {
		case "USER", "LOGNAME", "HOME", "SHELL", "MAIL", "PATH", "LANG", "SSH_CLIENT", "SSH_CONNECTION", "PWD", "SHLVL", "_", "OLDPWD", "TZ":
		default:
			t.Errorf("unexpected variable %s in the session environment", v)
		}
	}
}

func TestRootPTYBelongsToUser(t *testing.T) {
	needRoot(t)
	name, _ := testAccount(t)
	e := startServer(t, "", "")
	e.authorizeHome(name, "", e.key.PublicKey())
	c, err := e.dial(name, e.key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, _ := c.NewSession()
	defer s.Close()
	if err := s.RequestPty("xterm", 24, 80, nil); err != nil {
		t.Fatal(err)
	}
	out, err := s.Output(`stat -c %U "$(tty)"; echo "$SSH_TTY"`)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 || f[0] != name || !strings.HasPrefix(f[1], "/dev/pts/") {
		t.Fatalf("tty owner/SSH_TTY: %q", out)
	}
}

func TestAccessLists(t *testing.T) {
	needRoot(t)
	name, group := testAccount(t)
	for _, tc := range []struct {
		config string
		allow  bool
	}{
		{"AllowUsers " + name, true},
		{"AllowUsers someoneelse", false},
		{"AllowUsers " + name + "@192.0.2.1", false},
		{"AllowUsers " + name + "@127.0.0.1", true},
		{"DenyUsers pqt*", false},
		{"AllowGroups " + group, true},
		{"AllowGroups nosuchgroup", false},
		{"DenyGroups " + group, false},
		{"Match User " + name + "\n\tPubkeyAuthentication no", false},
	} {
		e := startServer(t, "", tc.config)
		e.authorizeHome(name, "", e.key.PublicKey())
		c, err := e.dial(name, e.key)
		if (err == nil) != tc.allow {
			t.Errorf("%q: login err %v, want allowed=%v", tc.config, err, tc.allow)
		}
		if c != nil {
			c.Close()
		}
	}
}

func TestPermitRootLogin(t *testing.T) {
	needRoot(t)
	e := startServer(t, "", "PermitRootLogin no")
	if c, err := e.dial("root", e.key); err == nil {
		c.Close()
		t.Fatal("root logged in with PermitRootLogin no")
	}
	e.logs.waitLog(t, "PermitRootLogin no")

	e = startServer(t, "", "PermitRootLogin forced-commands-only")
	if c, err := e.dial("root", e.key); err == nil {
		c.Close()
		t.Fatal("root logged in without a forced command")
	}
	forced := newSigner(t)
	e.authorize("root", `command="echo forced"`, forced.PublicKey())
	c, err := e.dial("root", forced)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if out, err := run(t, c, "id"); err != nil || out != "forced\n" {
		t.Fatalf("forced command: %q %v", out, err)
	}

	e = startServer(t, "", "") // default prohibit-password: keys are fine
	c2, err := e.dial("root", e.key)
	if err != nil {
		t.Fatalf("root with a key under prohibit-password: %v", err)
	}
	c2.Close()
}

func TestUnreadableKeysFileGrantsNothing(t *testing.T) {
	needRoot(t)
	name, _ := testAccount(t)
	e := startServer(t, "", "")
	// dir/<user>.keys lies in a directory only root can enter: the daemon
	// reads authorized_keys as the user, so this file grants nothing.
	e.authorize(name, "", e.key.PublicKey())
	if c, err := e.dial(name, e.key); err == nil {
		c.Close()
		t.Fatal("key from a file the user cannot read was accepted")
	}
	e.authorizeHome(name, "", e.key.PublicKey())
	c, err := e.dial(name, e.key)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestNologin(t *testing.T) {
	needRoot(t)
	name, _ := testAccount(t)
	e := startServer(t, "", "")
	e.srv.nologinPath = filepath.Join(e.dir, "nologin")
	os.WriteFile(e.srv.nologinPath, []byte("maintenance\n"), 0o644)
	e.authorizeHome(name, "", e.key.PublicKey())
	if c, err := e.dial(name, e.key); err == nil {
		c.Close()
		t.Fatal("user logged in while nologin exists")
	}
	e.logs.waitLog(t, "logins are refused")
	c, err := e.dial("root", e.key) // root is exempt, as in OpenSSH
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	os.Remove(e.srv.nologinPath)
	c, err = e.dial(name, e.key)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestSFTPRunsAsUser(t *testing.T) {
	needRoot(t)
	name, _ := testAccount(t)
	e := startServer(t, "", "Subsystem sftp internal-sftp")
	e.srv.helperPath = worldExecutableCopy(t)
	e.authorizeHome(name, "", e.key.PublicKey())
	c, err := e.dial(name, e.key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc, err := newSFTP(c)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	// The user cannot write where only root can.
	if f, err := sc.Create("/etc/pqssh-sftp-test"); err == nil {
		f.Close()
		os.Remove("/etc/pqssh-sftp-test")
		t.Fatal("sftp wrote to /etc as an unprivileged user")
	}
	f, err := sc.Create("mine")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, err := os.Stat("/home/" + name + "/mine")
	if err != nil {
		t.Fatal(err)
	}
	if owner := fileOwner(fi); owner != name {
		t.Fatalf("file created over sftp belongs to %s", owner)
	}
}

// worldExecutableCopy copies the test binary where any user may run it (the
// build directory is root's), standing in for an installed pqsshd.
func worldExecutableCopy(t *testing.T) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "pqsshd-helper-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "pqsshd")
	if err := os.WriteFile(p, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestChrootSFTP(t *testing.T) {
	needRoot(t)
	name, _ := testAccount(t)
	a, _ := lookupAccount(name)
	// Every component must be root-owned and not group/world writable, so
	// not under /tmp.
	dir, err := os.MkdirTemp("/run", "pqsshd-chroot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "inside"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(dir, "upload"), 0o755)
	os.Chown(filepath.Join(dir, "upload"), a.UID, a.GID)

	e := startServer(t, "", "Subsystem sftp internal-sftp\nMatch User "+name+"\n\tChrootDirectory "+dir+"\n\tForceCommand internal-sftp")
	e.srv.helperPath = worldExecutableCopy(t)
	e.authorizeHome(name, "", e.key.PublicKey())
	c, err := e.dial(name, e.key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc, err := newSFTP(c)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	if _, err := sc.Stat("/inside"); err != nil {
		t.Fatalf("/inside in the chroot: %v", err)
	}
	if _, err := sc.Stat("/etc/passwd"); err == nil {
		t.Fatal("/etc/passwd visible from inside the chroot")
	}
	f, err := sc.Create("/upload/file")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("chrooted"))
	f.Close()
	fi, err := os.Stat(filepath.Join(dir, "upload", "file"))
	if err != nil || fileOwner(fi) != name {
		t.Fatalf("uploaded file: %v owner %s", err, fileOwner(fi))
	}
	if f, err := sc.Create("/rootfile"); err == nil {
		f.Close()
		t.Fatal("user could write to the root-owned chroot directory")
	}

	// An unsafe chroot directory (under /tmp) refuses the session.
	e2 := startServer(t, "", "Match User "+name+"\n\tChrootDirectory "+t.TempDir())
	e2.authorizeHome(name, "", e.key.PublicKey())
	c2, err := e2.dial(name, e.key)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := run(t, c2, "true"); err == nil {
		t.Fatal("session started in an unsafe chroot directory")
	}
	e2.logs.waitLog(t, "bad ownership or modes for chroot directory component")
}

// TestStreamLocalAsUser checks that Unix-socket forwarding uses the user's
// file-system credentials, not the daemon's.
func TestStreamLocalAsUser(t *testing.T) {
	needRoot(t)
	name, _ := testAccount(t)
	e := startServer(t, "", "")
	e.authorizeHome(name, "", e.key.PublicKey())

	private := t.TempDir() // 0700 root: the user cannot reach sockets here
	privSock := filepath.Join(private, "root-only.sock")
	l, err := net.Listen("unix", privSock)
	if err != nil {
		t.Fatal(err)
	}
	echoServer(t, l)

	shared, err := os.MkdirTemp("/run", "pqsshd-sl-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(shared) })
	os.Chmod(shared, 0o1777)
	pubSock := filepath.Join(shared, "public.sock")
	l2, err := net.Listen("unix", pubSock)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(pubSock, 0o666)
	echoServer(t, l2)

	c, err := e.dial(name, e.key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if d, err := c.Dial("unix", privSock); err == nil {
		d.Close()
		t.Fatal("user reached a socket in a root-only directory")
	}
	d, err := c.Dial("unix", pubSock)
	if err != nil {
		t.Fatalf("user could not reach a world-accessible socket: %v", err)
	}
	roundTrip(t, d)

	// Remote streamlocal: the socket is created by (and belongs to) the user,
	// and cannot be created where the user may not write.
	if _, err := c.Listen("unix", filepath.Join(private, "nope.sock")); err == nil {
		t.Fatal("user created a socket in a root-only directory")
	}
	rs := filepath.Join(shared, "remote.sock")
	rl, err := c.Listen("unix", rs)
	if err != nil {
		t.Fatal(err)
	}
	echoServer(t, rl)
	fi, err := os.Stat(rs)
	if err != nil || fileOwner(fi) != name {
		t.Fatalf("remote socket owner: %v %v", err, fi)
	}
	d2, err := net.Dial("unix", rs)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, d2)
}
