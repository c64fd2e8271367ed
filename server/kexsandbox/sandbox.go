package kexsandbox

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// privsepAccount is the account the helper runs as when started by root:
// OpenSSH's privilege-separation user (Debian's openssh-server creates
// it), or nobody where it does not exist.
func privsepAccount() (uid, gid int, err error) {
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

// prepareChroot makes sure dir exists, is owned by root and is not
// writable by group or others, as sshd requires of its privsep directory.
func prepareChroot(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR || st.Uid != 0 || st.Mode&0o022 != 0 {
		return fmt.Errorf("%s must be a directory owned by root and not writable by group or others", dir)
	}
	return nil
}

// confine, in the helper, drops the process into its sandbox: as root
// (uid > 0 given), chroot to dir and become uid:gid with no supplementary
// groups. No-new-privileges and Landlock were set by the parent before it
// started the helper (startConfined), so every thread has them.
func confine(uid, gid int, dir string) error {
	if uid <= 0 {
		return nil
	}
	if err := unix.Chroot(dir); err != nil {
		return fmt.Errorf("chroot %s: %w", dir, err)
	}
	if err := unix.Chdir("/"); err != nil {
		return err
	}
	if err := unix.Setgroups(nil); err != nil {
		return fmt.Errorf("setgroups: %w", err)
	}
	// Go applies these to every thread of the process.
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

// restrictThread gives the calling OS thread no-new-privileges and a
// Landlock domain that allows nothing but reading and executing the files
// in exec (the helper's executable and the dynamic loader's libraries,
// where they exist); a process it forks inherits both, on every thread it
// will have. The thread must be locked and thrown away afterwards.
func restrictThread(exec []string) (landlockABI int, err error) {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return 0, fmt.Errorf("PR_SET_NO_NEW_PRIVS: %w", err)
	}
	return landlockRestrict(exec)
}

// landlockRestrict enforces on the calling thread a ruleset that handles
// every access right the kernel's Landlock ABI knows, allowing only reading
// and executing beneath the paths in exec. It returns the ABI version, or 0
// where Landlock is absent or disabled.
func landlockRestrict(exec []string) (int, error) {
	v, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION)
	if e != 0 {
		return 0, nil // no Landlock (ENOSYS, EOPNOTSUPP)
	}
	abi := int(v)
	attr := unix.LandlockRulesetAttr{Handled_access_fs: 0x1fff} // ABI 1: execute … make_sym
	size := unsafe.Offsetof(attr.Handled_access_net)
	if abi >= 2 {
		attr.Handled_access_fs |= unix.LANDLOCK_ACCESS_FS_REFER
	}
	if abi >= 3 {
		attr.Handled_access_fs |= unix.LANDLOCK_ACCESS_FS_TRUNCATE
	}
	if abi >= 4 {
		attr.Handled_access_net = unix.LANDLOCK_ACCESS_NET_BIND_TCP | unix.LANDLOCK_ACCESS_NET_CONNECT_TCP
		size = unsafe.Offsetof(attr.Scoped)
	}
	if abi >= 5 {
		attr.Handled_access_fs |= unix.LANDLOCK_ACCESS_FS_IOCTL_DEV
	}
	if abi >= 6 {
		attr.Scoped = unix.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | unix.LANDLOCK_SCOPE_SIGNAL
		size = unsafe.Offsetof(attr.Quiet_access_fs)
	}
	fd, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), size, 0)
	if e != 0 {
		return 0, fmt.Errorf("landlock_create_ruleset (ABI %d): %w", abi, e)
	}
	defer unix.Close(int(fd))
	for _, p := range exec {
		pfd, err := unix.Open(p, unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			continue // absent (no /lib64 on this system, say)
		}
		var st unix.Stat_t
		unix.Fstat(pfd, &st)
		allowed := uint64(unix.LANDLOCK_ACCESS_FS_READ_FILE | unix.LANDLOCK_ACCESS_FS_EXECUTE)
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			allowed |= unix.LANDLOCK_ACCESS_FS_READ_DIR
		}
		rule := unix.LandlockPathBeneathAttr{Allowed_access: allowed, Parent_fd: int32(pfd)}
		_, _, e := unix.Syscall6(unix.SYS_LANDLOCK_ADD_RULE, fd, unix.LANDLOCK_RULE_PATH_BENEATH, uintptr(unsafe.Pointer(&rule)), 0, 0, 0)
		unix.Close(pfd)
		if e != 0 {
			return 0, fmt.Errorf("landlock_add_rule %s: %w", p, e)
		}
	}
	if _, _, e := unix.Syscall(unix.SYS_LANDLOCK_RESTRICT_SELF, fd, 0, 0); e != 0 {
		return 0, fmt.Errorf("landlock_restrict_self: %w", e)
	}
	return abi, nil
}
