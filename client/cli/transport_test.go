package cli

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// These tests run the built pqssh binary as the transport of OpenSSH's
// scp and sftp, rsync and git, the way users do. The tools come from the
// openssh-client, rsync and git Debian packages (the Makefile target that
// runs the client tests installs them); without them the tests fail.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func pqsshBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pqssh-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "pqssh")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/pqssh/pqssh/cmd/pqssh").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed (apt-get install openssh-client rsync git; make test does this as root)", name)
	}
	return p
}

func runTool(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader("")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func randomFile(t *testing.T, dir string, size int) (string, []byte) {
	data := make([]byte, size)
	rand.Read(data)
	p := filepath.Join(dir, "src.bin")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, data
}

func sameFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the source (%d vs %d bytes)", path, len(got), len(want))
	}
}

func TestScpOverPqssh(t *testing.T) {
	scp := needTool(t, "scp")
	bin := pqsshBinary(t)
	f := newFixture(t)
	dir := t.TempDir()
	src, data := randomFile(t, dir, 1<<20)
	// SFTP-based scp (OpenSSH 9's default) and the legacy protocol (-O:
	// "scp -t" runs on the server).
	for _, mode := range []string{"", "-O"} {
		dst := filepath.Join(dir, "dst"+mode)
		args := []string{"-F", f.cfg, "-S", bin}
		if mode != "" {
			args = append(args, mode)
		}
		runTool(t, nil, scp, append(args, src, "test:"+dst)...)
		sameFile(t, dst, data)
		back := dst + ".back"
		runTool(t, nil, scp, append(args, "test:"+dst, back)...)
		sameFile(t, back, data)
	}
}

func TestSftpOverPqssh(t *testing.T) {
	sftp := needTool(t, "sftp")
	bin := pqsshBinary(t)
	f := newFixture(t)
	dir := t.TempDir()
	src, data := randomFile(t, dir, 256<<10)
	batch := filepath.Join(dir, "batch")
	dst := filepath.Join(dir, "put.bin")
	os.WriteFile(batch, []byte(fmt.Sprintf("put %s %s\nls -l %s\n", src, dst, dst)), 0o600)
	out := runTool(t, nil, sftp, "-F", f.cfg, "-S", bin, "-b", batch, "test")
	sameFile(t, dst, data)
	if !strings.Contains(out, "put.bin") {
		t.Errorf("sftp ls output: %s", out)
	}
}

func TestRsyncOverPqssh(t *testing.T) {
	rsync := needTool(t, "rsync")
	bin := pqsshBinary(t)
	f := newFixture(t)
	dir := t.TempDir()
	src, data := randomFile(t, dir, 512<<10)
	dst := filepath.Join(dir, "rsync-dst.bin")
	runTool(t, nil, rsync, "-e", bin+" -F "+f.cfg, src, "test:"+dst)
	sameFile(t, dst, data)
}

func TestGitOverPqssh(t *testing.T) {
	git := needTool(t, "git")
	bin := pqsshBinary(t)
	f := newFixture(t)
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	env := []string{"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@e", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@e",
		"GIT_CONFIG_NOSYSTEM=1", "HOME=" + f.home}
	runTool(t, env, git, "init", "-q", repo)
	os.WriteFile(filepath.Join(repo, "file.txt"), []byte("over pqssh\n"), 0o644)
	runTool(t, env, git, "-C", repo, "add", "file.txt")
	runTool(t, env, git, "-C", repo, "commit", "-q", "-m", "c1")
	sshEnv := append(env, "GIT_SSH_COMMAND="+bin+" -F "+f.cfg)
	clone := filepath.Join(dir, "clone")
	runTool(t, sshEnv, git, "clone", "-q", "test:"+repo, clone)
	got, err := os.ReadFile(filepath.Join(clone, "file.txt"))
	if err != nil || string(got) != "over pqssh\n" {
		t.Fatalf("git clone over pqssh: %q %v", got, err)
	}
	// Push back a commit (git-receive-pack over the same transport).
	os.WriteFile(filepath.Join(clone, "second.txt"), []byte("pushed\n"), 0o644)
	runTool(t, sshEnv, git, "-C", clone, "add", "second.txt")
	runTool(t, sshEnv, git, "-C", clone, "commit", "-q", "-m", "c2")
	runTool(t, sshEnv, git, "-C", repo, "config", "receive.denyCurrentBranch", "ignore")
	runTool(t, sshEnv, git, "-C", clone, "push", "-q", "origin", "HEAD")
	log := runTool(t, env, git, "-C", repo, "log", "--format=%s")
	if !strings.HasPrefix(log, "c2\n") {
		t.Fatalf("push: log %q", log)
	}
}

func TestOpenSSHThroughPqsshProxy(t *testing.T) {
	ssh := needTool(t, "ssh")
	bin := pqsshBinary(t)
	f := newFixture(t)
	// OpenSSH's ssh reaches the server through "pqssh -W %h:%p", as with
	// ProxyCommand='pqssh -W %h:%p jump'.
	out := runTool(t, nil, ssh, "-F", f.cfg, "-o", "ProxyCommand="+bin+" -F "+f.cfg+" -W %h:%p test", "test", "echo via-proxy")
	if !strings.Contains(out, "via-proxy\n") {
		t.Fatalf("ssh via pqssh -W: %q", out)
	}
	// And pqssh itself with a ProxyCommand.
	r := f.run(nil, "-o", "ProxyCommand="+bin+" -F "+f.cfg+" -W %h:%p test", "test", "echo pc")
	if r.code != 0 || r.stdout != "pc\n" {
		t.Fatalf("pqssh ProxyCommand: %v", r)
	}
}

func TestForkAfterAuthentication(t *testing.T) {
	bin := pqsshBinary(t)
	f := newFixture(t)
	marker := filepath.Join(t.TempDir(), "marker")
	// pqssh -f returns once authenticated; the command finishes later in
	// the background child.
	cmd := exec.Command(bin, "-F", f.cfg, "-f", "test", "sleep 1; echo bg > "+marker)
	// stderr is a file, not a pipe: a pipe would stay open in the
	// background child and make Run wait for it.
	errf, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errf.Close()
	cmd.Stderr = errf
	if err := cmd.Run(); err != nil {
		data, _ := os.ReadFile(errf.Name())
		t.Fatalf("pqssh -f: %v %s", err, data)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("-f waited for the command to finish")
	}
	for i := 0; i < 100; i++ {
		if data, err := os.ReadFile(marker); err == nil && string(data) == "bg\n" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the backgrounded command never ran")
}

func TestPTYRawModeAndWindowChange(t *testing.T) {
	bin := pqsshBinary(t)
	f := newFixture(t)
	cmd := exec.Command(bin, "-F", f.cfg, "-t", "test", "cat")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	go io.Copy(io.Discard, ptmx)
	waitFor := func(want [2]int) {
		t.Helper()
		for i := 0; i < 200; i++ {
			sizes := f.srv.TerminalSizes()
			if len(sizes) > 0 && sizes[len(sizes)-1] == want {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("server never saw terminal size %v: %v", want, f.srv.TerminalSizes())
	}
	waitFor([2]int{80, 24})
	// Resizing the terminal sends SIGWINCH to pqssh, which passes the new
	// size on as a window-change request.
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: 132}); err != nil {
		t.Fatal(err)
	}
	waitFor([2]int{132, 50})
	// In raw mode the escape reaches pqssh unprocessed by the tty: ~.
	// disconnects, and ssh's status for that is 255.
	ptmx.Write([]byte("\r~."))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 255 {
			t.Fatalf("want exit 255 after ~., got %v", err)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("~. did not end pqssh")
	}
}
