package server

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/pqssh/pqssh/server/kexsandbox"

	"github.com/pkg/sftp"

	"github.com/pqssh/pqssh/server/userproc"
)

// Environment of a re-executed pqsshd that serves internal-sftp: the
// marker, and for ChrootDirectory the directory and the identity to drop
// to after chroot ("uid:gid:g1,g2").
const (
	internalSFTPEnv = "PQSSHD_INTERNAL_SFTP"
	sftpChrootEnv   = "PQSSHD_SFTP_CHROOT"
	sftpCredEnv     = "PQSSHD_SFTP_CRED"
)

// RunInternal serves an internal helper when the process was started as
// one by pqsshd and exits; otherwise it returns. The helpers run as the
// logged-in user so that they have exactly the user's privileges:
// internal-sftp, and the per-connection process that opens forwarding
// sockets (package userproc). Call it first thing in main and in the
// TestMain of every package whose tests run a Server.
func RunInternal() {
	userproc.Main()
	kexsandbox.Main()
	runPAMSession()
	runSessionExec()
	if os.Getenv(internalSFTPEnv) != "1" || len(os.Args) == 0 || os.Args[0] != "pqsshd-internal-sftp" {
		return
	}
	if dir := os.Getenv(sftpChrootEnv); dir != "" {
		if err := chrootAndDrop(dir, os.Getenv(sftpCredEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "pqsshd internal-sftp:", err)
			os.Exit(1)
		}
	}
	// Now the user: the session's variables, and nothing else.
	becomeUserEnv()
	if home := os.Getenv("HOME"); home == "" || os.Chdir(home) != nil {
		os.Chdir("/")
	}
	srv, err := sftp.NewServer(stdio{})
	if err != nil {
		os.Exit(1)
	}
	if err := srv.Serve(); err != nil && err != io.EOF {
		os.Exit(1)
	}
	os.Exit(0)
}

type stdio struct{}

func (stdio) Read(p []byte) (int, error)  { return os.Stdin.Read(p) }
func (stdio) Write(p []byte) (int, error) { return os.Stdout.Write(p) }
func (stdio) Close() error                { return os.Stdout.Close() }

// chrootAndDrop enters dir and becomes uid:gid with the given groups; the
// process then has no way back (Go applies setuid to every thread).
func chrootAndDrop(dir, cred string) error {
	parts := strings.SplitN(cred, ":", 3)
	if len(parts) != 3 {
		return fmt.Errorf("bad credentials %q", cred)
	}
	uid, err1 := strconv.Atoi(parts[0])
	gid, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || uid == 0 {
		return fmt.Errorf("bad credentials %q", cred)
	}
	var groups []int
	for _, g := range strings.Split(parts[2], ",") {
		if g == "" {
			continue
		}
		n, err := strconv.Atoi(g)
		if err != nil {
			return fmt.Errorf("bad group %q", g)
		}
		groups = append(groups, n)
	}
	if err := syscall.Chroot(dir); err != nil {
		return fmt.Errorf("chroot %s: %w", dir, err)
	}
	if err := os.Chdir("/"); err != nil {
		return err
	}
	if err := syscall.Setgroups(groups); err != nil {
		return fmt.Errorf("setgroups: %w", err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return fmt.Errorf("setgid: %w", err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return fmt.Errorf("setuid: %w", err)
	}
	if syscall.Setuid(0) == nil {
		return fmt.Errorf("privileges were not dropped")
	}
	return nil
}
