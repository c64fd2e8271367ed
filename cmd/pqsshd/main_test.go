package main

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server"
)

// TestMain lets the test binary stand in for pqsshd: with PQSSHD_AS_MAIN=1
// it runs main() with the arguments in PQSSHD_ARGS, or with its own when it
// has some (pqsshd re-executing itself to detach); as pqsshd's internal
// helpers (which re-execute the running binary) it serves them.
func TestMain(m *testing.M) {
	server.RunInternal()
	if os.Getenv("PQSSHD_AS_MAIN") == "1" {
		if p := os.Getenv("PQSSHD_TEST_SYSLOG_SOCKET"); p != "" {
			syslogSocket = p // a fake /dev/log (syslog_test.go)
		}
		if len(os.Args) > 1 {
			if os.Args[0] != server.SessionArg0 && os.Args[0] != server.NetArg0 {
				os.Args[0] = "pqsshd"
			}
		} else {
			os.Args = append([]string{"pqsshd"}, strings.Fields(os.Getenv("PQSSHD_ARGS"))...)
		}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func pqsshd(t *testing.T, args ...string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "PQSSHD_AS_MAIN=1", "PQSSHD_ARGS="+strings.Join(args, " "))
	return cmd
}

func TestParseFlags(t *testing.T) {
	f, err := parseFlags([]string{"-De", "-f", "/x", "-h/k1", "-h", "/k2", "-oPort=1", "-o", "LogLevel=DEBUG", "-p", "2222", "-dd"})
	if err != nil {
		t.Fatal(err)
	}
	if !f.foreground || !f.stderr || f.configFile != "/x" || !f.configGiven || f.debug != 2 ||
		strings.Join(f.hostKeys, ",") != "/k1,/k2" || strings.Join(f.options, ",") != "Port=1,LogLevel=DEBUG" ||
		len(f.ports) != 1 || f.ports[0] != 2222 {
		t.Fatalf("%+v", f)
	}
	for _, bad := range [][]string{{"-x"}, {"-p"}, {"-p", "70000"}, {"stray"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestTestAndDumpModes(t *testing.T) {
	dir := t.TempDir()
	hk := filepath.Join(dir, "hk_ed25519")
	good := filepath.Join(dir, "good")
	os.WriteFile(good, []byte("Port 2022\nKexAlgorithms ^curve25519-sha256\n"), 0o644)
	if out, err := pqsshd(t, "-t", "-f", good, "-h", hk).CombinedOutput(); err != nil {
		t.Fatalf("-t on a good config: %v %s", err, out)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("Port 22\nKexAlgorithms curve25519-sha256,no-such-kex\n"), 0o644)
	out, err := pqsshd(t, "-t", "-f", bad, "-h", hk).CombinedOutput()
	if err == nil || !strings.Contains(string(out), bad+`:2: KexAlgorithms: unsupported algorithm "no-such-kex"`) {
		t.Fatalf("-t on a bad config: %v %s", err, out)
	}
	out, err = pqsshd(t, "-T", "-f", good, "-p", "2200", "-o", "MaxAuthTries=3").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nport 2200\n", "\nmaxauthtries 3\n", "\nkexalgorithms curve25519-sha256,"} {
		if !strings.Contains("\n"+string(out), want) {
			t.Errorf("-T output lacks %q:\n%s", want, out)
		}
	}
	// HostCertificate and AuthorizedPrincipalsFile appear in -T; -t
	// refuses a certificate without its private host key.
	certs := filepath.Join(dir, "certs")
	os.WriteFile(certs, []byte("HostCertificate /etc/ssh/a-cert.pub\nHostCertificate /etc/ssh/b-cert.pub\nAuthorizedPrincipalsFile /etc/ssh/principals/%u\n"), 0o644)
	out, err = pqsshd(t, "-T", "-f", certs).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nhostcertificate /etc/ssh/a-cert.pub\nhostcertificate /etc/ssh/b-cert.pub\n", "\nauthorizedprincipalsfile /etc/ssh/principals/%u\n", "\nauthorizedprincipalscommand none\n"} {
		if !strings.Contains("\n"+string(out), want) {
			t.Errorf("-T output lacks %q:\n%s", want, out)
		}
	}
	if out, err := pqsshd(t, "-t", "-f", certs, "-h", hk).CombinedOutput(); err == nil || !strings.Contains(string(out), "host certificate /etc/ssh/a-cert.pub") {
		t.Errorf("-t with an unusable HostCertificate: %v %s", err, out)
	}
	// -T -C evaluates Match blocks for a connection.
	match := filepath.Join(dir, "match")
	os.WriteFile(match, []byte("Match User alice Address 192.0.2.0/24\n\tAllowTcpForwarding no\n"), 0o644)
	out, err = pqsshd(t, "-T", "-f", match, "-C", "user=alice,addr=192.0.2.5").Output()
	if err != nil || !strings.Contains(string(out), "\nallowtcpforwarding no\n") {
		t.Errorf("-T -C alice: %v\n%s", err, out)
	}
	out, _ = pqsshd(t, "-T", "-f", match, "-C", "user=bob,addr=192.0.2.5").Output()
	if !strings.Contains(string(out), "\nallowtcpforwarding yes\n") {
		t.Errorf("-T -C bob:\n%s", out)
	}
}

// daemon starts pqsshd -D -e on a free port and returns its address and a
// reader of its log.
func daemon(t *testing.T, cfgText string, extra ...string) (cmd *exec.Cmd, addr string, logs *bufio.Reader, cfgFile string) {
	return daemonWith(t, cfgText, nil, extra...)
}

// daemonWith is daemon with setup applied to the command before it starts.
func daemonWith(t *testing.T, cfgText string, setup func(*exec.Cmd), extra ...string) (cmd *exec.Cmd, addr string, logs *bufio.Reader, cfgFile string) {
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cfgFile = filepath.Join(dir, "sshd_config")
	os.WriteFile(cfgFile, []byte(cfgText), 0o644)
	args := append([]string{"-D", "-e", "-f", cfgFile, "-h", filepath.Join(dir, "hk_ed25519"), "-o", "ListenAddress=127.0.0.1", "-p", strconv.Itoa(port)}, extra...)
	cmd = pqsshd(t, args...)
	if setup != nil {
		setup(cmd)
	}
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	logs = bufio.NewReader(stderr)
	waitFor(t, logs, "server listening")
	return cmd, fmt.Sprintf("127.0.0.1:%d", port), logs, cfgFile
}

func waitFor(t *testing.T, r *bufio.Reader, s string) string {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		for {
			l, err := r.ReadString('\n')
			if strings.Contains(l, s) {
				done <- l
				return
			}
			if err != nil {
				done <- ""
				return
			}
		}
	}()
	select {
	case l := <-done:
		if l == "" {
			t.Fatalf("log ended without %q", s)
		}
		return l
	case <-time.After(20 * time.Second):
		t.Fatalf("no %q in the log", s)
	}
	return ""
}

func clientKey(t *testing.T, dir string) gossh.Signer {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	s, _ := gossh.NewSignerFromKey(priv)
	os.WriteFile(filepath.Join(dir, "keys"), gossh.MarshalAuthorizedKey(s.PublicKey()), 0o644)
	return s
}

func dial(addr, user string, key gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
	})
}

func me(t *testing.T) string {
	out, err := exec.Command("id", "-un").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func TestDaemonReloadPidFileAndShutdown(t *testing.T) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	pid := filepath.Join(kdir, "pqsshd.pid")
	base := fmt.Sprintf("AuthorizedKeysFile %s/keys\nPidFile %s\nPerSourcePenalties no\n", kdir, pid)
	cmd, addr, logs, cfgFile := daemon(t, base)
	if b, err := os.ReadFile(pid); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(cmd.Process.Pid) {
		t.Fatalf("PidFile %q %v", b, err)
	}
	c, err := dial(addr, me(t), key)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, logs, "kex=mlkem768x25519-sha256")
	// Keep a session running across the reload.
	s, _ := c.NewSession()
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	if err := s.Start("cat"); err != nil {
		t.Fatal(err)
	}

	// Reload with a configuration that refuses everyone.
	os.WriteFile(cfgFile, []byte(base+"DenyUsers *\n"), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, logs, "configuration reloaded")
	if c2, err := dial(addr, me(t), key); err == nil {
		c2.Close()
		t.Fatal("login accepted after reloading DenyUsers *")
	}
	io.WriteString(in, "still here\n")
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "still here\n" {
		t.Fatalf("session after reload: %q %v", line, err)
	}

	// A broken configuration is refused; the old one stays.
	os.WriteFile(cfgFile, []byte("Bogus yes\n"), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, logs, "reload failed")

	// SIGTERM: the listener exits at once; the session, served by its own
	// process, goes on.
	cmd.Process.Signal(syscall.SIGTERM)
	waitFor(t, logs, "shutting down")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("pqsshd exit: %v", err)
	}
	if nc, err := net.Dial("tcp", addr); err == nil {
		nc.Close()
		t.Fatal("still listening after SIGTERM")
	}
	io.WriteString(in, "after the listener\n")
	line, err = bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "after the listener\n" {
		t.Fatalf("session after SIGTERM: %q %v", line, err)
	}
	in.Close()
	if err := s.Wait(); err != nil {
		t.Fatalf("session ended badly after the listener stopped: %v", err)
	}
	c.Close()
	if _, err := os.Stat(pid); err == nil {
		t.Fatal("PidFile left behind")
	}
}

func TestSocketActivation(t *testing.T) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, _ := l.(*net.TCPListener).File()
	l.Close()
	cfgFile := filepath.Join(kdir, "sshd_config")
	os.WriteFile(cfgFile, []byte(fmt.Sprintf("AuthorizedKeysFile %s/keys\nPort 1\n", kdir)), 0o644)
	// LISTEN_PID must be the child's pid: set through a shell wrapper.
	exe, _ := os.Executable()
	cmd := exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=1 exec "$0"`, exe)
	cmd.Env = append(os.Environ(), "PQSSHD_AS_MAIN=1", "PQSSHD_ARGS="+strings.Join([]string{"-D", "-e", "-f", cfgFile, "-h", filepath.Join(kdir, "hk")}, " "))
	cmd.ExtraFiles = []*os.File{f} // fd 3
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line := waitFor(t, bufio.NewReader(stderr), "server listening")
	if strings.Contains(line, ":1 ") {
		t.Fatalf("listened on Port 1 instead of the passed socket: %s", line)
	}
	la := strings.TrimPrefix(strings.Fields(line[strings.Index(line, "addr="):])[0], "addr=")
	c, err := dial(la, me(t), key)
	if err != nil {
		t.Fatalf("login through the activated socket %s: %v", la, err)
	}
	c.Close()
}

func TestExampleConfigIsValid(t *testing.T) {
	hk := filepath.Join(t.TempDir(), "hk_ed25519")
	if out, err := pqsshd(t, "-t", "-f", "../../contrib/systemd/pqsshd_config.example", "-h", hk).CombinedOutput(); err != nil {
		t.Fatalf("contrib/systemd/pqsshd_config.example: %v %s", err, out)
	}
}
