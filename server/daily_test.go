package server

// Daily-driver end-to-end tests (docs/daily-drivers.md): pqsshd
// (in process, as in the other tests of this package) used by OpenSSH's own
// clients — ssh, scp, sftp, rsync -e ssh, git over ssh — and by the same
// tools with the built pqssh binary as their transport; forwarding (-L, -R,
// -D, -W), ProxyJump through two pqsshd hops, agent forwarding with
// OpenSSH's ssh-agent, and (as root) sessions of a non-root test account.
//
// The tools come from the Debian packages openssh-client, rsync and git,
// which `make test` installs; a missing tool fails the test and names the
// package. Every server is fresh per subtest so that its log (which names
// the key exchange of every login) belongs to one client.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/kex"
)

var dailyBuild struct {
	once sync.Once
	path string
	err  error
}

// dailyPqssh builds cmd/pqssh once per test binary into a fixed directory
// under the temporary directory (overwritten by each run).
func dailyPqssh(t *testing.T) string {
	t.Helper()
	dailyBuild.once.Do(func() {
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("pqssh-daily-test-bin-%d", os.Getuid()))
		if dailyBuild.err = os.MkdirAll(dir, 0o700); dailyBuild.err != nil {
			return
		}
		dailyBuild.path = filepath.Join(dir, "pqssh")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		out, err := exec.Command(goTool, "build", "-o", dailyBuild.path, "../cmd/pqssh").CombinedOutput()
		if err != nil {
			dailyBuild.err = fmt.Errorf("go build ../cmd/pqssh: %v\n%s", err, out)
		}
	})
	if dailyBuild.err != nil {
		t.Fatal(dailyBuild.err)
	}
	return dailyBuild.path
}

// dailyTool fails the test when a program the test drives is missing.
func dailyTool(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Fatalf("%s is not installed: apt-get install -y openssh-client rsync git tmux (make test does this as root)", n)
		}
	}
}

// dailyClient is a client-side HOME: one ed25519 key in OpenSSH format, an
// ssh_config read by both OpenSSH's ssh and pqssh (only keywords both
// know), and a known_hosts file pinning every server added.
type dailyClient struct {
	t      *testing.T
	home   string
	cfg    string
	key    string
	known  string
	signer gossh.Signer
	pqssh  string
	hosts  *strings.Builder
}

// sub is c for a subtest: failures are reported on t.
func (c *dailyClient) sub(t *testing.T) *dailyClient {
	cc := *c
	cc.t = t
	return &cc
}

func newDailyClient(t *testing.T) *dailyClient {
	t.Helper()
	dailyTool(t, "ssh", "scp", "sftp")
	c := &dailyClient{t: t, home: t.TempDir(), pqssh: dailyPqssh(t), hosts: &strings.Builder{}}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	c.signer, _ = gossh.NewSignerFromKey(priv)
	c.key = filepath.Join(c.home, "id_ed25519")
	c.known = filepath.Join(c.home, "known_hosts")
	c.cfg = filepath.Join(c.home, "config")
	if err := os.WriteFile(c.key, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	c.writeConfig()
	return c
}

// addHost authorizes the client's key for userName on e (in e's keys
// directory, or in the account's ~/.ssh when home is set), pins e's host
// key and adds a Host alias block for it.
func (c *dailyClient) addHost(alias string, e *testEnv, userName string, home bool) {
	c.t.Helper()
	if home {
		e.authorizeHome(userName, "", c.signer.PublicKey())
	} else {
		e.authorize(userName, "", c.signer.PublicKey())
	}
	_, port, _ := net.SplitHostPort(e.addr)
	f, err := os.OpenFile(c.known, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		c.t.Fatal(err)
	}
	fmt.Fprintf(f, "[127.0.0.1]:%s %s", port, gossh.MarshalAuthorizedKey(e.srv.HostKeys()[0]))
	f.Close()
	fmt.Fprintf(c.hosts, "Host %s\n  HostName 127.0.0.1\n  Port %s\n  User %s\n", alias, port, userName)
	c.writeConfig()
}

func (c *dailyClient) writeConfig() {
	text := c.hosts.String() + fmt.Sprintf("Host *\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n"+
		"  GlobalKnownHostsFile none\n  StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n", c.key, c.known)
	if err := os.WriteFile(c.cfg, []byte(text), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// env is the environment of every tool run: HOME is the client's, no
// agent unless the test sets one, git with no system or user configuration.
func (c *dailyClient) env(extra ...string) []string {
	env := []string{"HOME=" + c.home, "PATH=" + os.Getenv("PATH"), "LANG=C", "SSH_AUTH_SOCK=",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.org"}
	return append(env, extra...)
}

// run runs a program with stdin and returns stdout, stderr and the error.
func (c *dailyClient) run(env []string, stdin string, name string, args ...string) (string, string, error) {
	c.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = c.env(env...)
	cmd.Dir = c.home
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		return "", "", err
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), errb.String(), err
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		c.t.Fatalf("%s %s: still running after 60 s\nstdout: %s\nstderr: %s", name, strings.Join(args, " "), out.String(), errb.String())
		return "", "", nil
	}
}

func (c *dailyClient) mustRun(env []string, stdin string, name string, args ...string) string {
	c.t.Helper()
	out, errOut, err := c.run(env, stdin, name, args...)
	if err != nil {
		c.t.Fatalf("%s %s: %v\nstdout: %s\nstderr: %s", name, strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// background starts a long-running client (forwarding with -N) and stops
// it when the test ends.
func (c *dailyClient) background(name string, args ...string) {
	c.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = c.env()
	var errb syncBuffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if c.t.Failed() {
			c.t.Logf("%s stderr:\n%s", name, errb.String())
		}
	})
}

// transport is one way of reaching pqsshd: OpenSSH's ssh, or pqssh.
type transport struct {
	name string
	ssh  []string // the ssh command line, with -F
	// scpS is the -S argument for scp and sftp (none for OpenSSH's ssh).
	scpS []string
}

func (c *dailyClient) transports() []transport {
	return []transport{
		{name: "openssh", ssh: []string{"ssh", "-F", c.cfg}},
		{name: "pqssh", ssh: []string{c.pqssh, "-F", c.cfg}, scpS: []string{"-S", c.pqssh}},
	}
}

// command is tr.ssh plus args, as a shell-free argv.
func (tr transport) command(args ...string) (string, []string) {
	return tr.ssh[0], append(append([]string{}, tr.ssh[1:]...), args...)
}

// checkKex asserts that every login in the server's log used a
// post-quantum key exchange, and for pqssh the default multi-hybrid.
func checkKex(t *testing.T, e *testEnv, tr transport, logins int) {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(l, "accepted publickey") {
			lines = append(lines, l)
		}
	}
	if len(lines) < logins {
		t.Fatalf("%d logins in the server log, want at least %d:\n%s", len(lines), logins, e.logs.String())
	}
	for _, l := range lines {
		if !strings.Contains(l, "pq=true") {
			t.Errorf("%s login without a post-quantum key exchange: %s", tr.name, l)
		}
		multi := strings.Contains(l, "kex="+kex.MCELIECE6688128SNTRUP761X25519SHA512)
		if (tr.name == "pqssh") != multi {
			t.Errorf("%s login: unexpected key exchange: %s", tr.name, l)
		}
	}
}

func dailyRandomFile(t *testing.T, path string, size int) []byte {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return data
}

func dailySame(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes differ from the %d-byte source", path, len(got), len(want))
	}
}

// TestDailyFileTransfer: scp (SFTP mode, OpenSSH ≥ 9.0's default), sftp,
// rsync and git against pqsshd, each with OpenSSH's ssh and with pqssh as
// the transport (scp -S, sftp -S, rsync -e, GIT_SSH_COMMAND).
func TestDailyFileTransfer(t *testing.T) {
	dailyTool(t, "rsync", "git")
	c := newDailyClient(t)
	for _, tr := range c.transports() {
		t.Run(tr.name, func(t *testing.T) {
			c := c.sub(t)
			e := startServer(t, "", "Subsystem sftp internal-sftp")
			alias := "srv-" + tr.name
			c.addHost(alias, e, e.user, false)
			remote := t.TempDir() // the server runs as this user on this host
			local := t.TempDir()
			logins := 0

			// scp up and down.
			src := filepath.Join(local, "src.bin")
			data := dailyRandomFile(t, src, 300<<10)
			scp := append(append([]string{}, tr.scpS...), "-F", c.cfg)
			c.mustRun(nil, "", "scp", append(scp, src, alias+":"+filepath.Join(remote, "scp.bin"))...)
			dailySame(t, filepath.Join(remote, "scp.bin"), data)
			c.mustRun(nil, "", "scp", append(scp, alias+":"+filepath.Join(remote, "scp.bin"), filepath.Join(local, "back.bin"))...)
			dailySame(t, filepath.Join(local, "back.bin"), data)
			logins += 2
			if !strings.Contains(e.logs.String(), "subsystem=sftp") {
				t.Errorf("scp did not use the sftp subsystem:\n%s", e.logs.String())
			}

			// sftp batch: put, rename, get, a failing command ends the batch.
			batch := fmt.Sprintf("put %s %s/a.bin\nrename %s/a.bin %s/b.bin\nget %s/b.bin %s/sftp.bin\n",
				src, remote, remote, remote, remote, local)
			sftpArgs := append(append([]string{}, tr.scpS...), "-F", c.cfg, "-b", "-", alias)
			c.mustRun(nil, batch, "sftp", sftpArgs...)
			dailySame(t, filepath.Join(remote, "b.bin"), data)
			dailySame(t, filepath.Join(local, "sftp.bin"), data)
			if _, _, err := c.run(nil, "get "+remote+"/missing "+local+"/x\n", "sftp", sftpArgs...); err == nil {
				t.Error("sftp -b: a failed get did not fail the batch")
			}
			logins += 2

			// rsync a tree, then again after changing one file: only it moves.
			tree := filepath.Join(local, "tree")
			os.MkdirAll(filepath.Join(tree, "sub"), 0o755)
			one := dailyRandomFile(t, filepath.Join(tree, "one"), 100<<10)
			dailyRandomFile(t, filepath.Join(tree, "sub", "two"), 50<<10)
			rsh := strings.Join(tr.ssh, " ")
			c.mustRun(nil, "", "rsync", "-a", "-e", rsh, tree+"/", alias+":"+remote+"/tree/")
			dailySame(t, filepath.Join(remote, "tree", "one"), one)
			one = dailyRandomFile(t, filepath.Join(tree, "one"), 100<<10+1) // a new size: rsync's quick check sees it
			out := c.mustRun(nil, "", "rsync", "-a", "--stats", "-e", rsh, tree+"/", alias+":"+remote+"/tree/")
			if !strings.Contains(out, "Number of regular files transferred: 1\n") {
				t.Errorf("second rsync moved more than the changed file:\n%s", out)
			}
			dailySame(t, filepath.Join(remote, "tree", "one"), one)
			logins += 2

			// git: clone an empty bare repository, commit, push, clone again.
			bare := filepath.Join(remote, "repo.git")
			c.mustRun(nil, "", "git", "init", "-q", "--bare", bare)
			gitEnv := []string{"GIT_SSH_COMMAND=" + rsh}
			work := filepath.Join(local, "work")
			c.mustRun(gitEnv, "", "git", "clone", "-q", alias+":"+bare, work)
			os.WriteFile(filepath.Join(work, "f"), []byte("over "+tr.name+"\n"), 0o644)
			c.mustRun(nil, "", "git", "-C", work, "add", "f")
			c.mustRun(nil, "", "git", "-C", work, "commit", "-q", "-m", "via "+tr.name)
			c.mustRun(gitEnv, "", "git", "-C", work, "push", "-q", "origin", "HEAD:refs/heads/main")
			if got := c.mustRun(nil, "", "git", "--git-dir", bare, "log", "--format=%s", "main"); got != "via "+tr.name+"\n" {
				t.Errorf("pushed history: %q", got)
			}
			again := filepath.Join(local, "again")
			c.mustRun(gitEnv, "", "git", "clone", "-q", "-b", "main", alias+":"+bare, again)
			if got, _ := os.ReadFile(filepath.Join(again, "f")); string(got) != "over "+tr.name+"\n" {
				t.Errorf("cloned file: %q", got)
			}
			logins += 3
			checkKex(t, e, tr, logins)
		})
	}
}

// TestDailyProxyCommandW: OpenSSH's ssh reaches pqsshd through
// ProxyCommand="pqssh -W %h:%p jump", the way OpenSSH users chain hosts.
func TestDailyProxyCommandW(t *testing.T) {
	c := newDailyClient(t)
	jump := startServer(t, "", "")
	target := startServer(t, "", "")
	c.addHost("jump", jump, jump.user, false)
	c.addHost("target", target, target.user, false)
	proxy := fmt.Sprintf("ProxyCommand=%s -F %s -W %%h:%%p jump", c.pqssh, c.cfg)
	out := c.mustRun(nil, "", "ssh", "-F", c.cfg, "-o", proxy, "target", "echo proxied")
	if out != "proxied\n" {
		t.Fatalf("ssh through pqssh -W: %q", out)
	}
	_, port, _ := net.SplitHostPort(target.addr)
	jump.logs.waitLog(t, "dest=127.0.0.1:"+port)
	checkKex(t, jump, transport{name: "pqssh"}, 1)
	checkKex(t, target, transport{name: "openssh"}, 1)
}

// TestDailyForwarding: -L, -R, -D (SOCKS5) and -W through pqsshd, with
// OpenSSH's ssh and with pqssh.
func TestDailyForwarding(t *testing.T) {
	c := newDailyClient(t)
	_, echo := echoTarget(t)
	echoAddr := "127.0.0.1:" + strconv.Itoa(echo)
	for _, tr := range c.transports() {
		t.Run(tr.name, func(t *testing.T) {
			c := c.sub(t)
			e := startServer(t, "", "AllowTcpForwarding yes")
			alias := "fwd-" + tr.name
			c.addHost(alias, e, e.user, false)
			lport, rport, dport := dailyFreePort(t), dailyFreePort(t), dailyFreePort(t)
			name, args := tr.command("-N", "-o", "ExitOnForwardFailure=yes",
				"-L", fmt.Sprintf("127.0.0.1:%d:%s", lport, echoAddr),
				"-R", fmt.Sprintf("127.0.0.1:%d:%s", rport, echoAddr),
				"-D", fmt.Sprintf("127.0.0.1:%d", dport), alias)
			c.background(name, args...)

			// -L: local port → pqsshd → echo server.
			roundTrip(t, dailyDial(t, lport))
			e.logs.waitLog(t, "dest="+echoAddr)
			// -R: pqsshd listens; its connections come back to the client.
			e.logs.waitLog(t, "remote forwarding")
			roundTrip(t, dailyDial(t, rport))
			// -D: SOCKS5 CONNECT to the echo server.
			s := dailyDial(t, dport)
			if err := socks5Connect(s, echo); err != nil {
				t.Fatalf("SOCKS5: %v", err)
			}
			roundTrip(t, s)

			// -W: stdio to the echo server, in its own connection.
			name, args = tr.command("-W", echoAddr, alias)
			if out := c.mustRun(nil, "via -W", name, args...); out != "via -W" {
				t.Fatalf("-W: %q", out)
			}
			checkKex(t, e, tr, 2)
		})
	}
}

// dailyFreePort returns a loopback port nothing listens on (yet).
func dailyFreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// dailyDial connects to a forwarding set up by a client in the background,
// retrying for up to 20 s while it comes up.
func dailyDial(t *testing.T, port int) net.Conn {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for i := 0; i < 400; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listening on %s", addr)
	return nil
}

// socks5Connect performs a SOCKS5 (RFC 1928) no-authentication CONNECT to
// 127.0.0.1:port on c.
func socks5Connect(c net.Conn, port int) error {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write([]byte{5, 1, 0}); err != nil {
		return err
	}
	var r [10]byte
	if _, err := io.ReadFull(c, r[:2]); err != nil || r[0] != 5 || r[1] != 0 {
		return fmt.Errorf("method selection: % x %v", r[:2], err)
	}
	req := []byte{5, 1, 0, 1, 127, 0, 0, 1, 0, 0}
	binary.BigEndian.PutUint16(req[8:], uint16(port))
	if _, err := c.Write(req); err != nil {
		return err
	}
	if _, err := io.ReadFull(c, r[:]); err != nil || r[1] != 0 {
		return fmt.Errorf("connect reply: % x %v", r, err)
	}
	return nil
}

// TestDailyProxyJumpTwoHops: -J hop1,hop2 through two pqsshd jump hosts to
// a third, with OpenSSH's ssh and with pqssh; each hop's log shows the
// forwarding to the next.
func TestDailyProxyJumpTwoHops(t *testing.T) {
	c := newDailyClient(t)
	for _, tr := range c.transports() {
		t.Run(tr.name, func(t *testing.T) {
			c := c.sub(t)
			hop1, hop2, target := startServer(t, "", ""), startServer(t, "", ""), startServer(t, "", "")
			c.addHost("hop1-"+tr.name, hop1, hop1.user, false)
			c.addHost("hop2-"+tr.name, hop2, hop2.user, false)
			c.addHost("target-"+tr.name, target, target.user, false)
			name, args := tr.command("-J", "hop1-"+tr.name+",hop2-"+tr.name, "target-"+tr.name, "echo through two hops")
			if out := c.mustRun(nil, "", name, args...); out != "through two hops\n" {
				t.Fatalf("-J: %q", out)
			}
			_, p2, _ := net.SplitHostPort(hop2.addr)
			_, pt, _ := net.SplitHostPort(target.addr)
			hop1.logs.waitLog(t, "dest=127.0.0.1:"+p2)
			hop2.logs.waitLog(t, "dest=127.0.0.1:"+pt)
			for _, e := range []*testEnv{hop1, hop2, target} {
				checkKex(t, e, tr, 1)
			}
		})
	}
}

// TestDailyAgentForwarding: with OpenSSH's ssh-agent holding the key, -A
// makes the agent usable inside the pqsshd session (ssh-add -l lists the
// key; OpenSSH's ssh in the session logs in to a second pqsshd with it),
// and without -A there is no agent in the session. pqssh also
// authenticates with a key that is only in the agent.
func TestDailyAgentForwarding(t *testing.T) {
	dailyTool(t, "ssh-agent", "ssh-add")
	c := newDailyClient(t)
	sock := filepath.Join(c.home, "agent.sock")
	agentCmd := exec.Command("ssh-agent", "-D", "-a", sock)
	agentCmd.Env = c.env()
	if err := agentCmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agentCmd.Process.Kill(); agentCmd.Wait() })
	for i := 0; i < 200; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	agentEnv := []string{"SSH_AUTH_SOCK=" + sock}
	c.mustRun(agentEnv, "", "ssh-add", "-q", c.key)
	fp := gossh.FingerprintSHA256(c.signer.PublicKey())

	second := startServer(t, "", "")
	c.addHost("second", second, second.user, false)
	// A config with no usable identity file: only an agent can log in.
	agentCfg := filepath.Join(c.home, "agent_config")
	cfg, _ := os.ReadFile(c.cfg)
	cfg = bytes.ReplaceAll(cfg, []byte("IdentityFile "+c.key), []byte("IdentityFile "+c.key+".absent"))
	cfg = bytes.ReplaceAll(cfg, []byte("IdentitiesOnly yes"), []byte("IdentitiesOnly no"))
	os.WriteFile(agentCfg, cfg, 0o600)

	for _, tr := range c.transports() {
		t.Run(tr.name, func(t *testing.T) {
			c := c.sub(t)
			e := startServer(t, "", "")
			alias := "agent-" + tr.name
			c.addHost(alias, e, e.user, false)
			hop := "ssh -F " + agentCfg + " second echo via-forwarded-agent"
			name, args := tr.command("-A", alias, "ssh-add -l; "+hop)
			out := c.mustRun(agentEnv, "", name, args...)
			if !strings.Contains(out, fp) || !strings.Contains(out, "via-forwarded-agent\n") {
				t.Fatalf("-A: want %s listed and the second login to work:\n%s", fp, out)
			}
			// Without -A (and with -a overriding ForwardAgent) the session
			// has no agent: ssh-add exits 2.
			for _, flag := range [][]string{nil, {"-o", "ForwardAgent=yes", "-a"}} {
				name, args = tr.command(append(flag, alias, "ssh-add -l; echo status=$?")...)
				if out := c.mustRun(agentEnv, "", name, args...); !strings.Contains(out, "status=2") {
					t.Errorf("agent reachable in the session with %q: %q", flag, out)
				}
			}
		})
	}
	// pqssh authenticates with the agent's key alone.
	out := c.mustRun(agentEnv, "", c.pqssh, "-F", agentCfg, "second", "echo agent-auth")
	if out != "agent-auth\n" {
		t.Fatalf("pqssh with the agent: %q", out)
	}
	if _, _, err := c.run(nil, "", c.pqssh, "-F", agentCfg, "second", "true"); err == nil {
		t.Fatal("pqssh logged in with neither a key file nor an agent")
	}
}

// TestDailyLogsByteCounts: a session's end and an authenticated
// connection's close are logged with the bytes moved, as OpenSSH's
// "Transferred:" line; the session counts match what the client sent and
// received.
func TestDailyLogsByteCounts(t *testing.T) {
	e := startServer(t, "", "")
	c := e.mustDial()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	s.Stdin = strings.NewReader(strings.Repeat("x", 12345))
	out, err := s.Output("cat; printf 12 >&2")
	if err != nil || len(out) != 12345 {
		t.Fatalf("cat: %d bytes, %v", len(out), err)
	}
	e.logs.waitLog(t, `msg="session ended" conn=`)
	if !strings.Contains(e.logs.String(), "status=0 bytes_in=12345 bytes_out=12347") {
		t.Errorf("session end lacks the byte counts (12345 in, 12345+2 out):\n%s", e.logs.String())
	}
	c.Close()
	e.logs.waitLog(t, `level=INFO msg="connection closed"`)
	for _, l := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(l, `msg="connection closed"`) {
			var in, outN int
			if i := strings.Index(l, "bytes_in="); i >= 0 {
				fmt.Sscanf(l[i:], "bytes_in=%d bytes_out=%d", &in, &outN)
			}
			// The wire carries the data plus key exchange and framing.
			if in < 12345 || outN < 12347 || !strings.Contains(l, "user="+e.user) {
				t.Errorf("connection close line: %s", l)
			}
		}
	}
}

// TestDailyLogsFailedKeyFingerprint: a refused key is logged at INFO with
// its fingerprint and the reason, beside the accepted one's line.
func TestDailyLogsFailedKeyFingerprint(t *testing.T) {
	e := startServer(t, "", "")
	bad := newSigner(t)
	if _, err := e.dial(e.user, bad); err == nil {
		t.Fatal("unknown key accepted")
	}
	e.logs.waitLog(t, `level=INFO msg="failed publickey" user=`+e.user)
	e.logs.waitLog(t, "key="+gossh.FingerprintSHA256(bad.PublicKey()))
	e.mustDial()
	e.logs.waitLog(t, `level=INFO msg="accepted publickey" user=`+e.user)
}

// TestDailyClientKilled: pqssh killed by SIGTERM (no terminal) exits 255
// with OpenSSH's "Killed by signal 15." and pqsshd ends the remote command
// with the connection: nothing of the session is left running.
func TestDailyClientKilled(t *testing.T) {
	c := newDailyClient(t)
	e := startServer(t, "", "")
	c.addHost("k", e, e.user, false)
	marker := fmt.Sprintf("pqssh-daily-sleep-%d", time.Now().UnixNano())
	cmd := exec.Command(c.pqssh, "-F", c.cfg, "-o", "LogLevel=INFO", "k", "exec -a "+marker+" sleep 300")
	cmd.Env = c.env()
	var errb syncBuffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e.logs.waitLog(t, "session started")
	for i := 0; ; i++ { // the remote command is running
		if len(dailyPids(marker)) > 0 {
			break
		}
		if i > 400 {
			cmd.Process.Kill()
			t.Fatal("remote command never started")
		}
		time.Sleep(25 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if cmd.ProcessState.ExitCode() != 255 || !strings.Contains(errb.String(), "Killed by signal 15.") {
		t.Errorf("pqssh after SIGTERM: %v, stderr %q; want exit 255 and \"Killed by signal 15.\"", err, errb.String())
	}
	e.logs.waitLog(t, "session ended")
	for i := 0; ; i++ {
		pids := dailyPids(marker)
		if len(pids) == 0 {
			break
		}
		if i > 400 {
			for _, pid := range pids { // this test's own sleep, by id
				syscall.Kill(pid, syscall.SIGKILL)
			}
			t.Fatal("the remote command outlived the connection")
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// dailyPids returns the processes whose argv[0] is name (from /proc).
func dailyPids(name string) []int {
	var pids []int
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err == nil && strings.HasPrefix(string(b), name+"\x00") {
			pids = append(pids, pid)
		}
	}
	return pids
}
