package server

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

// openSSH returns the arguments to run OpenSSH's ssh/sftp against e with
// a fresh authorized key; a missing OpenSSH client fails the test (make test
// installs it).
func openSSH(t *testing.T, e *testEnv) (key string, common []string) {
	t.Helper()
	for _, b := range []string{"ssh", "sftp"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Fatalf("%s (openssh-client) is not installed: apt-get install openssh-client", b)
		}
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	key = filepath.Join(t.TempDir(), "id_ed25519")
	os.WriteFile(key, pem.EncodeToMemory(block), 0o600)
	signer, _ := gossh.NewSignerFromKey(priv)
	e.authorize(e.user, "", signer.PublicKey())
	_, port, _ := net.SplitHostPort(e.addr)
	return key, []string{"-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-i", key, "-o", "Port=" + port}
}

// TestOpenSSHClient runs OpenSSH's own client against pqsshd: exec with
// exit status, a PTY, stdin EOF, and sftp.
func TestOpenSSHClient(t *testing.T) {
	e := startServer(t, "", "Subsystem sftp internal-sftp")
	_, common := openSSH(t, e)
	target := e.user + "@127.0.0.1"

	cmd := exec.Command("ssh", append(common, target, "echo hi; exit 4")...)
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 4 || string(out) != "hi\n" {
		t.Fatalf("exec: %q %v", out, err)
	}
	e.logs.waitLog(t, "kex=") // whatever OpenSSH and pqsshd agreed on

	out, err = exec.Command("ssh", append(common, "-tt", target, "tty")...).Output()
	if err != nil || !strings.HasPrefix(string(out), "/dev/pts/") {
		t.Fatalf("ssh -tt: %q %v", out, err)
	}

	cmd = exec.Command("ssh", append(common, target, "wc -c")...)
	cmd.Stdin = strings.NewReader(strings.Repeat("x", 100000))
	out, err = cmd.Output()
	if err != nil || strings.TrimSpace(string(out)) != "100000" {
		t.Fatalf("stdin through OpenSSH: %q %v", out, err)
	}

	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.WriteFile(src, []byte("sftp payload"), 0o644)
	dst := filepath.Join(dir, "dst")
	batch := "put " + src + " " + dst + "\n"
	cmd = exec.Command("sftp", append(append([]string{"-b", "-"}, common...), target)...)
	cmd.Stdin = strings.NewReader(batch)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sftp: %v %s", err, out)
	}
	if got, err := os.ReadFile(dst); err != nil || string(got) != "sftp payload" {
		t.Fatalf("sftp put: %q %v", got, err)
	}
}
