package mux

import (
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// stdio is a standard stream a client passed to the master. It is made
// non-blocking so that the master can stop reading it when the session
// ends (Go's poller then interrupts the read); its blocking mode is
// restored on Close, because the descriptor is shared with the client's
// terminal or pipe (OpenSSH's CHANNEL_NONBLOCK_STDIO does the same).
type stdio struct {
	*os.File
	restore bool
	once    sync.Once
}

func adopt(fd int) *stdio {
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	blocking := err == nil && fl&unix.O_NONBLOCK == 0
	if blocking {
		unix.SetNonblock(fd, true)
	}
	return &stdio{File: os.NewFile(uintptr(fd), "mux-stdio"), restore: blocking}
}

// Close restores the descriptor's blocking mode and closes it.
func (s *stdio) Close() error {
	var err error
	s.once.Do(func() {
		if s.restore {
			if rc, e := s.File.SyscallConn(); e == nil {
				rc.Control(func(fd uintptr) { unix.SetNonblock(int(fd), false) })
			}
		}
		err = s.File.Close()
	})
	return err
}

// winsize returns the terminal size of s (columns, rows), or false.
func (s *stdio) winsize() (int, int, bool) {
	rc, err := s.File.SyscallConn()
	if err != nil {
		return 0, 0, false
	}
	var ws *unix.Winsize
	var werr error
	if rc.Control(func(fd uintptr) { ws, werr = unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ) }) != nil || werr != nil {
		return 0, 0, false
	}
	return int(ws.Col), int(ws.Row), true
}
