package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"

	"golang.org/x/sys/unix"
)

// ChrootDir is the empty directory a confined process started by root is
// chrooted to (OpenSSH's privilege-separation directory).
const ChrootDir = "/run/sshd"

// PrivsepAccount returns the account a confined process runs as when
// started by root: OpenSSH's privilege-separation user sshd (Debian's
// openssh-server creates it), or nobody where it does not exist.
func PrivsepAccount() (uid, gid int, err error) {
	for _, name := range []string{"sshd", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 == nil && err2 == nil && uid != 0 {
			return uid, gid, nil
		}
	}
	return 0, 0, errors.New("no privilege-separation account (sshd or nobody)")
}

// PrepareChroot makes sure dir exists, is owned by root and is not
// writable by group or others, as sshd requires of its privsep directory.
func PrepareChroot(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("chroot directory: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		return fmt.Errorf("chroot directory: %w", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR || st.Uid != 0 || st.Mode&0o022 != 0 {
		return fmt.Errorf("%s must be a directory owned by root and not writable by group or others", dir)
	}
	return nil
}

// Confine chroots the process to dir and makes it uid:gid with no
// supplementary groups, on every thread (Go applies set*id to all of
// them; the root directory is shared by the threads). It then checks that
// root cannot be regained. uid <= 0 does nothing (a daemon that is not
// root has nothing to drop).
func Confine(uid, gid int, dir string) error {
	if uid <= 0 {
		return nil
	}
	if err := unix.Chroot(dir); err != nil {
		return fmt.Errorf("chroot %s: %w", dir, err)
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("chdir / in %s: %w", dir, err)
	}
	if err := unix.Setgroups(nil); err != nil {
		return fmt.Errorf("setgroups: %w", err)
	}
	if err := unix.Setresgid(gid, gid, gid); err != nil {
		return fmt.Errorf("setresgid: %w", err)
	}
	if err := unix.Setresuid(uid, uid, uid); err != nil {
		return fmt.Errorf("setresuid: %w", err)
	}
	if unix.Setuid(0) == nil {
		return errors.New("privileges were not dropped")
	}
	return nil
}
