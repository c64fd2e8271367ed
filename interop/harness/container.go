//go:build linux

package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A Container is a root filesystem (as the lower layer of an overlay) run
// in its own mount, PID, UTS and network namespaces. Its PID 1 is a
// sleeping process; commands enter its namespaces with nsenter(1).
type Container struct {
	Name string // also its hostname
	IP   string // its address in Subnet

	lab    *Lab
	netns  string
	dir    string    // scratch: upper, work, merged
	outer  *exec.Cmd // unshare(1), parent of PID 1
	init   int       // host PID of the container's PID 1
	exited chan struct{}
}

// NewContainer starts a container named name (a hostname: letters, digits,
// dashes) on the root filesystem built from r, building it if needed.
func (l *Lab) NewContainer(ctx context.Context, name string, r Recipe) (*Container, error) {
	rootfs, err := EnsureRootfs(ctx, r, l.opts.Log)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	host := l.nextHost
	l.nextHost++
	l.mu.Unlock()
	if host > 250 {
		return nil, errors.New("harness: too many containers for one /24")
	}
	c := &Container{
		Name:   name,
		IP:     "192.0.2." + strconv.Itoa(host),
		lab:    l,
		netns:  l.tag + "-" + name,
		dir:    filepath.Join(l.work, name),
		exited: make(chan struct{}),
	}
	l.mu.Lock()
	l.containers = append(l.containers, c)
	l.mu.Unlock()
	if err := c.start(ctx, rootfs, host); err != nil {
		return nil, fmt.Errorf("harness: starting container %s: %w", name, err)
	}
	fmt.Fprintf(l.opts.Log, "harness: container %s (%s) up at %s\n", name, filepath.Base(rootfs), c.IP)
	return c, nil
}

// initScript runs as PID 1 of the new namespaces, still seeing the host's
// file system: it assembles the container's root and then chroots into it.
const initScript = `set -e
lower=$1 dir=$2 bin=$3 name=$4
m=$dir/merged
mkdir -p "$dir/upper" "$dir/work" "$m"
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/work" "$m"
mkdir -p "$m/pqssh/bin"
mount --bind "$bin" "$m/pqssh/bin"
mount -o remount,bind,ro "$m/pqssh/bin"
mount -t proc proc "$m/proc"
mount -t tmpfs -o mode=0755,size=64m tmpfs "$m/dev"
for d in null zero full random urandom tty; do
	touch "$m/dev/$d"
	mount --bind "/dev/$d" "$m/dev/$d"
done
mkdir -p "$m/dev/pts" "$m/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$m/dev/pts"
ln -s pts/ptmx "$m/dev/ptmx"
mount -t tmpfs tmpfs "$m/dev/shm"
ln -s /proc/self/fd "$m/dev/fd"
ln -s /proc/self/fd/0 "$m/dev/stdin"
ln -s /proc/self/fd/1 "$m/dev/stdout"
ln -s /proc/self/fd/2 "$m/dev/stderr"
mount -t tmpfs -o mode=0755 tmpfs "$m/run"
mkdir -m 0755 "$m/run/sshd"
mount -t tmpfs -o mode=1777 tmpfs "$m/tmp"
hostname "$name"
# "ready" only once chrooted: from then on /proc/PID/root is the container's.
exec chroot "$m" /bin/sh -c 'echo ready; exec /bin/sleep infinity'
`

func (c *Container) start(ctx context.Context, rootfs string, host int) error {
	l := c.lab
	mtu := strconv.Itoa(l.opts.MTU)
	veth := "v" + strconv.Itoa(host)
	steps := [][]string{
		{"netns", "add", c.netns},
		{"-n", l.hub, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", c.netns},
		{"-n", l.hub, "link", "set", veth, "mtu", mtu, "master", "br0", "up"},
		{"-n", c.netns, "link", "set", "lo", "up"},
		{"-n", c.netns, "link", "set", "eth0", "mtu", mtu, "up"},
		{"-n", c.netns, "addr", "add", c.IP + "/24", "dev", "eth0"},
	}
	for _, s := range steps {
		if err := run(ctx, io.Discard, "ip", s...); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}

	c.outer = exec.Command("ip", "netns", "exec", c.netns,
		"unshare", "--mount", "--pid", "--uts", "--fork", "--kill-child", "--propagation", "private",
		"/bin/sh", "-c", initScript, "init", rootfs, c.dir, l.opts.BinDir, c.Name)
	// If the test process dies, so does the container (--kill-child
	// takes PID 1 and with it the whole PID namespace).
	c.outer.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := c.outer.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	c.outer.Stderr = &stderr
	if err := c.outer.Start(); err != nil {
		return err
	}
	go func() { c.outer.Wait(); close(c.exited) }()

	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		s.Scan()
		line <- s.Text()
		io.Copy(io.Discard, stdout)
	}()
	select {
	case l := <-line:
		if l != "ready" {
			<-c.exited
			return fmt.Errorf("container init failed: %s", stderr.String())
		}
	case <-time.After(30 * time.Second):
		return fmt.Errorf("container init timed out: %s", stderr.String())
	}
	if c.init, err = findInit(c.outer.Process.Pid); err != nil {
		return err
	}
	// Files are written through /proc/PID1/root: make sure it is not the
	// host's root.
	if root, err := os.Readlink(fmt.Sprintf("/proc/%d/root", c.init)); err != nil || root == "/" {
		return fmt.Errorf("container root not in place (%q, %v)", root, err)
	}
	return nil
}

// findInit follows the chain of only children from pid down to the
// process that is PID 1 of its own PID namespace.
func findInit(pid int) (int, error) {
	for range 4 {
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return 0, err
		}
		for _, line := range strings.Split(string(st), "\n") {
			if f := strings.Fields(line); len(f) > 2 && f[0] == "NSpid:" && f[len(f)-1] == "1" {
				return pid, nil
			}
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		if err != nil {
			return 0, err
		}
		f := strings.Fields(string(b))
		if len(f) != 1 {
			return 0, fmt.Errorf("process %d has %d children, want 1", pid, len(f))
		}
		if pid, err = strconv.Atoi(f[0]); err != nil {
			return 0, err
		}
	}
	return 0, errors.New("no PID 1 of a new PID namespace below the container's unshare")
}

// close kills every process of the container (by killing its PID 1, which
// ends the PID namespace), which also drops its mount namespace and its
// mounts, then deletes its network namespace.
func (c *Container) close() error {
	var errs []error
	if c.outer != nil && c.outer.Process != nil {
		if c.init != 0 {
			syscall.Kill(c.init, syscall.SIGKILL)
		}
		c.outer.Process.Kill()
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			errs = append(errs, fmt.Errorf("harness: container %s did not exit", c.Name))
		}
	}
	if err := run(context.Background(), io.Discard, "ip", "netns", "delete", c.netns); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// NetNS is the name of the container's network namespace (for ip -n).
func (c *Container) NetNS() string { return c.netns }

// Path is the host path of path inside the container (through the
// container's PID 1, so it sees the container's mounts).
func (c *Container) Path(path string) string {
	return fmt.Sprintf("/proc/%d/root/%s", c.init, strings.TrimPrefix(path, "/"))
}

// WriteFile writes a file into the container, creating its directory.
func (c *Container) WriteFile(path string, data []byte, mode os.FileMode) error {
	p := c.Path(path)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("harness: %s: %w", c.Name, err)
	}
	if err := os.WriteFile(p, data, mode); err != nil {
		return fmt.Errorf("harness: %s: %w", c.Name, err)
	}
	// WriteFile keeps an existing file's mode.
	return os.Chmod(p, mode)
}

// ReadFile reads a file from the container.
func (c *Container) ReadFile(path string) ([]byte, error) {
	b, err := os.ReadFile(c.Path(path))
	if err != nil {
		return nil, fmt.Errorf("harness: %s: %w", c.Name, err)
	}
	return b, nil
}
