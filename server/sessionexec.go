package server

// A session program that must start with the resource limits of its PAM
// session (pam_limits) is started through a re-executed pqsshd, still
// root, that sets the limits (raising a hard limit needs root), then
// enters ChrootDirectory, drops to the user and executes the program: Go's
// os/exec cannot set resource limits in the child, and setting them on
// pqsshd itself would apply them to every other user's sessions.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

const (
	sessionExecArg0 = "pqsshd-session-exec"
	sessionExecEnv  = "PQSSHD_SESSION_EXEC"
)

// sessionExecSpec is what the re-executed pqsshd does before exec.
type sessionExecSpec struct {
	Limits map[int][2]uint64
	Chroot string
	Cred   *syscall.Credential
	Dir    string
	Path   string
	Args   []string
}

// withLimits returns cmd started through the limits-setting pqsshd. It
// takes over cmd's Chroot and Credential; other attributes stay.
func withLimits(cmd *exec.Cmd, helper string, limits map[int][2]uint64) (*exec.Cmd, error) {
	if helper == "" {
		return nil, fmt.Errorf("cannot find the pqsshd executable to apply the PAM session's limits")
	}
	spec := sessionExecSpec{Limits: limits, Dir: cmd.Dir, Path: cmd.Path, Args: cmd.Args}
	attr := &syscall.SysProcAttr{}
	if cmd.SysProcAttr != nil {
		*attr = *cmd.SysProcAttr
		spec.Chroot, spec.Cred = attr.Chroot, attr.Credential
		attr.Chroot, attr.Credential = "", nil
	}
	data, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	w := exec.Command(helper)
	w.Args = []string{sessionExecArg0}
	// It starts as root: the user's variables must not reach it as they
	// are (rootenv.go).
	w.Env = wrapUserEnv(cmd.Env, sessionExecEnv+"="+string(data))
	w.Dir = "/"
	w.SysProcAttr = attr
	return w, nil
}

// runSessionExec is the re-executed pqsshd (RunInternal).
func runSessionExec() {
	data := os.Getenv(sessionExecEnv)
	if data == "" || len(os.Args) == 0 || os.Args[0] != sessionExecArg0 {
		return
	}
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "pqsshd:", err)
		os.Exit(254)
	}
	var spec sessionExecSpec
	if err := json.Unmarshal([]byte(data), &spec); err != nil {
		fail(err)
	}
	for r, l := range spec.Limits {
		if err := syscall.Setrlimit(r, &syscall.Rlimit{Cur: l[0], Max: l[1]}); err != nil {
			fail(fmt.Errorf("setting resource limit %d: %w", r, err))
		}
	}
	if spec.Chroot != "" {
		if err := syscall.Chroot(spec.Chroot); err != nil {
			fail(err)
		}
		if err := os.Chdir("/"); err != nil {
			fail(err)
		}
	}
	if c := spec.Cred; c != nil {
		groups := make([]int, len(c.Groups))
		for i, g := range c.Groups {
			groups[i] = int(g)
		}
		if err := syscall.Setgroups(groups); err != nil {
			fail(err)
		}
		if err := syscall.Setgid(int(c.Gid)); err != nil {
			fail(err)
		}
		if err := syscall.Setuid(int(c.Uid)); err != nil {
			fail(err)
		}
	}
	if spec.Dir == "" || os.Chdir(spec.Dir) != nil {
		os.Chdir("/")
	}
	fail(syscall.Exec(spec.Path, spec.Args, unwrapUserEnv()))
}
