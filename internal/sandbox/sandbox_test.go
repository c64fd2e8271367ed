package sandbox

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// taskStatus returns a field of /proc/pid/task/tid/status.
func taskStatus(t *testing.T, pid int, tid, field string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/status", pid, tid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s in task %s's status", field, tid)
	return ""
}

// TestConfinedChild starts a child as a network process would be started
// (StartConfined, then Enter in the child) and checks that the filter
// refuses execve, socket(AF_INET), ptrace, unshare, setuid, io_uring and
// signals to other processes (kill(-1), kill of the parent) with EPERM
// (clone3 with ENOSYS), that AF_UNIX sockets, goroutines,
// channels, timers and reading an inherited descriptor still work, and
// that every thread of the child (including those started after Enter)
// has the filter and no new privileges. Run as root, the child is also
// chrooted to ChrootDir as the privilege-separation user.
func TestConfinedChild(t *testing.T) {
	opts, err := PrivsepOptions()
	if err != nil {
		t.Fatal(err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(exe, strconv.Itoa(opts.UID), strconv.Itoa(opts.GID), opts.Chroot)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.ExtraFiles = []*os.File{pr}
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	exeDir, _ := filepath.EvalSymlinks(exe)
	abi, err := StartConfined(cmd, append([]string{exeDir}, LoaderPaths...))
	pr.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	fmt.Fprintln(pw, "hello from the parent")
	var r childReport
	if err := json.NewDecoder(bufio.NewReader(out)).Decode(&r); err != nil {
		t.Fatalf("child report: %v (stderr %q)", err, stderr.String())
	}
	if r.EnterErr != "" {
		t.Fatalf("Enter: %s", r.EnterErr)
	}
	for name, got := range map[string]string{
		"execve": r.Exec, "os/exec": r.ExecCmd, "socket(AF_INET)": r.SocketInet,
		"socket(AF_INET6)": r.SocketInet6, "ptrace": r.Ptrace, "unshare": r.Unshare,
		"setuid": r.Setuid, "io_uring_setup": r.IOURing,
		"kill(parent, 0)": r.KillParent, "kill(-1, 0)": r.KillAll, "prlimit(parent)": r.PrlimitParent,
	} {
		if got != "EPERM" {
			t.Errorf("%s under the filter: %q, want EPERM", name, got)
		}
	}
	if r.KillSelf != "" || r.PrlimitSelf != "" {
		t.Errorf("kill(self, 0) %q, prlimit(0) %q: want both to work", r.KillSelf, r.PrlimitSelf)
	}
	if r.Clone3 != "ENOSYS" {
		t.Errorf("clone3 under the filter: %q, want ENOSYS", r.Clone3)
	}
	if r.SocketUnix != "" || r.Socketpair != "" {
		t.Errorf("AF_UNIX socket %q, socketpair %q: want both to work", r.SocketUnix, r.Socketpair)
	}
	if r.Goroutines != 64 || !r.TimerFired || r.FromParent != "hello from the parent\n" {
		t.Errorf("Go work under the filter: %d goroutines, timer %v, read %q", r.Goroutines, r.TimerFired, r.FromParent)
	}
	pid := cmd.Process.Pid
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) < 2 {
		t.Errorf("child has %d threads: the test meant to have several", len(tasks))
	}
	for _, task := range tasks {
		if v := taskStatus(t, pid, task.Name(), "Seccomp"); v != "2" {
			t.Errorf("thread %s: Seccomp %s, want 2 (filter)", task.Name(), v)
		}
		if v := taskStatus(t, pid, task.Name(), "NoNewPrivs"); v != "1" {
			t.Errorf("thread %s: NoNewPrivs %s, want 1", task.Name(), v)
		}
	}
	root, _ := os.Readlink(fmt.Sprintf("/proc/%d/root", pid))
	if os.Geteuid() == 0 {
		if r.UID != opts.UID || root != ChrootDir {
			t.Errorf("root's confined child: uid %d root %q, want %d in %s", r.UID, root, opts.UID, ChrootDir)
		}
	} else if r.UID != os.Getuid() || root != "/" {
		t.Errorf("unprivileged confined child: uid %d root %q", r.UID, root)
	}
	t.Logf("child %d: %d threads under the filter, uid %d, root %s, Landlock ABI %d", pid, len(tasks), r.UID, root, abi)
	fmt.Fprintln(pw, "done")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v (stderr %q)", err, stderr.String())
	}
}

// TestLandlockDeniesFiles: a process started by StartConfined may execute
// its program but open no other file, where the kernel has Landlock.
func TestLandlockDeniesFiles(t *testing.T) {
	cat, err := exec.LookPath("cat")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cat, "/etc/passwd")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	abi, err := StartConfined(cmd, append([]string{cat}, LoaderPaths...))
	if err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if abi == 0 {
		t.Logf("this kernel has no Landlock: only no-new-privileges applies (cat: %v)", err)
		if err != nil {
			t.Fatalf("without Landlock cat should work: %v %s", err, stderr.String())
		}
		return
	}
	if err == nil || !strings.Contains(stderr.String(), "ermission denied") {
		t.Fatalf("Landlock ABI %d: cat /etc/passwd: %v %q, want permission denied", abi, err, stderr.String())
	}
}
