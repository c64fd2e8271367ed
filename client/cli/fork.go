package cli

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
)

// forkEnv names the inherited descriptor a backgrounded pqssh reports
// "authenticated" on.
const forkEnv = "PQSSH_FORK_FD"

// forkParent implements -f (ForkAfterAuthentication) without fork(2): it
// runs pqssh again with the same arguments and waits until the child has
// authenticated (and set up its forwardings), then returns 0 while the
// child goes on in the background. If the child fails first, its exit
// status is returned.
func forkParent(env *Env) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: -f: %v\n", env.Prog, err)
		return exitError
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: -f: %v\n", env.Prog, err)
		return exitError
	}
	cmd := exec.Command(exe, env.Args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{pw}
	cmd.Env = append(os.Environ(), forkEnv+"=3")
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(env.Stderr, "%s: -f: %v\n", env.Prog, err)
		return exitError
	}
	pw.Close()
	var b [1]byte
	if n, _ := io.ReadFull(pr, b[:]); n == 1 {
		cmd.Process.Release()
		return 0
	}
	if err := cmd.Wait(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		return exitError
	}
	return 0
}

// forkChildReady is called by the background child once it is
// authenticated: it tells the parent to exit, leaves the terminal's
// session and stops reading stdin (-f implies -n).
func forkChildReady(env *Env) {
	f := os.NewFile(3, "pqssh-fork")
	if f == nil {
		return
	}
	f.Write([]byte{1})
	f.Close()
	syscall.Setsid()
	if null, err := os.Open(os.DevNull); err == nil {
		env.Stdin = null
	}
}
