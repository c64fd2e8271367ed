package cli

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// BenchmarkMuxScp copies a small file with 20 sequential scp runs (scp -S
// pqssh) to a pqsshd on loopback, once with a new connection per run and
// once over one ControlMaster connection, with pqssh's and pqsshd's
// default key exchange (mceliece6688128sntrup761x25519-sha512, checked).
// It reports both times and their ratio from the same run:
//
//	go test ./client/cli -run XXX -bench MuxScp -benchtime 1x -timeout 30m
func BenchmarkMuxScp(b *testing.B) {
	scp, err := exec.LookPath("scp")
	if err != nil {
		b.Fatal("scp is not installed (apt-get install openssh-client)")
	}
	bin := pqsshBinary(b)
	sshd := buildPqsshd(b)
	home := b.TempDir()
	b.Setenv("HOME", home)
	b.Setenv("SSH_AUTH_SOCK", "")
	signer, block := newKey(b)
	keyPath := filepath.Join(home, "id_test")
	os.WriteFile(keyPath, pemBytes(block), 0o600)
	os.WriteFile(filepath.Join(home, "keys"), ssh.MarshalAuthorizedKey(signer.PublicKey()), 0o644)
	addr := startPqsshd(b, sshd, home)
	host, port, _ := net.SplitHostPort(addr)
	me, err := user.Current()
	if err != nil {
		b.Fatal(err)
	}
	cfg := filepath.Join(home, "config")
	os.WriteFile(cfg, []byte(fmt.Sprintf("Host test\n  HostName %s\n  Port %s\n  User %s\n  IdentityFile %s\n  UserKnownHostsFile %s/known_hosts\n  GlobalKnownHostsFile none\n  StrictHostKeyChecking accept-new\n  BatchMode yes\n",
		host, port, me.Username, keyPath, home)), 0o600)
	out, err := exec.Command(bin, "-F", cfg, "-v", "test", "true").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "kex: algorithm: mceliece6688128sntrup761x25519-sha512") {
		b.Fatalf("first login (McEliece expected): %v\n%s", err, out)
	}
	src := filepath.Join(home, "small.txt")
	os.WriteFile(src, []byte("a small file\n"), 0o644)
	dst := filepath.Join(home, "copy.txt")
	ctl := filepath.Join(home, "ctl")
	const runs = 20
	copies := func(opts ...string) time.Duration {
		start := time.Now()
		for range runs {
			os.Remove(dst)
			args := append([]string{"-q", "-S", bin, "-F", cfg}, opts...)
			if out, err := exec.Command(scp, append(args, src, "test:"+dst)...).CombinedOutput(); err != nil {
				b.Fatalf("scp: %v\n%s", err, out)
			}
		}
		return time.Since(start)
	}
	for b.Loop() {
		direct := copies()
		b.Logf("%d scp runs, a connection each: %v", runs, direct)
		// The master's output goes to a file: a pipe would stay open in
		// the backgrounded master (-f) and keep Run waiting.
		logf, err := os.Create(filepath.Join(home, "master.log"))
		if err != nil {
			b.Fatal(err)
		}
		master := exec.Command(bin, "-F", cfg, "-M", "-S", ctl, "-N", "-f", "test")
		master.Stdout, master.Stderr = logf, logf
		if err := master.Run(); err != nil {
			data, _ := os.ReadFile(logf.Name())
			b.Fatalf("master: %v\n%s", err, data)
		}
		logf.Close()
		muxed := copies("-o", "ControlPath="+ctl)
		b.Logf("%d scp runs over one master: %v", runs, muxed)
		exec.Command(bin, "-F", cfg, "-S", ctl, "-O", "exit", "test").Run()
		b.ReportMetric(float64(direct.Milliseconds()), "direct-ms/20")
		b.ReportMetric(float64(muxed.Milliseconds()), "mux-ms/20")
		b.ReportMetric(float64(direct)/float64(muxed), "direct/mux")
	}
}

var pqsshdPath string

func buildPqsshd(b *testing.B) string {
	if pqsshdPath != "" {
		return pqsshdPath
	}
	dir, err := os.MkdirTemp("", "pqsshd-bin")
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(dir, "pqsshd")
	if out, err := exec.Command("go", "build", "-o", p, "github.com/pqssh/pqssh/cmd/pqsshd").CombinedOutput(); err != nil {
		b.Fatalf("go build pqsshd: %v\n%s", err, out)
	}
	pqsshdPath = p
	return p
}

// startPqsshd runs pqsshd as this user on a loopback port, accepting the
// keys in dir/keys.
func startPqsshd(b *testing.B, sshd, dir string) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cfgFile := filepath.Join(dir, "sshd_config")
	os.WriteFile(cfgFile, []byte(fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties no\nSetEnv SHLVL=1\nSubsystem sftp internal-sftp\n", dir)), 0o644)
	cmd := exec.Command(sshd, "-D", "-e", "-f", cfgFile, "-h", filepath.Join(dir, "hk_ed25519"), "-o", "ListenAddress=127.0.0.1", "-p", fmt.Sprint(port))
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	r := bufio.NewReader(stderr)
	for {
		line, err := r.ReadString('\n')
		if strings.Contains(line, "server listening") {
			break
		}
		if err != nil {
			b.Fatalf("pqsshd did not start: %s", line)
		}
	}
	go func() {
		for {
			if _, err := r.ReadString('\n'); err != nil {
				return
			}
		}
	}()
	return fmt.Sprintf("127.0.0.1:%d", port)
}
