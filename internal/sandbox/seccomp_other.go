//go:build !amd64 && !arm64

package sandbox

// auditArch 0: Seccomp refuses to run on an architecture it has no
// numbering for.
const auditArch = 0

const foreignSyscallBit = 0

var archDeniedSyscalls = []uint32{}
