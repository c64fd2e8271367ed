package server

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/kex"
	"github.com/pqssh/pqssh/server/config"
)

var (
	kexBudgetConns = flag.Int("kexbudget.conns", 40, "half-open McEliece key exchanges in TestKexBudgetProcessRSS")
	kexBudgetValue = flag.String("kexbudget.budget", "16M", "UnauthenticatedKexMemory of TestKexBudgetProcessRSS's budget run")
)

// startPlainDaemon runs the pqsshd binary with extra configuration (no
// McTiny) and command-line flags and waits until it listens.
func startPlainDaemon(t *testing.T, extra string, flags ...string) *daemon {
	t.Helper()
	bin, _ := binaries(t)
	d := &daemon{t: t, bin: bin, dir: t.TempDir(), port: freePort(t), user: currentUser(t), logs: &syncBuffer{}}
	d.config = filepath.Join(d.dir, "sshd_config")
	text := fmt.Sprintf("HostKey %s/hostkey_ed25519\nAuthorizedKeysFile %s/%%u.keys\nListenAddress 127.0.0.1\nPidFile none\n"+
		"PerSourcePenalties no\nSetEnv SHLVL=1\n%s\n", d.dir, d.dir, extra)
	if err := os.WriteFile(d.config, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	d.cmd = exec.Command(d.bin, append([]string{"-D", "-e", "-f", d.config, "-p", strconv.Itoa(d.port)}, flags...)...)
	d.cmd.Stderr, d.cmd.Stdout = d.logs, d.logs
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.done = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) {
		c.Wait()
		close(done)
	}(d.cmd, d.done)
	t.Cleanup(d.stop)
	d.logs.waitLog(t, "server listening")
	return d
}

// login logs in to d with a fresh key offering kexNames and runs a command.
func (d *daemon) login(kexNames ...string) error {
	t := d.t
	t.Helper()
	key := newSigner(t)
	f, err := os.OpenFile(filepath.Join(d.dir, d.user+".keys"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(gossh.MarshalAuthorizedKey(key.PublicKey()))
	f.Close()
	hk, err := os.ReadFile(filepath.Join(d.dir, "hostkey_ed25519"))
	if err != nil {
		t.Fatal(err)
	}
	hs, err := gossh.ParsePrivateKey(hk)
	if err != nil {
		t.Fatal(err)
	}
	c, err := gossh.Dial("tcp", d.addr(), &gossh.ClientConfig{User: d.user, Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.FixedHostKey(hs.PublicKey()), Config: gossh.Config{KeyExchanges: kexNames}, Timeout: 10 * time.Second})
	if err != nil {
		return err
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		return err
	}
	defer s.Close()
	if out, err := s.Output("echo ok"); err != nil || string(out) != "ok\n" {
		return fmt.Errorf("session: %q %v", out, err)
	}
	return nil
}

// maxRSS samples d's VmRSS for a while and returns the largest value: the
// server reads the half-open connections' packets asynchronously.
func (d *daemon) maxRSS() int64 {
	var m int64
	for range 20 {
		m = max(m, d.rss())
		time.Sleep(50 * time.Millisecond)
	}
	return m
}

// TestKexBudgetProcessRSS runs the pqsshd binary and holds
// -kexbudget.conns (40) half-open McEliece key exchanges against it, once
// with UnauthenticatedKexMemory -kexbudget.budget (16M) and once with
// none: with the budget
// the process's VmRSS grows by less than the budget plus 8 MiB, without it
// by about 1 MiB per connection (the control showing what is measured).
// Logins with mlkem768 work while the connections are held, McEliece
// logins after they are closed.
func TestKexBudgetProcessRSS(t *testing.T) {
	n := *kexBudgetConns
	cfg, err := config.Parse("flag", []byte("UnauthenticatedKexMemory "+*kexBudgetValue))
	if err != nil || cfg.UnauthenticatedKexMemory < 0 {
		t.Fatalf("-kexbudget.budget %q: want a size (%v)", *kexBudgetValue, err)
	}
	budget := cfg.UnauthenticatedKexMemory
	for _, tc := range []struct {
		name, value string
	}{{"budget", *kexBudgetValue}, {"none", "none"}} {
		t.Run(tc.name, func(t *testing.T) {
			// -r: the connections are served in the one process measured
			// (TestKexBudgetAcrossSessionProcesses covers the budget with
			// per-connection processes).
			d := startPlainDaemon(t, fmt.Sprintf("UnauthenticatedKexMemory %s\nPerSourceKexMemory %s\nMaxStartups %d\n", tc.value, tc.value, n+10), "-r")
			if err := d.login(kex.MLKEM768X25519SHA256); err != nil {
				t.Fatalf("warm-up login: %v", err)
			}
			base := d.maxRSS()
			var held []*halfOpenKex
			for range n {
				h := openHalfKex(t, d.addr(), kex.MCELIECE6688128X25519SHA512)
				defer h.c.Close()
				if h.sent {
					held = append(held, h)
				}
			}
			peak := d.maxRSS()
			grown := peak - base
			t.Logf("UnauthenticatedKexMemory %s: %d connections, %d half-open McEliece exchanges: VmRSS %.1f MiB -> %.1f MiB (+%.1f MiB)",
				tc.value, n, len(held), float64(base)/(1<<20), float64(peak)/(1<<20), float64(grown)/(1<<20))
			if tc.value == "none" {
				if len(held) != n || grown < int64(n)<<20*3/4 {
					t.Errorf("without a budget: %d of %d exchanges held, VmRSS +%d bytes; want all, about 1 MiB each", len(held), n, grown)
				}
			} else if grown > budget+8<<20 {
				t.Errorf("VmRSS grew by %d bytes, more than the %d-byte budget + 8 MiB", grown, budget)
			}
			if err := d.login(kex.MLKEM768X25519SHA256); err != nil {
				t.Errorf("mlkem768 login with %d half-open McEliece exchanges: %v", len(held), err)
			}
			for _, h := range held {
				h.c.Close()
			}
			var err error
			for range 100 { // the server notices the closes asynchronously
				if err = d.login(kex.MCELIECE6688128X25519SHA512); err == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err != nil {
				t.Errorf("McEliece login after the half-open exchanges closed: %v", err)
			}
		})
	}
}
