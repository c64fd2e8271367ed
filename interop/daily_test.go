//go:build interop && linux

package interop_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	"github.com/pqssh/pqssh/interop/peers"
)

// Daily-driver tests against OpenSSH 10.0 (docs/daily-drivers.md):
// OpenSSH 10.0's scp, sftp, rsync -e ssh and git over ssh against pqsshd;
// the same tools with pqssh as their transport against OpenSSH 10.0's sshd
// (and against pqsshd); OpenSSH 10.0's ssh -J through pqsshd and pqssh -J
// through sshd; agent forwarding from OpenSSH's ssh-agent through pqsshd.
// make test covers Debian 12's OpenSSH 9.2 clients on the host.

// dailyRecipe is trixie's OpenSSH 10.0 plus the tools a daily driver carries.
var dailyRecipe = peers.Trixie.Union(harness.Recipe{Suite: "trixie", Packages: []string{"rsync", "git"}})

// dailyLab holds the two containers of the daily tests: dsrv runs
// OpenSSH 10.0's sshd and pqsshd, dcli the clients.
var dailyLab = sync.OnceValues(func() (*dailyEnv, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	d := &dailyEnv{}
	var err error
	if d.srv, err = lab.NewContainer(ctx, "dsrv", dailyRecipe); err != nil {
		return nil, err
	}
	if d.cli, err = lab.NewContainer(ctx, "dcli", dailyRecipe); err != nil {
		return nil, err
	}
	key, err := lab.UserKey()
	if err != nil {
		return nil, err
	}
	if err := d.srv.WriteFile("/root/.ssh/authorized_keys", key.Authorized, 0o600); err != nil {
		return nil, err
	}
	if err := d.cli.WriteFile("/root/.ssh/daily_id", key.Private, 0o600); err != nil {
		return nil, err
	}
	if _, err := d.srv.Sh(ctx, "ssh-keygen -A >/dev/null; mkdir -p /etc/pqsshd /run/sshd; "+
		"test -s /etc/pqsshd/daily_host_ed25519_key || ssh-keygen -q -t ed25519 -N '' -f /etc/pqsshd/daily_host_ed25519_key"); err != nil {
		return nil, err
	}
	sshdConf := "HostKey /etc/ssh/ssh_host_ed25519_key\nAuthorizedKeysFile .ssh/authorized_keys\nLogLevel DEBUG1\n" +
		"PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\n" +
		"Subsystem sftp internal-sftp\nAllowAgentForwarding yes\nAllowTcpForwarding yes\n"
	pqsshdConf := "HostKey /etc/pqsshd/daily_host_ed25519_key\nAuthorizedKeysFile .ssh/authorized_keys\nLogLevel DEBUG1\n" +
		"Subsystem sftp internal-sftp\nAllowAgentForwarding yes\nAllowTcpForwarding yes\n"
	for _, s := range []struct {
		p    **dailyServer
		name string
		conf string
		argv func(conf string, port int) []string
	}{
		{&d.sshd, "sshd", sshdConf, func(conf string, port int) []string {
			return []string{"/usr/sbin/sshd", "-D", "-e", "-f", conf, "-p", strconv.Itoa(port)}
		}},
		{&d.pqsshd, "pqsshd", pqsshdConf, func(conf string, port int) []string {
			return []string{"/pqssh/bin/pqsshd", "-D", "-e", "-f", conf, "-p", strconv.Itoa(port)}
		}},
	} {
		port := lab.Port()
		conf := fmt.Sprintf("/etc/pqsshd/daily_%s_config", s.name)
		if err := d.srv.WriteFile(conf, []byte(s.conf), 0o644); err != nil {
			return nil, err
		}
		proc, err := d.srv.Start(s.name, s.argv(conf, port)...)
		if err != nil {
			return nil, err
		}
		if err := d.srv.WaitListening(ctx, proc, port); err != nil {
			return nil, err
		}
		*s.p = &dailyServer{name: s.name, port: port, proc: proc}
	}
	cfg := fmt.Sprintf("Host pqsshd\n  HostName %s\n  Port %d\nHost sshd\n  HostName %s\n  Port %d\n"+
		"Host *\n  User root\n  IdentityFile /root/.ssh/daily_id\n  IdentitiesOnly yes\n  StrictHostKeyChecking no\n"+
		"  UserKnownHostsFile /dev/null\n  GlobalKnownHostsFile /dev/null\n  BatchMode yes\n  LogLevel ERROR\n",
		d.srv.IP, d.pqsshd.port, d.srv.IP, d.sshd.port)
	if err := d.cli.WriteFile("/root/.ssh/daily_config", []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	return d, nil
})

type dailyEnv struct {
	srv, cli     *harness.Container
	sshd, pqsshd *dailyServer
}

type dailyServer struct {
	name string
	port int
	proc *harness.Process
}

// kex returns the negotiated key exchange names in the server's log after
// byte offset from.
func (s *dailyServer) kex(from int) []string {
	log := s.proc.Output()
	log = log[min(from, len(log)):]
	if s.name == "sshd" {
		return harness.KexLines(log, "kex: algorithm: ", "")
	}
	return harness.KexLines(log, "kex=", "")
}

func setupDaily(t *testing.T) *dailyEnv {
	t.Helper()
	d, err := dailyLab()
	if err != nil {
		t.Fatalf("daily containers: %v", err)
	}
	return d
}

// transferScript copies files with scp and sftp, a tree with rsync and a
// repository with git, through $SSH (the ssh command) and $S (scp's and
// sftp's -S), to host, checking every copy.
const transferScript = `
set -e
cfg=/root/.ssh/daily_config
$SSH -F $cfg $HOST 'rm -rf /tmp/dr && mkdir -p /tmp/dr && git init -q --bare /tmp/dr/repo.git'
rm -rf /tmp/dl && mkdir /tmp/dl && cd /tmp/dl
head -c 300000 /dev/urandom > src.bin
scp $S -F $cfg src.bin $HOST:/tmp/dr/scp.bin
scp $S -F $cfg $HOST:/tmp/dr/scp.bin back.bin
cmp src.bin back.bin
printf 'put src.bin /tmp/dr/sftp.bin\nget /tmp/dr/sftp.bin sftp.bin\n' | sftp $S -F $cfg -b - $HOST >/dev/null
cmp src.bin sftp.bin
mkdir -p tree/sub && head -c 100000 /dev/urandom > tree/one && head -c 5000 /dev/urandom > tree/sub/two
rsync -a -e "$SSH -F $cfg" tree/ $HOST:/tmp/dr/tree/
rsync -a -e "$SSH -F $cfg" $HOST:/tmp/dr/tree/ tree2/
diff -r tree tree2
export GIT_SSH_COMMAND="$SSH -F $cfg"
git clone -q $HOST:/tmp/dr/repo.git work 2>/dev/null
cd work && echo daily > f && git add f
git -c user.name=t -c user.email=t@example.org commit -q -m daily
git push -q origin HEAD:refs/heads/main
cd .. && git clone -q -b main $HOST:/tmp/dr/repo.git again && cmp work/f again/f
echo DAILY-OK
`

// TestDailyTransfers runs transferScript for OpenSSH 10.0's tools against
// pqsshd, and with pqssh as the transport against OpenSSH 10.0's sshd and
// pqsshd; every login's key exchange (in the server's log) is
// post-quantum.
func TestDailyTransfers(t *testing.T) {
	d := setupDaily(t)
	for _, tc := range []struct {
		client string
		ssh, s string
		server *dailyServer
	}{
		{"openssh-10.0", "ssh", "", d.pqsshd},
		{"pqssh", "/pqssh/bin/pqssh", "-S /pqssh/bin/pqssh", d.sshd},
		{"pqssh", "/pqssh/bin/pqssh", "-S /pqssh/bin/pqssh", d.pqsshd},
	} {
		t.Run(tc.client+"→"+tc.server.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			from := len(tc.server.proc.Output())
			script := fmt.Sprintf("SSH=%q; S=%q; HOST=%s\n", tc.ssh, tc.s, tc.server.name) + transferScript
			out, err := d.cli.Sh(ctx, script)
			if err != nil || !strings.Contains(out, "DAILY-OK") {
				t.Fatalf("%v\n%s\nserver log:\n%s", err, out, tail(tc.server.proc.Output()[from:]))
			}
			// 1 + scp 2 + sftp 1 + rsync 2 + git 3 logins.
			names := waitKex(tc.server, from, 9)
			if len(names) < 9 {
				t.Fatalf("%d key exchanges in the server log, want 9: %q", len(names), names)
			}
			for _, n := range names {
				if !peers.PostQuantum(n) {
					t.Errorf("login with %s, not post-quantum", n)
				}
			}
			t.Logf("key exchanges: %s", names[0])
		})
	}
}

// TestDailyJumpAndAgent: OpenSSH 10.0's ssh -J through pqsshd to sshd and
// pqssh -J through sshd to pqsshd; ssh -A and pqssh -A to pqsshd list the
// agent's key (OpenSSH's ssh-agent) inside the session.
func TestDailyJumpAndAgent(t *testing.T) {
	d := setupDaily(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, tc := range []struct{ ssh, jump, target string }{
		{"ssh", "pqsshd", "sshd"},
		{"/pqssh/bin/pqssh", "sshd", "pqsshd"},
	} {
		out, err := d.cli.Sh(ctx, fmt.Sprintf("%s -F /root/.ssh/daily_config -J %s %s 'echo jumped-$((40+2))'", tc.ssh, tc.jump, tc.target))
		if err != nil || out != "jumped-42\n" {
			t.Errorf("%s -J %s %s: %q %v", tc.ssh, tc.jump, tc.target, out, err)
		}
	}
	fp, err := d.cli.Sh(ctx, "ssh-keygen -lf /root/.ssh/daily_id | cut -d' ' -f2")
	if err != nil {
		t.Fatal(err)
	}
	for _, ssh := range []string{"ssh", "/pqssh/bin/pqssh"} {
		script := fmt.Sprintf(`eval "$(ssh-agent -s)" >/dev/null; trap 'ssh-agent -k >/dev/null' EXIT
ssh-add -q /root/.ssh/daily_id
%[1]s -F /root/.ssh/daily_config -A pqsshd 'ssh-add -l'
%[1]s -F /root/.ssh/daily_config pqsshd 'ssh-add -l; echo status=$?'`, ssh)
		out, err := d.cli.Sh(ctx, script)
		if err != nil || !strings.Contains(out, strings.TrimSpace(fp)) || !strings.Contains(out, "status=2") {
			t.Errorf("%s: agent forwarding (want %s listed with -A, status=2 without): %q %v", ssh, strings.TrimSpace(fp), out, err)
		}
	}
}

func waitKex(s *dailyServer, from, want int) []string {
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := s.kex(from)
		if len(got) >= want || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// cipherScript sends 4 MiB and 77 bytes (not a multiple of any block or
// packet size) of random data up through $SSH with the one cipher $C and
// fetches it back, checking both copies.
const cipherScript = `
set -e
cfg=/root/.ssh/daily_config
rm -rf /tmp/dc && mkdir /tmp/dc && cd /tmp/dc
head -c 4194381 /dev/urandom > src.bin
$SSH -F $cfg -c $C $HOST 'cat > /tmp/dc-up.bin' < src.bin
$SSH -F $cfg -c $C $HOST 'cat /tmp/dc-up.bin; rm -f /tmp/dc-up.bin' > back.bin
cmp src.bin back.bin
echo CIPHER-OK
`

// TestDailyCiphers moves data both ways with each cipher OpenSSH's ssh
// offers by default, forced on the client (so a login means the cipher
// was negotiated): OpenSSH 10.0's ssh to pqsshd, pqssh to OpenSSH 10.0's
// sshd and to pqsshd. AES-GCM runs the fork's VAES code (patch 0013) on
// CPUs with AVX-512 and crypto/cipher's elsewhere; either must agree with
// OpenSSL's, byte for byte.
func TestDailyCiphers(t *testing.T) {
	d := setupDaily(t)
	for _, tc := range []struct {
		client, ssh string
		server      *dailyServer
	}{
		{"openssh-10.0", "ssh", d.pqsshd},
		{"pqssh", "/pqssh/bin/pqssh", d.sshd},
		{"pqssh", "/pqssh/bin/pqssh", d.pqsshd},
	} {
		for _, c := range []string{"aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes128-ctr"} {
			t.Run(tc.client+"→"+tc.server.name+"/"+c, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				from := len(tc.server.proc.Output())
				script := fmt.Sprintf("SSH=%q; C=%q; HOST=%s\n", tc.ssh, c, tc.server.name) + cipherScript
				out, err := d.cli.Sh(ctx, script)
				if err != nil || !strings.Contains(out, "CIPHER-OK") {
					t.Fatalf("%v\n%s\nserver log:\n%s", err, out, tail(tc.server.proc.Output()[from:]))
				}
				if tc.server.name != "sshd" && !strings.Contains(tc.server.proc.Output()[from:], "cipher="+c) {
					t.Errorf("pqsshd's log does not name cipher=%s:\n%s", c, tail(tc.server.proc.Output()[from:]))
				}
			})
		}
	}
}
