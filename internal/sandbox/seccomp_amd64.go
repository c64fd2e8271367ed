package sandbox

import "golang.org/x/sys/unix"

// auditArch is the architecture word a system call made with this
// architecture's numbering carries.
const auditArch = unix.AUDIT_ARCH_X86_64

// foreignSyscallBit marks x32 system calls, which carry AUDIT_ARCH_X86_64
// too but are numbered differently.
const foreignSyscallBit = 0x40000000

// archDeniedSyscalls are denied on amd64 only (arm64 has no such calls).
var archDeniedSyscalls = []uint32{unix.SYS_IOPL, unix.SYS_IOPERM, unix.SYS_USELIB}
