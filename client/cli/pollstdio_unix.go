//go:build unix

package cli

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// pollStdio gives the session's bulk copies pollable files for the
// process's standard input and output when they are pipes or sockets.
//
// Go's os.Stdin and os.Stdout use blocking read(2) and write(2). When the
// other end of a pipe is slow (a reader taking small chunks, a full pipe),
// each write blocks its thread in the kernel; the runtime's monitor then
// hands the thread's processor to another thread and stays awake polling,
// which costs pqssh more CPU per byte than the copy itself. As ssh(1)
// does, the descriptor is switched to non-blocking mode for the session so
// that a full pipe parks the goroutine in the network poller instead, and
// switched back when the session ends (restore).
//
// The flag belongs to the open file description, which other descriptors
// and processes may share: a descriptor is converted only when it is a
// pipe or socket that neither of the other two standard descriptors
// refers to (2>&1 into the same pipe, a socket as both stdin and stdout
// keep blocking I/O, so that pqssh's own error messages and reads are
// never refused with EAGAIN). Terminals and regular files are left alone.
func pollStdio(in io.Reader, out io.Writer) (r io.Reader, w io.Writer, restore func()) {
	r, w = in, out
	var undo []func()
	restore = func() {
		for _, u := range undo {
			u()
		}
	}
	if f, ok := in.(*os.File); ok {
		if pf, u := pollable(f); pf != nil {
			r = pf
			undo = append(undo, u)
		}
	}
	if f, ok := out.(*os.File); ok {
		if pf, u := pollable(f); pf != nil {
			w = pf
			undo = append(undo, u)
		}
	}
	return r, w, restore
}

// pollable returns a non-blocking duplicate of f's descriptor registered
// with the runtime's poller, and the function that closes it and clears
// the non-blocking flag again; nil when f is not a pipe or socket of its
// own (see pollStdio).
func pollable(f *os.File) (*os.File, func()) {
	fd := -1
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, nil
	}
	// Control, unlike Fd, leaves the descriptor's mode as it is.
	if rc.Control(func(d uintptr) { fd = int(d) }) != nil || fd < 0 {
		return nil, nil
	}
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil {
		return nil, nil
	}
	if kind := st.Mode & unix.S_IFMT; kind != unix.S_IFIFO && kind != unix.S_IFSOCK {
		return nil, nil
	}
	for other := 0; other <= 2; other++ {
		var o unix.Stat_t
		if other != fd && unix.Fstat(other, &o) == nil && o.Dev == st.Dev && o.Ino == st.Ino {
			return nil, nil
		}
	}
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return nil, nil
	}
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, nil
	}
	if flags&unix.O_NONBLOCK == 0 {
		if unix.SetNonblock(dup, true) != nil {
			unix.Close(dup)
			return nil, nil
		}
	}
	// A non-blocking descriptor is registered with the poller.
	pf := os.NewFile(uintptr(dup), f.Name())
	return pf, func() {
		pf.Close()
		if flags&unix.O_NONBLOCK == 0 {
			unix.SetNonblock(fd, false)
		}
	}
}
