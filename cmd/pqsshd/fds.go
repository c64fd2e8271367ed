package main

import (
	"os"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"
)

// closeInheritedFDs closes every descriptor above standard error that
// pqsshd inherited, as sshd does at start-up (closefrom), so that nothing
// its parent left open reaches the detached daemon or user sessions. The
// sockets systemd passes (LISTEN_FDS, for this process by LISTEN_PID) are
// kept for the listeners, and so are the listening sockets a listener
// re-executed on SIGHUP was passed (procmodel.go), and the readiness pipe and sockets a
// detaching pqsshd passes to its detached copy (daemon.go).
//
// Inherited descriptors are the ones without close-on-exec: they survived
// the exec that started pqsshd. Everything the Go runtime and pqsshd open
// is close-on-exec (the runtime may already hold descriptors, such as its
// epoll instance, before main runs), so those are left alone. Call it at
// the top of main, before anything could clear close-on-exec.
func closeInheritedFDs() {
	first, n := systemdFDRange()
	dfirst, dn, detached := daemonFDRange()
	passed := reexecFDs()
	for _, fd := range openFDs() {
		if fd <= 2 || n > 0 && fd >= first && fd < first+n || slices.Contains(passed, fd) {
			continue
		}
		if detached && (fd == daemonReadyFD || fd >= dfirst && fd < dfirst+dn) {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			continue
		}
		unix.Close(fd)
	}
}

// systemdFDRange is the range of descriptors systemd passed to this
// process (sd_listen_fds(3)): LISTEN_FDS descriptors from 3, when
// LISTEN_PID is our pid; n is 0 otherwise.
func systemdFDRange() (first, n int) {
	pid, err := strconv.Atoi(os.Getenv("LISTEN_PID"))
	if err != nil || pid != os.Getpid() {
		return 3, 0
	}
	n, err = strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if err != nil || n <= 0 {
		return 3, 0
	}
	return 3, n
}

// openFDs lists the process's open descriptors from /proc/self/fd or,
// without /proc, every number below the descriptor limit.
func openFDs() []int {
	var fds []int
	if entries, err := os.ReadDir("/proc/self/fd"); err == nil {
		for _, e := range entries {
			if fd, err := strconv.Atoi(e.Name()); err == nil {
				fds = append(fds, fd)
			}
		}
		return fds
	}
	var lim unix.Rlimit
	max := 1024
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil && lim.Cur > 0 {
		max = int(min(lim.Cur, 1<<20))
	}
	for fd := 0; fd < max; fd++ {
		fds = append(fds, fd)
	}
	return fds
}
