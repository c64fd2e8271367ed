//go:build interop && linux

package harness_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	"github.com/pqssh/pqssh/interop/peers"
)

// TestLab checks what the interop tests rely on: the MTU, the read-only
// bin/ mount, hostnames and PID namespaces, reachability between
// containers and nothing beyond, and a teardown that leaves nothing.
func TestLab(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("interop tests need root (they build containers)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "marker"), []byte("from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lab, err := harness.NewLab(ctx, harness.Options{BinDir: bin, MTU: 1280})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			lab.Close()
		}
	}()
	a, err := lab.NewContainer(ctx, "alpha", peers.Trixie)
	if err != nil {
		t.Fatal(err)
	}
	b, err := lab.NewContainer(ctx, "beta", peers.Trixie)
	if err != nil {
		t.Fatal(err)
	}

	link, err := exec.Command("ip", "-n", a.NetNS(), "-o", "link", "show", "eth0").CombinedOutput()
	if err != nil || !strings.Contains(string(link), "mtu 1280") {
		t.Errorf("eth0 of alpha: %s (%v), want mtu 1280", link, err)
	}
	sh := func(c *harness.Container, script string) string {
		t.Helper()
		out, err := c.Sh(ctx, script)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(out)
	}
	if got := sh(a, "cat /pqssh/bin/marker"); got != "from the host" {
		t.Errorf("/pqssh/bin/marker = %q", got)
	}
	if got := sh(a, "touch /pqssh/bin/x 2>&1 && echo writable || echo read-only"); !strings.HasSuffix(got, "read-only") {
		t.Errorf("/pqssh/bin is not read-only: %q", got)
	}
	if got := sh(b, "uname -n"); got != "beta" {
		t.Errorf("hostname %q, want beta", got)
	}
	if got := sh(a, "tr '\\0' ' ' < /proc/1/cmdline"); got != "/bin/sleep infinity" {
		t.Errorf("PID 1 of alpha is %q, want its own sleep", got)
	}
	if got := sh(a, "echo private > /tmp/f; cat /tmp/f"); got != "private" {
		t.Errorf("/tmp/f = %q", got)
	}
	if got := sh(b, "cat /tmp/f 2>/dev/null || echo absent"); got != "absent" {
		t.Errorf("beta sees alpha's /tmp/f: %q", got)
	}

	// beta reaches alpha's address; nothing outside the lab is routable.
	srv, err := a.Start("socat", "socat", "TCP-LISTEN:7000,reuseaddr", "SYSTEM:echo hello-from-alpha")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.WaitListening(ctx, srv, 7000); err != nil {
		t.Fatal(err)
	}
	res, err := b.Run(ctx, harness.Exec{Args: []string{"bash", "-c", "exec 3<>/dev/tcp/" + a.IP + "/7000; cat <&3"}})
	if err != nil || strings.TrimSpace(string(res.Stdout)) != "hello-from-alpha" {
		t.Errorf("beta → alpha:7000: %q %s (%v)", res.Stdout, res.Stderr, err)
	}
	res, err = b.Run(ctx, harness.Exec{Args: []string{"bash", "-c", "exec 3<>/dev/tcp/198.51.100.1/80"}})
	if err != nil || res.ExitCode == 0 || !strings.Contains(res.Stderr, "unreachable") {
		t.Errorf("beta → 198.51.100.1: exit %d, %q (%v); want network unreachable", res.ExitCode, res.Stderr, err)
	}

	// Teardown: namespaces and files gone, processes gone.
	init := a.Path("/")
	if err := lab.Close(); err != nil {
		t.Fatal(err)
	}
	closed = true
	for _, ns := range []string{a.NetNS(), b.NetNS()} {
		if _, err := os.Stat("/run/netns/" + ns); !os.IsNotExist(err) {
			t.Errorf("network namespace %s still exists (%v)", ns, err)
		}
	}
	if _, err := os.Stat(init); !os.IsNotExist(err) {
		t.Errorf("alpha's PID 1 still exists (%s: %v)", init, err)
	}
}
