package server

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"github.com/creack/pty"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"
)

// ptyRequest handles "pty-req" (RFC 4254 section 6.2). Refused when the
// key has no-pty (or restrict) or PermitTTY is off.
func (ss *session) ptyRequest(payload []byte) bool {
	var m struct {
		Term          string
		Cols, Rows    uint32
		Width, Height uint32
		Modes         string
	}
	if err := gossh.Unmarshal(payload, &m); err != nil {
		return false
	}
	if ss.info.opts.NoPTY || !ss.cfg.PermitTTY {
		ss.log.Info("pty request refused", "reason", map[bool]string{true: "no-pty", false: "PermitTTY no"}[ss.info.opts.NoPTY])
		return false
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.started || ss.pty != nil {
		return false
	}
	pt, err := ss.openPTY()
	if err != nil {
		ss.log.Info("pty allocation failed", "err", err)
		return false
	}
	pt.term = m.Term
	setWinsize(pt.ptmx, m.Cols, m.Rows, m.Width, m.Height)
	applyModes(pt.tty, []byte(m.Modes))
	ss.pty = pt
	return true
}

// windowChange handles "window-change" (RFC 4254 section 6.7).
func (ss *session) windowChange(payload []byte) bool {
	var m struct{ Cols, Rows, Width, Height uint32 }
	if err := gossh.Unmarshal(payload, &m); err != nil {
		return false
	}
	ss.mu.Lock()
	pt := ss.pty
	ss.mu.Unlock()
	if pt == nil {
		return false
	}
	return setWinsize(pt.ptmx, m.Cols, m.Rows, m.Width, m.Height) == nil
}

// openPTY allocates a pseudo-terminal whose master is non-blocking (so that
// reads can time out) and, when serving other users, whose slave belongs
// to the user (group tty, mode 0620), as sshd does.
func (ss *session) openPTY() (*ptyState, error) {
	m, t, err := pty.Open()
	if err != nil {
		return nil, err
	}
	// Duplicated close-on-exec atomically: a session starting at the same
	// time must not inherit this master.
	fd, err := unix.FcntlInt(m.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	m.Close()
	if err != nil {
		t.Close()
		return nil, fmt.Errorf("duplicating the pty master: %w", err)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		t.Close()
		return nil, err
	}
	pt := &ptyState{ptmx: os.NewFile(uintptr(fd), "/dev/ptmx"), tty: t, name: t.Name()}
	ss.s.mu.RLock()
	self := ss.s.self
	ss.s.mu.RUnlock()
	if self == nil {
		gid := ss.info.acct.GID
		if g, err := user.LookupGroup("tty"); err == nil {
			if n, err := strconv.Atoi(g.Gid); err == nil {
				gid = n
			}
		}
		os.Chown(pt.name, ss.info.acct.UID, gid)
		os.Chmod(pt.name, 0o620)
	}
	return pt, nil
}
