package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/pqssh/pqssh/internal/connprocs"
	"github.com/pqssh/pqssh/server"
	"github.com/pqssh/pqssh/server/config"
)

// The listener hands every connection to a session process (the same
// executable, argv[0] server.SessionArg0) and re-executes itself on
// SIGHUP; see docs/architecture.md, "Process model".

// Environment of a listener re-executed on SIGHUP: the descriptors of its
// listening sockets, and the session processes it started (which it still
// parents and must reap).
const (
	reexecListenFDsEnv = "PQSSHD_LISTEN_FDS"
	reexecSessionsEnv  = "PQSSHD_SESSION_PIDS"
)

// isSessionProcess reports whether this process is a session process.
func isSessionProcess() bool {
	return len(os.Args) > 0 && os.Args[0] == server.SessionArg0 && os.Getenv(server.SessionProcessEnv) == "1"
}

// sessionMain is a session process: it reads the configuration as the
// listener does (the same arguments), then serves the connection at
// server.SessionConnFD and exits.
func sessionMain() {
	os.Unsetenv(server.SessionProcessEnv)
	syscall.CloseOnExec(server.SessionConnFD)
	syscall.CloseOnExec(server.SessionControlFD)
	conn := os.NewFile(server.SessionConnFD, "pqsshd-connection")
	ctl := os.NewFile(server.SessionControlFD, "pqsshd-control")
	closeInheritedFDs()
	cfg, logger := childConfig("pqsshd session")
	// One connection's packets, on one processor, as sshd-session serves
	// them (internal/connprocs says why); the key exchanges run in the
	// network process, which keeps every processor.
	connprocs.Limit()
	logger.Debug("session process", "gomaxprocs", runtime.GOMAXPROCS(0))
	srv, err := server.NewSessionProcess(cfg, logger)
	if err != nil {
		logger.Error("session process cannot start", "err", err)
		os.Exit(1)
	}
	if err := srv.ServeSessionProcess(conn, ctl); err != nil {
		logger.Error("session process", "err", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// childConfig is what a per-connection process (session or network
// process) starts from: the configuration read with the listener's
// arguments, and the logger it asks for. An error ends the process,
// prefixed with who.
func childConfig(who string) (*config.Config, *slog.Logger) {
	f, err := parseFlags(os.Args[1:])
	if err == nil {
		var cfg *config.Config
		if cfg, err = loadConfig(f); err == nil {
			level := new(slog.LevelVar)
			level.Set(slogLevel(cfg.LogLevel))
			logger, _ := newLogger(f, cfg, level)
			return cfg, logger
		}
	}
	fmt.Fprintln(os.Stderr, who+":", err)
	os.Exit(1)
	return nil, nil
}

// sessionEnv is the environment of a session process: the listener's,
// without what was meant for the listener only.
func sessionEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "NOTIFY_SOCKET", daemonFDsEnv, reexecListenFDsEnv, reexecSessionsEnv:
			continue
		}
		out = append(out, kv)
	}
	return out
}

// reexec replaces the listener with a fresh image of the executable, with
// the same arguments (so the configuration is read again), passing it the
// listening sockets and the list of session processes. It returns only on
// failure.
func reexec(listeners []net.Listener, sessions []int) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("re-exec: %w", err)
	}
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	var fds []string
	for _, l := range listeners {
		fl, ok := l.(interface{ File() (*os.File, error) })
		if !ok {
			return fmt.Errorf("re-exec: cannot pass listener %s", l.Addr())
		}
		f, err := fl.File()
		if err != nil {
			return fmt.Errorf("re-exec: listener %s: %w", l.Addr(), err)
		}
		files = append(files, f)
		if _, err := unix.FcntlInt(f.Fd(), unix.F_SETFD, 0); err != nil {
			return fmt.Errorf("re-exec: listener %s: %w", l.Addr(), err)
		}
		fds = append(fds, strconv.Itoa(int(f.Fd())))
	}
	var pids []string
	for _, p := range sessions {
		pids = append(pids, strconv.Itoa(p))
	}
	env := append(sessionEnv(), reexecListenFDsEnv+"="+strings.Join(fds, ","), reexecSessionsEnv+"="+strings.Join(pids, ","))
	if notifySocket != "" {
		env = append(env, "NOTIFY_SOCKET="+notifySocket)
	}
	err = syscall.Exec(exe, os.Args, env)
	return fmt.Errorf("re-exec %s: %w", exe, err)
}

// reexecFDs returns the listening sockets' descriptors a re-executed
// listener was passed.
func reexecFDs() []int {
	var out []int
	for _, s := range strings.Split(os.Getenv(reexecListenFDsEnv), ",") {
		if fd, err := strconv.Atoi(s); err == nil && fd > 2 {
			out = append(out, fd)
		}
	}
	return out
}

// reexecListeners returns the listening sockets passed to a re-executed
// listener (none otherwise).
func reexecListeners() ([]net.Listener, error) {
	fds := reexecFDs()
	os.Unsetenv(reexecListenFDsEnv)
	var out []net.Listener
	for _, fd := range fds {
		syscall.CloseOnExec(fd)
		file := os.NewFile(uintptr(fd), "pqsshd-listener-"+strconv.Itoa(fd))
		l, err := net.FileListener(file)
		file.Close()
		if err != nil {
			return nil, fmt.Errorf("listening socket passed at descriptor %d: %w", fd, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// inheritedSessions returns the session processes a re-executed listener
// was passed.
func inheritedSessions() []int {
	var out []int
	for _, s := range strings.Split(os.Getenv(reexecSessionsEnv), ",") {
		if pid, err := strconv.Atoi(s); err == nil && pid > 1 {
			out = append(out, pid)
		}
	}
	os.Unsetenv(reexecSessionsEnv)
	return out
}
