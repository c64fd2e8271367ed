package mux

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// sendFD passes f over c as OpenSSH's mm_send_fd does: one byte of data
// carrying one SCM_RIGHTS descriptor, one message per descriptor.
func sendFD(c *net.UnixConn, f *os.File) error {
	rights := syscall.UnixRights(int(f.Fd()))
	n, oobn, err := c.WriteMsgUnix([]byte{0}, rights, nil)
	if err != nil {
		return fmt.Errorf("mux: sending descriptor: %w", err)
	}
	if n != 1 || oobn != len(rights) {
		return errors.New("mux: sending descriptor: short write")
	}
	return nil
}

// recvFD receives one descriptor sent by sendFD (or mm_send_fd). Any
// further descriptors that arrive in the same message are closed: the
// socket is local input and must not make the master hold descriptors it
// did not ask for.
func recvFD(c *net.UnixConn) (int, error) {
	var buf [1]byte
	// Room for a few descriptors, so that extra ones are received (and
	// closed) rather than truncated and leaked by the kernel's MSG_CTRUNC.
	oob := make([]byte, syscall.CmsgSpace(4*8))
	n, oobn, flags, _, err := c.ReadMsgUnix(buf[:], oob)
	if err != nil {
		return -1, fmt.Errorf("mux: receiving descriptor: %w", err)
	}
	var fds []int
	if oobn > 0 {
		msgs, perr := syscall.ParseSocketControlMessage(oob[:oobn])
		if perr != nil {
			return -1, fmt.Errorf("mux: receiving descriptor: %w", perr)
		}
		for _, m := range msgs {
			rs, err := syscall.ParseUnixRights(&m)
			if err == nil {
				fds = append(fds, rs...)
			}
		}
	}
	if n != 1 || len(fds) != 1 || flags&syscall.MSG_CTRUNC != 0 {
		for _, fd := range fds {
			syscall.Close(fd)
		}
		return -1, errors.New("mux: expected one descriptor in a one-byte message")
	}
	syscall.CloseOnExec(fds[0])
	return fds[0], nil
}
