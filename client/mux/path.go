package mux

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// maxPathLen is the room in sockaddr_un's sun_path, less its NUL.
const maxPathLen = 107

// ErrExists is returned by Listen when a control socket already exists
// at the path (the caller goes on without multiplexing, as ssh does).
var ErrExists = errors.New("control socket already exists")

// CheckDir checks the directory that holds a control socket: it must be
// a directory owned by the user or root and, unless it is sticky (like
// /tmp), writable by nobody else. A socket in a directory others can
// write to could be replaced by theirs. OpenSSH applies the same rule to
// the directories above authorized_keys (safe_path in misc.c).
func CheckDir(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("ControlPath directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("ControlPath directory %s is not a directory", dir)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := uint32(os.Getuid()); st.Uid != uid && st.Uid != 0 {
		return fmt.Errorf("bad ownership of ControlPath directory %s", dir)
	}
	if fi.Mode().Perm()&0o022 != 0 && fi.Mode()&os.ModeSticky == 0 {
		return fmt.Errorf("bad modes for ControlPath directory %s (writable by group or others)", dir)
	}
	return nil
}

// Listen creates the control socket at path the way OpenSSH's
// muxserver_listen does: it binds a temporary name beside it with mode
// 0600, then links it into place, so that a client never connects to a
// socket that is not yet listening and an existing socket is never
// replaced (ErrExists).
func Listen(path string) (*net.UnixListener, error) {
	if len(path) > maxPathLen {
		return nil, fmt.Errorf("ControlPath too long ('%s' >= %d bytes)", path, maxPathLen+1)
	}
	if err := CheckDir(path); err != nil {
		return nil, err
	}
	tmp := path + "." + randomSuffix()
	if len(tmp) > maxPathLen {
		// The temporary name does not fit: bind the path directly.
		tmp = path
	}
	old := syscall.Umask(0o177)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	syscall.Umask(old)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("ControlSocket %s already exists, disabling multiplexing: %w", tmp, ErrExists)
		}
		return nil, fmt.Errorf("ControlSocket %s: %w", tmp, err)
	}
	// The listener must not remove the name it was bound to on Close:
	// after the link it is the real path's job (Master.Close).
	l.SetUnlinkOnClose(false)
	if tmp != path {
		err := os.Link(tmp, path)
		os.Remove(tmp)
		if err != nil {
			l.Close()
			if errors.Is(err, os.ErrExist) {
				return nil, fmt.Errorf("ControlSocket %s already exists, disabling multiplexing: %w", path, ErrExists)
			}
			return nil, fmt.Errorf("link mux listener %s => %s: %w", tmp, path, err)
		}
	}
	return l, nil
}

func randomSuffix() string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b [16]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b[:])
}

// peerUID returns the user ID of the process at the other end of c.
func peerUID(c *net.UnixConn) (uint32, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var cred *syscall.Ucred
	var cerr error
	err = raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if err != nil {
		return 0, err
	}
	if cerr != nil {
		return 0, cerr
	}
	return cred.Uid, nil
}

// checkPeer refuses a peer that is neither this user nor root (mux.c's
// getpeereid check, applied by both sides: the master to its clients, the
// client to the master it found at ControlPath).
func checkPeer(c *net.UnixConn) error {
	uid, err := peerUID(c)
	if err != nil {
		return fmt.Errorf("mux: peer credentials: %w", err)
	}
	if uid != 0 && uid != uint32(os.Getuid()) {
		return fmt.Errorf("mux: control socket peer uid %d is neither root nor uid %d", uid, os.Getuid())
	}
	return nil
}
