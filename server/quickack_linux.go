package server

import "syscall"

const quickAckSupported = true

// setQuickAck sets TCP_QUICKACK on fd, which also sends an acknowledgement
// the kernel was holding back (tcp(7)). The flag does not stay set, hence
// a call after every read. Errors are ignored: the connection works
// without it, only slower.
func setQuickAck(fd uintptr) {
	syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
}
