package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// LoaderPaths are where a dynamically linked executable's loader and
// libraries live: a confined child may read and execute beneath them.
var LoaderPaths = []string{"/lib", "/lib64", "/usr/lib", "/usr/lib64", "/etc/ld.so.cache"}

// RestrictThread gives the calling OS thread no-new-privileges and a
// Landlock domain that allows nothing but reading and executing the files
// beneath the paths in exec (LandlockRestrict); a process it forks
// inherits both, on every thread it will have. The thread must be locked
// and thrown away afterwards.
func RestrictThread(exec []string) (landlockABI int, err error) {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return 0, fmt.Errorf("PR_SET_NO_NEW_PRIVS: %w", err)
	}
	return LandlockRestrict(exec)
}

// StartConfined starts cmd from a locked OS thread that first restricts
// itself (RestrictThread with allowed), so that the child inherits the
// restrictions; the thread is thrown away afterwards. It returns the
// Landlock ABI the child runs under (0: the kernel has none). Standard
// descriptors cmd leaves nil are /dev/null, opened before the thread may
// no longer open files.
func StartConfined(cmd *exec.Cmd, allowed []string) (int, error) {
	type result struct {
		abi int
		err error
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer devnull.Close()
	if cmd.Stdin == nil {
		cmd.Stdin = devnull
	}
	if cmd.Stdout == nil {
		cmd.Stdout = devnull
	}
	if cmd.Stderr == nil {
		cmd.Stderr = devnull
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: the restricted thread ends with the goroutine.
		abi, err := RestrictThread(allowed)
		if err == nil {
			err = cmd.Start()
		}
		done <- result{abi, err}
	}()
	r := <-done
	return r.abi, r.err
}

// LandlockRestrict enforces on the calling thread a ruleset that handles
// every access right the kernel's Landlock ABI knows, allowing only reading
// and executing beneath the paths in exec (paths that do not exist are
// skipped). TCP bind and connect are denied (ABI 4), abstract Unix sockets
// and signals scoped to the domain (ABI 6). It returns the ABI version, or
// 0 where Landlock is absent or disabled.
func LandlockRestrict(exec []string) (int, error) {
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
	fd, err := createRuleset(&attr, size, abi)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
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
		_, _, e := unix.Syscall6(unix.SYS_LANDLOCK_ADD_RULE, uintptr(fd), unix.LANDLOCK_RULE_PATH_BENEATH, uintptr(unsafe.Pointer(&rule)), 0, 0, 0)
		unix.Close(pfd)
		if e != 0 {
			return 0, fmt.Errorf("landlock_add_rule %s: %w", p, e)
		}
	}
	if _, _, e := unix.Syscall(unix.SYS_LANDLOCK_RESTRICT_SELF, uintptr(fd), 0, 0); e != 0 {
		return 0, fmt.Errorf("landlock_restrict_self: %w", e)
	}
	return abi, nil
}

// ScopeThread enforces on the calling thread, and so on the processes it
// starts, a Landlock domain that restricts no file access but scopes
// abstract Unix sockets and signals to the domain (ABI 6) and denies TCP
// bind and connect (ABI 4): for a process that must still read files
// before it confines itself (a network process reads the configuration),
// where LandlockRestrict would be too strict. Such a process reaches no
// abstract socket of the host's services (they are not in the file
// system, so chroot does not hide them) and signals no process outside
// its domain. It returns the ABI version, or 0 where Landlock is absent
// or too old to scope anything.
func ScopeThread() (int, error) {
	v, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION)
	if e != 0 || v < 4 {
		return 0, nil
	}
	abi := int(v)
	attr := unix.LandlockRulesetAttr{Handled_access_net: unix.LANDLOCK_ACCESS_NET_BIND_TCP | unix.LANDLOCK_ACCESS_NET_CONNECT_TCP}
	size := unsafe.Offsetof(attr.Scoped)
	fd, err := createRuleset(&attr, size, abi)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	if _, _, e := unix.Syscall(unix.SYS_LANDLOCK_RESTRICT_SELF, uintptr(fd), 0, 0); e != 0 {
		return 0, fmt.Errorf("landlock_restrict_self: %w", e)
	}
	return abi, nil
}

// createRuleset creates the ruleset attr (of size bytes, as the ABI before
// 6 knows it), with abstract Unix sockets and signals scoped to the
// domain where the kernel's ABI has scopes (6).
func createRuleset(attr *unix.LandlockRulesetAttr, size uintptr, abi int) (int, error) {
	if abi >= 6 {
		attr.Scoped = unix.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | unix.LANDLOCK_SCOPE_SIGNAL
		size = unsafe.Offsetof(attr.Quiet_access_fs)
	}
	fd, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(attr)), size, 0)
	if e != 0 {
		return -1, fmt.Errorf("landlock_create_ruleset (ABI %d): %w", abi, e)
	}
	return int(fd), nil
}
