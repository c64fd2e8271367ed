package sandbox

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// childEnv makes the test binary run confinedChild instead of the tests.
const childEnv = "PQSSH_SANDBOX_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(confinedChild())
	}
	os.Exit(m.Run())
}

// childReport is what confinedChild found, sent to the test as JSON.
type childReport struct {
	EnterErr string
	// Errors of calls the filter must refuse ("" if one succeeded).
	Exec, ExecCmd, SocketInet, SocketInet6, Ptrace, Unshare, Setuid, IOURing, Clone3 string
	// Signals (0: the check alone) to the parent and to every process
	// of the user, and a limit of the parent.
	KillParent, KillAll, PrlimitParent string
	// Signals and limits of itself, which must still work.
	KillSelf, PrlimitSelf string
	// Errors of calls that must still work.
	SocketUnix, Socketpair string
	// Go work under the filter.
	Goroutines int
	TimerFired bool
	FromParent string
	UID        int
	Threads    int
}

func errName(err error) string {
	if err == nil {
		return ""
	}
	var e unix.Errno
	if errors.As(err, &e) {
		return unix.ErrnoName(e)
	}
	return err.Error()
}

// confinedChild enters the sandbox as a network process would and tries
// what the filter denies and what it must still allow, then reports, then
// waits for its inherited descriptor's end-of-file so that the test can
// look at its threads.
func confinedChild() int {
	var r childReport
	uid, _ := strconv.Atoi(os.Args[1])
	gid, _ := strconv.Atoi(os.Args[2])
	if err := Enter(Options{Chroot: os.Args[3], UID: uid, GID: gid}); err != nil {
		r.EnterErr = err.Error()
		json.NewEncoder(os.Stdout).Encode(r)
		return 1
	}
	r.UID = os.Getuid()
	r.Exec = errName(unix.Exec("/bin/true", []string{"true"}, nil))
	r.KillParent = errName(unix.Kill(os.Getppid(), 0))
	r.KillAll = errName(unix.Kill(-1, 0))
	r.KillSelf = errName(unix.Kill(os.Getpid(), 0))
	var lim unix.Rlimit
	r.PrlimitParent = errName(unix.Prlimit(os.Getppid(), unix.RLIMIT_NOFILE, nil, &lim))
	r.PrlimitSelf = errName(unix.Prlimit(0, unix.RLIMIT_NOFILE, nil, &lim))
	// Standard descriptors given, so that os/exec need not open /dev/null
	// (the chroot has none).
	cmd := &exec.Cmd{Path: "/bin/true", Stdin: os.Stderr, Stdout: os.Stderr, Stderr: os.Stderr}
	if err := cmd.Run(); err != nil {
		r.ExecCmd = errName(err)
	}
	try := func(fd int, err error) string {
		if err == nil {
			unix.Close(fd)
		}
		return errName(err)
	}
	r.SocketInet = try(unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0))
	r.SocketInet6 = try(unix.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0))
	r.SocketUnix = try(unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0))
	if fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0); err != nil {
		r.Socketpair = errName(err)
	} else {
		unix.Close(fds[0])
		unix.Close(fds[1])
	}
	r.Ptrace = errName(unix.PtraceAttach(os.Getppid()))
	r.Unshare = errName(unix.Unshare(unix.CLONE_NEWUSER))
	r.Setuid = errName(unix.Setuid(12345))
	_, _, e := unix.Syscall(unix.SYS_IO_URING_SETUP, 1, 0, 0)
	r.IOURing = errName(e)
	_, _, e = unix.Syscall(unix.SYS_CLONE3, 0, 0, 0)
	r.Clone3 = errName(e)

	// Goroutines, channels, a timer and locked threads (which make the
	// runtime start new OS threads after the filter).
	var wg sync.WaitGroup
	results := make(chan int, 64)
	release := make(chan struct{})
	for i := range 64 {
		wg.Go(func() {
			if i%8 == 0 {
				runtime.LockOSThread()
				<-release
			}
			results <- i * i
		})
	}
	timer := time.NewTimer(10 * time.Millisecond)
	<-timer.C
	r.TimerFired = true
	close(release)
	wg.Wait()
	close(results)
	for range results {
		r.Goroutines++
	}
	runtime.GC()
	in := bufio.NewReader(os.NewFile(3, "from-parent"))
	line, err := in.ReadString('\n')
	if err != nil {
		r.FromParent = "read: " + err.Error()
	} else {
		r.FromParent = line
	}
	entries, _ := os.ReadDir("/proc/self/task")
	r.Threads = len(entries)
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		return 1
	}
	// Wait for the parent to be done looking at our threads.
	in.ReadString('\n')
	fmt.Fprintln(os.Stderr, "confined child done")
	return 0
}
