package sandbox

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The seccomp filter is a deny-list: it allows every system call except
// those named here. An allow-list would have to name every call the Go
// runtime, its garbage collector, its netpoller and the packages a
// confined process links may make, on every architecture, and a new Go
// release that starts using another call (it happened with clone3,
// pidfd_open, rseq, madvise flags and others) would kill the process in
// production. A deny-list stays correct across Go releases: what it
// removes is what a confined process never needs and an attacker who
// controls it wants — running programs, reaching other processes (their
// memory, signals to them), changing identity or the file-system view,
// opening network sockets, and the kernel's larger attack surfaces (BPF,
// perf, io_uring, keyrings, userfaultfd, modules).
//
// Denied calls fail with EPERM (clone3 with ENOSYS, so that a C library
// falls back to clone, whose flags the filter can read); the process goes
// on and logs the error. A call made under another architecture's
// numbering (a 32-bit int 0x80 on amd64, the x32 ABI) kills the process:
// the numbers below would not mean the same calls.

// Offsets in struct seccomp_data (little-endian on amd64 and arm64).
const (
	offNr      = 0
	offArch    = 4
	offArg0Low = 16
)

// namespaceCloneFlags are clone's flags that make new namespaces: a
// confined process makes threads and nothing else.
const namespaceCloneFlags = unix.CLONE_NEWNS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWUTS |
	unix.CLONE_NEWIPC | unix.CLONE_NEWUSER | unix.CLONE_NEWPID | unix.CLONE_NEWNET

// deniedSyscalls are refused with EPERM on every architecture.
var deniedSyscalls = []uint32{
	// Running programs.
	unix.SYS_EXECVE, unix.SYS_EXECVEAT,
	// Other processes' memory and descriptors.
	unix.SYS_PTRACE, unix.SYS_PROCESS_VM_READV, unix.SYS_PROCESS_VM_WRITEV,
	unix.SYS_KCMP, unix.SYS_PIDFD_GETFD,
	// The file-system view.
	unix.SYS_OPEN_BY_HANDLE_AT, unix.SYS_NAME_TO_HANDLE_AT,
	unix.SYS_MOUNT, unix.SYS_UMOUNT2, unix.SYS_PIVOT_ROOT, unix.SYS_CHROOT,
	unix.SYS_FSOPEN, unix.SYS_FSCONFIG, unix.SYS_FSMOUNT, unix.SYS_FSPICK,
	unix.SYS_MOVE_MOUNT, unix.SYS_OPEN_TREE, unix.SYS_MOUNT_SETATTR,
	// Identity.
	unix.SYS_SETUID, unix.SYS_SETGID, unix.SYS_SETREUID, unix.SYS_SETREGID,
	unix.SYS_SETRESUID, unix.SYS_SETRESGID, unix.SYS_SETFSUID, unix.SYS_SETFSGID,
	unix.SYS_SETGROUPS, unix.SYS_CAPSET,
	// Namespaces.
	unix.SYS_UNSHARE, unix.SYS_SETNS,
	// Large kernel attack surfaces.
	unix.SYS_BPF, unix.SYS_PERF_EVENT_OPEN, unix.SYS_USERFAULTFD,
	unix.SYS_IO_URING_SETUP, unix.SYS_IO_URING_ENTER, unix.SYS_IO_URING_REGISTER,
	unix.SYS_KEYCTL, unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY,
	// The machine.
	unix.SYS_KEXEC_LOAD, unix.SYS_KEXEC_FILE_LOAD,
	unix.SYS_INIT_MODULE, unix.SYS_FINIT_MODULE, unix.SYS_DELETE_MODULE,
	unix.SYS_REBOOT, unix.SYS_SWAPON, unix.SYS_SWAPOFF, unix.SYS_ACCT,
	unix.SYS_QUOTACTL, unix.SYS_SETHOSTNAME, unix.SYS_SETDOMAINNAME,
	unix.SYS_SETTIMEOFDAY, unix.SYS_CLOCK_SETTIME, unix.SYS_CLOCK_ADJTIME, unix.SYS_ADJTIMEX,
	// Other processes: every network process runs as the same
	// privilege-separation user, so the kernel would let one signal,
	// renice or re-limit the others (those relaying other users' logged-in
	// connections too). tkill names a thread of any process; Go uses
	// tgkill. See selfSyscalls for the calls that take a process ID.
	unix.SYS_TKILL, unix.SYS_SETPRIORITY, unix.SYS_IOPRIO_SET,
}

// selfSyscalls are allowed only on the calling process: their first
// argument (a pid_t, whose low word the kernel reads) must be its process
// ID, or 0 (itself) where zeroIsSelf. kill(0) and kill(-1) signal a
// process group and every process the caller may signal: refused.
var selfSyscalls = []struct {
	nr         uint32
	zeroIsSelf bool
}{
	{unix.SYS_KILL, false},
	{unix.SYS_TGKILL, false},
	{unix.SYS_RT_SIGQUEUEINFO, false},
	{unix.SYS_RT_TGSIGQUEUEINFO, false},
	{unix.SYS_PIDFD_OPEN, false},
	{unix.SYS_PRLIMIT64, true},
	{unix.SYS_SCHED_SETAFFINITY, true},
	{unix.SYS_SCHED_SETSCHEDULER, true},
	{unix.SYS_SCHED_SETPARAM, true},
	{unix.SYS_SCHED_SETATTR, true},
}

// seccompFilter returns the filter's classic BPF program for the process
// whose ID is self.
func seccompFilter(self uint32) []unix.SockFilter {
	var p []unix.SockFilter
	stmt := func(code uint16, k uint32) {
		p = append(p, unix.SockFilter{Code: code, K: k})
	}
	jump := func(code uint16, k uint32, jt, jf uint8) {
		p = append(p, unix.SockFilter{Code: code, Jt: jt, Jf: jf, K: k})
	}
	const (
		load  = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq   = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		jge   = unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K
		jset  = unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K
		ret   = unix.BPF_RET | unix.BPF_K
		kill  = unix.SECCOMP_RET_KILL_PROCESS
		allow = unix.SECCOMP_RET_ALLOW
		eperm = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	)
	stmt(load, offArch)
	jump(jeq, auditArch, 1, 0)
	stmt(ret, kill)
	stmt(load, offNr)
	if foreignSyscallBit != 0 {
		jump(jge, foreignSyscallBit, 0, 1)
		stmt(ret, kill)
	}
	for _, nr := range slices.Concat(deniedSyscalls, archDeniedSyscalls) {
		jump(jeq, nr, 0, 1)
		stmt(ret, eperm)
	}
	for _, sc := range selfSyscalls {
		if sc.zeroIsSelf {
			jump(jeq, sc.nr, 0, 5)
			stmt(load, offArg0Low)
			jump(jeq, self, 2, 0)
			jump(jeq, 0, 1, 0)
		} else {
			jump(jeq, sc.nr, 0, 4)
			stmt(load, offArg0Low)
			jump(jeq, self, 1, 0)
		}
		stmt(ret, eperm)
		stmt(ret, allow)
	}
	jump(jeq, unix.SYS_CLONE3, 0, 1)
	stmt(ret, unix.SECCOMP_RET_ERRNO|uint32(unix.ENOSYS))
	// clone: threads yes, namespaces no.
	jump(jeq, unix.SYS_CLONE, 0, 4)
	stmt(load, offArg0Low)
	jump(jset, namespaceCloneFlags, 0, 1)
	stmt(ret, eperm)
	stmt(ret, allow)
	// socket and socketpair: AF_UNIX only (the int argument is the low
	// word of args[0]).
	for _, nr := range []uint32{unix.SYS_SOCKET, unix.SYS_SOCKETPAIR} {
		jump(jeq, nr, 0, 4)
		stmt(load, offArg0Low)
		jump(jeq, unix.AF_UNIX, 1, 0)
		stmt(ret, eperm)
		stmt(ret, allow)
	}
	stmt(ret, allow)
	return p
}

// Seccomp installs the filter on every thread of the process
// (SECCOMP_FILTER_FLAG_TSYNC, which also gives every thread
// no-new-privileges). It cannot be undone; the process's children inherit
// it. Call it after Confine: the filter denies chroot and set*id.
func Seccomp() error {
	if auditArch == 0 {
		return errors.New("seccomp: no filter for " + runtime.GOARCH)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// The kernel requires no-new-privileges (or CAP_SYS_ADMIN) on the
	// thread that installs a filter.
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("PR_SET_NO_NEW_PRIVS: %w", err)
	}
	prog := seccompFilter(uint32(unix.Getpid()))
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	r, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if e != 0 {
		return fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER): %w", e)
	}
	if r != 0 {
		return fmt.Errorf("seccomp: thread %d could not be synchronized", r)
	}
	return nil
}
