package sandbox

import (
	"encoding/binary"
	"fmt"
	"testing"

	"golang.org/x/sys/unix"
)

// runFilter interprets the classic BPF instructions the filter uses over a
// struct seccomp_data, as the kernel would, and returns the action.
func runFilter(t *testing.T, prog []unix.SockFilter, arch, nr uint32, arg0 uint64) uint32 {
	t.Helper()
	data := make([]byte, 64)
	binary.LittleEndian.PutUint32(data[offNr:], nr)
	binary.LittleEndian.PutUint32(data[offArch:], arch)
	binary.LittleEndian.PutUint64(data[offArg0Low:], arg0)
	var a uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		switch in.Code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			if in.K%4 != 0 || int(in.K)+4 > len(data) {
				t.Fatalf("pc %d: load at %d", pc, in.K)
			}
			a = binary.LittleEndian.Uint32(data[in.K:])
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K, unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
			var cond bool
			switch in.Code & 0xf0 {
			case unix.BPF_JEQ:
				cond = a == in.K
			case unix.BPF_JGE:
				cond = a >= in.K
			case unix.BPF_JSET:
				cond = a&in.K != 0
			}
			if cond {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case unix.BPF_RET | unix.BPF_K:
			return in.K
		default:
			t.Fatalf("pc %d: opcode %#x the interpreter does not know", pc, in.Code)
		}
	}
	t.Fatal("the program ran off its end")
	return 0
}

func actionName(a uint32) string {
	switch {
	case a == unix.SECCOMP_RET_ALLOW:
		return "allow"
	case a == unix.SECCOMP_RET_KILL_PROCESS:
		return "kill"
	case a&unix.SECCOMP_RET_ACTION_FULL == unix.SECCOMP_RET_ERRNO:
		return unix.ErrnoName(unix.Errno(a & unix.SECCOMP_RET_DATA))
	}
	return fmt.Sprintf("%#x", a)
}

// TestFilterDecisions runs the filter's program over system calls and
// checks each decision: the architecture check, the deny-list, the
// argument checks of socket and clone, and that the calls the Go runtime
// makes pass.
func TestFilterDecisions(t *testing.T) {
	const self = 4242
	prog := seccompFilter(self)
	if len(prog) > 4096 {
		t.Fatalf("%d instructions exceed BPF_MAXINSNS", len(prog))
	}
	goThread := uint64(unix.CLONE_VM | unix.CLONE_FS | unix.CLONE_FILES | unix.CLONE_SIGHAND | unix.CLONE_SYSVSEM | unix.CLONE_THREAD)
	cases := []struct {
		name string
		arch uint32
		nr   uint32
		arg0 uint64
		want string
	}{
		{"read", auditArch, unix.SYS_READ, 0, "allow"},
		{"mmap", auditArch, unix.SYS_MMAP, 0, "allow"},
		{"futex", auditArch, unix.SYS_FUTEX, 0, "allow"},
		{"getrandom", auditArch, unix.SYS_GETRANDOM, 0, "allow"},
		{"recvmsg", auditArch, unix.SYS_RECVMSG, 0, "allow"},
		{"sendmsg", auditArch, unix.SYS_SENDMSG, 0, "allow"},
		{"accept4", auditArch, unix.SYS_ACCEPT4, 0, "allow"},
		{"openat", auditArch, unix.SYS_OPENAT, 0, "allow"},
		{"execve", auditArch, unix.SYS_EXECVE, 0, "EPERM"},
		{"execveat", auditArch, unix.SYS_EXECVEAT, 0, "EPERM"},
		{"ptrace", auditArch, unix.SYS_PTRACE, 0, "EPERM"},
		{"setresuid", auditArch, unix.SYS_SETRESUID, 0, "EPERM"},
		{"chroot", auditArch, unix.SYS_CHROOT, 0, "EPERM"},
		{"io_uring_setup", auditArch, unix.SYS_IO_URING_SETUP, 0, "EPERM"},
		{"bpf", auditArch, unix.SYS_BPF, 0, "EPERM"},
		{"unshare", auditArch, unix.SYS_UNSHARE, 0, "EPERM"},
		{"socket AF_UNIX", auditArch, unix.SYS_SOCKET, unix.AF_UNIX, "allow"},
		{"socket AF_INET", auditArch, unix.SYS_SOCKET, unix.AF_INET, "EPERM"},
		{"socket AF_INET6", auditArch, unix.SYS_SOCKET, unix.AF_INET6, "EPERM"},
		{"socket AF_NETLINK", auditArch, unix.SYS_SOCKET, unix.AF_NETLINK, "EPERM"},
		// The kernel reads an int: high bits of the register do not matter.
		{"socket AF_UNIX high bits", auditArch, unix.SYS_SOCKET, 1<<32 | unix.AF_UNIX, "allow"},
		{"socket AF_INET high bits", auditArch, unix.SYS_SOCKET, 1<<32 | unix.AF_INET, "EPERM"},
		{"socketpair AF_UNIX", auditArch, unix.SYS_SOCKETPAIR, unix.AF_UNIX, "allow"},
		{"socketpair AF_INET", auditArch, unix.SYS_SOCKETPAIR, unix.AF_INET, "EPERM"},
		{"clone thread", auditArch, unix.SYS_CLONE, goThread, "allow"},
		{"clone fork", auditArch, unix.SYS_CLONE, uint64(unix.SIGCHLD), "allow"},
		{"clone new user ns", auditArch, unix.SYS_CLONE, uint64(unix.SIGCHLD | unix.CLONE_NEWUSER), "EPERM"},
		{"clone new net ns", auditArch, unix.SYS_CLONE, goThread | unix.CLONE_NEWNET, "EPERM"},
		{"clone3", auditArch, unix.SYS_CLONE3, 0, "ENOSYS"},
		// Signals and settings of this process only: the other network
		// processes run as the same user.
		{"kill self", auditArch, unix.SYS_KILL, self, "allow"},
		{"kill another process", auditArch, unix.SYS_KILL, self + 1, "EPERM"},
		{"kill -1 (every process of the user)", auditArch, unix.SYS_KILL, 0xffffffff, "EPERM"},
		{"kill 0 (the process group)", auditArch, unix.SYS_KILL, 0, "EPERM"},
		{"kill self, high bits set (the kernel reads a pid_t)", auditArch, unix.SYS_KILL, 1<<32 | self, "allow"},
		{"tgkill self", auditArch, unix.SYS_TGKILL, self, "allow"},
		{"tgkill another process", auditArch, unix.SYS_TGKILL, 1, "EPERM"},
		{"tkill", auditArch, unix.SYS_TKILL, self, "EPERM"},
		{"rt_sigqueueinfo another process", auditArch, unix.SYS_RT_SIGQUEUEINFO, 77, "EPERM"},
		{"rt_tgsigqueueinfo another process", auditArch, unix.SYS_RT_TGSIGQUEUEINFO, 77, "EPERM"},
		{"pidfd_open another process", auditArch, unix.SYS_PIDFD_OPEN, 77, "EPERM"},
		{"pidfd_open self", auditArch, unix.SYS_PIDFD_OPEN, self, "allow"},
		{"prlimit64 self (0)", auditArch, unix.SYS_PRLIMIT64, 0, "allow"},
		{"prlimit64 self", auditArch, unix.SYS_PRLIMIT64, self, "allow"},
		{"prlimit64 another process", auditArch, unix.SYS_PRLIMIT64, 77, "EPERM"},
		{"sched_setaffinity another process", auditArch, unix.SYS_SCHED_SETAFFINITY, 77, "EPERM"},
		{"sched_setaffinity self", auditArch, unix.SYS_SCHED_SETAFFINITY, 0, "allow"},
		{"setpriority", auditArch, unix.SYS_SETPRIORITY, 0, "EPERM"},
		{"foreign architecture", unix.AUDIT_ARCH_I386, unix.SYS_READ, 0, "kill"},
		{"foreign architecture arm", unix.AUDIT_ARCH_ARM, unix.SYS_READ, 0, "kill"},
	}
	if foreignSyscallBit != 0 {
		cases = append(cases, struct {
			name string
			arch uint32
			nr   uint32
			arg0 uint64
			want string
		}{"x32 read", auditArch, foreignSyscallBit | unix.SYS_READ, 0, "kill"})
	}
	for _, c := range cases {
		if got := actionName(runFilter(t, prog, c.arch, c.nr, c.arg0)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	for _, nr := range deniedSyscalls {
		if got := actionName(runFilter(t, prog, auditArch, nr, 0)); got != "EPERM" {
			t.Errorf("denied syscall %d: %s, want EPERM", nr, got)
		}
	}
}
