package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Without -D, pqsshd does everything that can fail at start-up (reading
// the configuration, loading or generating the host keys, binding the
// listening sockets) in the process that was started, so that an error
// reaches its standard error and its exit status. Only then does it start
// its detached copy, passing it the bound sockets, and wait until the copy
// reports that it serves (or exits): the command's exit status says
// whether the server runs, as sshd's does.
//
// daemonFDsEnv tells the detached copy what it was passed: the value is
// the number of listening sockets, which follow the readiness pipe at
// descriptor 3 (so from 4). The copy writes "READY=1\n" to the pipe and
// closes it once it serves; until then its standard error is a pipe the
// starting process copies to its own.
const daemonFDsEnv = "PQSSHD_DAEMON_FDS"

// daemonReadyFD is the readiness pipe's descriptor in the detached copy.
const daemonReadyFD = 3

// detachWait bounds how long the starting process waits for the detached
// copy to report that it serves.
const detachWait = 60 * time.Second

// daemonFDRange is the range of listening sockets the detaching pqsshd
// passed to this process (n is 0 when it passed none), and whether the
// readiness pipe is present.
func daemonFDRange() (first, n int, ok bool) {
	v := os.Getenv(daemonFDsEnv)
	if v == "" {
		return 0, 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1024 {
		return 0, 0, false
	}
	return daemonReadyFD + 1, n, true
}

// daemonListeners returns the sockets passed by the detaching pqsshd, if
// this process is its detached copy.
func daemonListeners() ([]net.Listener, error) {
	first, n, ok := daemonFDRange()
	if !ok {
		return nil, nil
	}
	os.Unsetenv(daemonFDsEnv)
	var out []net.Listener
	for fd := first; fd < first+n; fd++ {
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

// daemonReady is called by the detached copy once it serves: standard
// error goes to /dev/null (the starting process stops copying it and
// exits) and the readiness pipe gets READY=1. A process that is not a
// detached copy does nothing.
func daemonReady(readyFile *os.File) error {
	if readyFile == nil {
		return nil
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("detach: %w", err)
	}
	defer devnull.Close()
	if err := unix.Dup3(int(devnull.Fd()), 2, 0); err != nil {
		return fmt.Errorf("detach: standard error to /dev/null: %w", err)
	}
	_, err = io.WriteString(readyFile, "READY=1\n")
	if cerr := readyFile.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("detach: readiness pipe: %w", err)
	}
	return nil
}

// daemonReadyFile returns the readiness pipe if this process is a
// detached copy (nil otherwise), marked close-on-exec so that no session
// inherits it.
func daemonReadyFile() *os.File {
	if _, _, ok := daemonFDRange(); !ok {
		return nil
	}
	syscall.CloseOnExec(daemonReadyFD)
	return os.NewFile(daemonReadyFD, "pqsshd-ready")
}

// detach starts pqsshd again in the foreground (-D), in a new session
// with standard input and output on /dev/null, passing it listeners, and
// waits until it reports that it serves. Whatever the copy writes to
// standard error before that is copied to ours. An error means the
// detached server is not running.
func detach(listeners []net.Listener) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("detach: %w", err)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("detach: %w", err)
	}
	defer devnull.Close()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("detach: %w", err)
	}
	defer readyR.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		readyW.Close()
		return fmt.Errorf("detach: %w", err)
	}
	defer errR.Close()
	files := []*os.File{readyW}
	defer func() {
		for _, f := range files {
			f.Close()
		}
		errW.Close()
	}()
	for _, l := range listeners {
		fl, ok := l.(interface{ File() (*os.File, error) })
		if !ok {
			return fmt.Errorf("detach: cannot pass listener %s", l.Addr())
		}
		f, err := fl.File()
		if err != nil {
			return fmt.Errorf("detach: listener %s: %w", l.Addr(), err)
		}
		files = append(files, f)
	}
	cmd := exec.Command(self, append([]string{"-D"}, os.Args[1:]...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, errW
	cmd.ExtraFiles = files
	cmd.Env = append(os.Environ(), daemonFDsEnv+"="+strconv.Itoa(len(listeners)))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("detach: %w", err)
	}
	// Our copies of the pipe ends and sockets go now, so that the pipes
	// reach end-of-file when the copy closes or exits.
	for _, f := range files {
		f.Close()
	}
	files = nil
	errW.Close()
	copied := make(chan struct{})
	go func() {
		io.Copy(os.Stderr, errR)
		close(copied)
	}()
	status := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(readyR, 64))
		status <- string(b)
	}()
	select {
	case s := <-status:
		if strings.Contains(s, "READY=1") {
			select {
			case <-copied:
			case <-time.After(2 * time.Second):
			}
			return cmd.Process.Release()
		}
		werr := cmd.Wait()
		<-copied
		if werr == nil {
			werr = errors.New("exited")
		}
		return fmt.Errorf("the detached server stopped before it was ready: %w", werr)
	case <-time.After(detachWait):
		return fmt.Errorf("the detached server (pid %d) did not report that it serves within %v", cmd.Process.Pid, detachWait)
	}
}
