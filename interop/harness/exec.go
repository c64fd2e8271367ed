//go:build linux

package harness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// containerEnv is the whole environment of commands run in a container.
var containerEnv = []string{
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/pqssh/bin",
	"HOME=/root", "USER=root", "LOGNAME=root", "LANG=C.UTF-8", "TERM=xterm",
}

// wrapper reports the command's PID on fd 3 before becoming the command,
// so the harness knows it is running and can kill exactly it.
const wrapper = `echo $$ >&3; exec 3>&-; exec "$@"`

// command prepares argv to run inside the container's namespaces and root.
func (c *Container) command(argv []string) *exec.Cmd {
	args := append([]string{"-t", strconv.Itoa(c.init), "-m", "-u", "-p", "-n", "-r", "-w", "--",
		"/bin/sh", "-c", wrapper, "sh"}, argv...)
	cmd := exec.Command("nsenter", args...)
	cmd.Env = containerEnv
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// started starts cmd and returns the host PID of the process running argv
// in the container (nsenter's child), or 0 if it already finished.
func started(cmd *exec.Cmd) (int, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	cmd.ExtraFiles = []*os.File{w}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return 0, err
	}
	// One line, not EOF: nsenter keeps its copy of the pipe open.
	if line, _ := bufio.NewReader(r).ReadString('\n'); strings.TrimSpace(line) == "" {
		return 0, errors.New("command did not start")
	}
	f, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", cmd.Process.Pid, cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	switch kids := strings.Fields(string(f)); len(kids) {
	case 0:
		return 0, nil // reaped already
	case 1:
		return strconv.Atoi(kids[0])
	default:
		return 0, fmt.Errorf("nsenter has %d children, want 1", len(kids))
	}
}

// Exec describes one command run to completion in a container.
type Exec struct {
	Args   []string
	Stdin  io.Reader // nil: empty
	Stdout io.Writer // nil: collected into Result.Stdout
}

// Result is how a command ended.
type Result struct {
	Stdout   []byte // unless Exec.Stdout was set
	Stderr   string
	ExitCode int // -1 if killed by a signal
}

// Run runs a command in the container and waits for it. A non-zero exit
// status is not an error; failing to run, or ctx ending first, is (and the
// command is killed).
func (c *Container) Run(ctx context.Context, x Exec) (*Result, error) {
	cmd := c.command(x.Args)
	var stdout, stderr bytes.Buffer
	cmd.Stdin = x.Stdin
	cmd.Stdout = x.Stdout
	if x.Stdout == nil {
		cmd.Stdout = &stdout
	}
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	pid, err := started(cmd)
	if err != nil {
		if cmd.Process != nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		return nil, fmt.Errorf("harness: %s: starting %q: %w", c.Name, x.Args, err)
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			if pid != 0 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		case <-done:
		}
	}()
	err = cmd.Wait()
	close(done)
	res := &Result{Stdout: stdout.Bytes(), Stderr: stderr.String(), ExitCode: cmd.ProcessState.ExitCode()}
	if ctx.Err() != nil {
		return res, fmt.Errorf("harness: %s: %q: %w (stderr: %s)", c.Name, x.Args, ctx.Err(), tail(res.Stderr))
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return res, fmt.Errorf("harness: %s: %q: %w", c.Name, x.Args, err)
	}
	return res, nil
}

// Sh runs a shell script in the container and returns its standard output;
// a non-zero exit status is an error carrying the standard error.
func (c *Container) Sh(ctx context.Context, script string) (string, error) {
	res, err := c.Run(ctx, Exec{Args: []string{"/bin/sh", "-ec", script}})
	if err != nil {
		return "", err
	}
	if res.ExitCode != 0 {
		return "", fmt.Errorf("harness: %s: script exited %d: %s\n%s", c.Name, res.ExitCode, tail(res.Stderr), script)
	}
	return string(res.Stdout), nil
}

// A Process is a long-running command in a container (a server).
type Process struct {
	Name string
	pid  int // host PID
	cmd  *exec.Cmd
	out  syncBuffer
	done chan struct{}
}

// Start starts a long-running command; its standard output and error are
// collected together (see Output). It lives until Stop or the container
// is torn down.
func (c *Container) Start(name string, argv ...string) (*Process, error) {
	p := &Process{Name: name, cmd: c.command(argv), done: make(chan struct{})}
	p.cmd.Stdout = &p.out
	p.cmd.Stderr = &p.out
	pid, err := started(p.cmd)
	if err != nil {
		if p.cmd.Process != nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
		return nil, fmt.Errorf("harness: %s: starting %s %q: %w", c.Name, name, argv, err)
	}
	p.pid = pid
	go func() { p.cmd.Wait(); close(p.done) }()
	return p, nil
}

// CPUTime is the processor time (user and system) the process and its
// waited-for children have used so far, from /proc/PID/stat.
func (p *Process) CPUTime() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
	if err != nil {
		return 0, fmt.Errorf("harness: %s: %w", p.Name, err)
	}
	// Fields after the parenthesised command name; utime, stime, cutime
	// and cstime are fields 14-17 of proc(5), in clock ticks (USER_HZ,
	// 100 on Linux).
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 15 {
		return 0, fmt.Errorf("harness: %s: short /proc/%d/stat", p.Name, p.pid)
	}
	var ticks int64
	for _, v := range f[11:15] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("harness: %s: /proc/%d/stat: %w", p.Name, p.pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// Output is everything the process wrote so far.
func (p *Process) Output() string { return p.out.String() }

// Exited is closed when the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.done }

// Stop sends SIGTERM, then SIGKILL if the process is still there after
// two seconds, and waits for it.
func (p *Process) Stop() {
	if p.pid == 0 {
		<-p.done
		return
	}
	syscall.Kill(p.pid, syscall.SIGTERM)
	select {
	case <-p.done:
		return
	case <-time.After(2 * time.Second):
	}
	syscall.Kill(p.pid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
	}
}

// WaitListening waits until something in the container listens on TCP
// port (read from the container's /proc/net/tcp), failing early if p
// exits first.
func (c *Container) WaitListening(ctx context.Context, p *Process, port int) error {
	want := fmt.Sprintf(":%04X ", port)
	for {
		for _, f := range []string{"tcp", "tcp6"} {
			// The host's view of PID 1's files shows its network namespace.
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", c.init, f))
			for _, line := range strings.Split(string(b), "\n") {
				// sl local_address rem_address st ...; st 0A is LISTEN
				if fs := strings.Fields(line); len(fs) > 3 && strings.HasSuffix(fs[1]+" ", want) && fs[3] == "0A" {
					return nil
				}
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("harness: %s: %s exited before listening on %d: %s", c.Name, p.Name, port, tail(p.Output()))
		case <-ctx.Done():
			return fmt.Errorf("harness: %s: %s not listening on %d: %w: %s", c.Name, p.Name, port, ctx.Err(), tail(p.Output()))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// tail shortens s to its last few lines for error messages.
func tail(s string) string {
	const max = 3000
	if len(s) > max {
		return "…" + s[len(s)-max:]
	}
	return s
}
