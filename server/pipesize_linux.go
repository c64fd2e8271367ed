package server

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// outputPipeSize is the capacity pqsshd asks for on the pipe a session's
// command writes its standard output into (Linux's default is 64 KiB, the
// largest an unprivileged process may set is fs.pipe-max-size, 1 MiB by
// default). A command that writes faster than the client takes its output
// (head, cat, tar) then has up to this much waiting, and each read of
// pipeBuffer bytes becomes one 256 KiB packet instead of four of at most
// 64 KiB.
const outputPipeSize = 1 << 20

// growPipe asks for outputPipeSize on r's pipe; a refusal (a lower
// fs.pipe-max-size, the per-user pipe quota) leaves the pipe as it was.
func growPipe(r io.Reader) {
	f, ok := r.(*os.File)
	if !ok {
		return
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		unix.FcntlInt(fd, unix.F_SETPIPE_SZ, outputPipeSize)
	})
}
