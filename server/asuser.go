package server

import (
	"fmt"
	"runtime"
	"syscall"
	"unsafe"
)

// asUser runs fn with the file-system identity of a (fsuid, fsgid and
// supplementary groups) on a dedicated OS thread, so that opening and
// reading the user's files (authorized_keys, ~/.ssh/environment) is
// checked as the user. It is for file access only: a socket made this way
// would still carry root's credentials (SO_PEERCRED, the TCP socket
// owner), so forwarding sockets are opened by a process running as the
// user instead (usersockets.go). Linux credentials
// are per thread at the system-call level; the thread is never handed
// back to the Go scheduler (it exits with the goroutine), so no other
// goroutine ever runs with the changed identity. In unprivileged mode fn
// simply runs.
func (s *Server) asUser(a *account, fn func() error) error {
	s.mu.RLock()
	self := s.self
	s.mu.RUnlock()
	if self != nil || a.UID == 0 {
		return fn()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with this goroutine
		groups := make([]uint32, 0, len(a.Groups))
		for _, g := range a.Groups {
			groups = append(groups, uint32(g))
		}
		var gp unsafe.Pointer
		if len(groups) > 0 {
			gp = unsafe.Pointer(&groups[0])
		}
		if _, _, e := syscall.RawSyscall(syscall.SYS_SETGROUPS, uintptr(len(groups)), uintptr(gp), 0); e != 0 {
			errc <- fmt.Errorf("setgroups: %w", e)
			return
		}
		syscall.RawSyscall(syscall.SYS_SETFSGID, uintptr(a.GID), 0, 0)
		syscall.RawSyscall(syscall.SYS_SETFSUID, uintptr(a.UID), 0, 0)
		// setfsuid returns the previous value; check the change took.
		if prev, _, _ := syscall.RawSyscall(syscall.SYS_SETFSUID, ^uintptr(0), 0, 0); int(prev) != a.UID {
			errc <- fmt.Errorf("setfsuid %d failed", a.UID)
			return
		}
		errc <- fn()
	}()
	return <-errc
}
