package server

// pam_systemd and the user's programs. Debian's common-session runs
// pam_systemd, which registers the process calling pam_open_session with
// logind as the session's leader; logind moves it into the session's
// scope (user.slice/user-UID.slice/session-N.scope). With sshd that
// process is the parent of the user's shell, which inherits the scope.
// pqsshd's PAM session runs in a process of its own (pamsession.go), so it
// reports the cgroup it ended up in, and the session process starts each
// of the user's programs directly in that cgroup (clone3 with
// CLONE_INTO_CGROUP): loginctl, logind's KillUserProcesses and the
// session's resource controls then see them as sshd's. Nothing changes
// when no module moved the PAM process (its cgroup is the session
// process's own).

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// cgroupOf returns the cgroup v2 path of process pid ("self" for this
// one): the "0::" line of /proc/PID/cgroup, "" without one.
func cgroupOf(pid string) string {
	b, err := os.ReadFile("/proc/" + pid + "/cgroup")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(l, "0::"); ok {
			return p
		}
	}
	return ""
}

// cgroup2Mount returns where the cgroup v2 hierarchy is mounted
// (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid system), from
// /proc/self/mountinfo; only a mount of the hierarchy's root counts.
func cgroup2Mount() (string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE OPTIONS
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if ok && len(f) >= 5 && len(g) >= 1 && g[0] == "cgroup2" && f[3] == "/" {
			return f[4], nil
		}
	}
	return "", errors.New("no cgroup v2 hierarchy is mounted")
}

// sessionCgroupFD opens the cgroup the PAM session process reported, for
// CLONE_INTO_CGROUP, or returns -1 when the user's programs stay where the
// session process is (no cgroup reported, or the same).
func sessionCgroupFD(path string) (int, error) {
	if path == "" || path == cgroupOf("self") {
		return -1, nil
	}
	if !strings.HasPrefix(path, "/") || filepath.Clean(path) != path {
		return -1, fmt.Errorf("PAM session cgroup %q is not a clean absolute path", path)
	}
	root, err := cgroup2Mount()
	if err != nil {
		return -1, err
	}
	fd, err := unix.Open(filepath.Join(root, path), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("PAM session cgroup: %w", err)
	}
	return fd, nil
}

// startInCgroup makes cmd start in the PAM session's cgroup when it has
// one of its own; the returned function closes what it opened (after
// cmd started).
func (p *pamSession) startInCgroup(cmd *exec.Cmd) (done func(), err error) {
	fd, err := sessionCgroupFD(p.reply.Cgroup)
	if err != nil || fd < 0 {
		return func() {}, err
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.UseCgroupFD = true
	cmd.SysProcAttr.CgroupFD = fd
	return func() { unix.Close(fd) }, nil
}
