package main

import (
	"os"
	"syscall"

	"github.com/pqssh/pqssh/internal/sandbox"
	"github.com/pqssh/pqssh/server"
)

// A session process separates privileges (server/privsep.go): it starts
// a network process, argv[0] server.NetArg0, which confines itself and
// runs the connection's transport and authentication protocol.

// isNetProcess reports whether this process is a network process.
func isNetProcess() bool {
	return len(os.Args) > 0 && os.Args[0] == server.NetArg0 && os.Getenv(server.NetProcessEnv) == "1"
}

// netMain is a network process: it reads the configuration as its
// session process did (the same arguments), then serves the connection at
// server.NetConnFD until the client authenticated and the connection ended.
func netMain() {
	os.Unsetenv(server.NetProcessEnv)
	for _, fd := range []int{server.NetConnFD, server.NetControlFD, server.NetMonitorFD, server.NetKeyFD} {
		syscall.CloseOnExec(fd)
	}
	conn := os.NewFile(server.NetConnFD, "pqsshd-connection")
	ctl := os.NewFile(server.NetControlFD, "pqsshd-control")
	mon := os.NewFile(server.NetMonitorFD, "pqsshd-monitor")
	keys := os.NewFile(server.NetKeyFD, "pqsshd-monitor-keys")
	closeInheritedFDs()
	cfg, logger := childConfig("pqsshd-auth")
	srv, err := server.NewNetProcess(cfg, logger)
	if err != nil {
		logger.Error("network process cannot start", "err", err)
		os.Exit(1)
	}
	// As root: chroot to the empty /run/sshd as the privilege-separation
	// user; always: the seccomp filter (no new privileges came from the
	// session process, which forked this process from a thread with them).
	opts, err := sandbox.PrivsepOptions()
	if err != nil {
		logger.Error("network process cannot confine itself", "err", err)
		os.Exit(1)
	}
	confine := func() error { return sandbox.Enter(opts) }
	if err := srv.ServeNetProcess(conn, ctl, mon, keys, confine); err != nil {
		logger.Error("network process", "err", err)
		os.Exit(1)
	}
	os.Exit(0)
}
