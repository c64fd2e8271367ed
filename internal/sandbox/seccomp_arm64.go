package sandbox

import "golang.org/x/sys/unix"

// auditArch is the architecture word a system call made with this
// architecture's numbering carries (32-bit ARM tasks carry AUDIT_ARCH_ARM).
const auditArch = unix.AUDIT_ARCH_AARCH64

// foreignSyscallBit is 0: arm64 has no second numbering under its own
// architecture word.
const foreignSyscallBit = 0

// archDeniedSyscalls are denied on arm64 only.
var archDeniedSyscalls = []uint32{}
