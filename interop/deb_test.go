//go:build interop && linux

package interop_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	"github.com/pqssh/pqssh/interop/peers"
)

// debRecipe is a fresh Debian 13 with OpenSSH 10.0 (client and server) and
// man-db: the machine the Debian package of make deb is installed on.
var debRecipe = peers.Trixie.Union(harness.Recipe{Suite: "trixie", Packages: []string{"man-db"}})

// debFile is the package under test: $PQSSH_DEB, or the one make deb left
// in bin/deb.
func debFile(t *testing.T) string {
	t.Helper()
	if f := os.Getenv("PQSSH_DEB"); f != "" {
		return f
	}
	m, _ := filepath.Glob(filepath.Join(binDir, "deb", "pqssh_*.deb"))
	if len(m) != 1 {
		t.Fatalf("want one bin/deb/pqssh_*.deb (make deb), found %q", m)
	}
	return m[0]
}

// unitExec returns the command lines of key (ExecStartPre, ExecStart) in
// a systemd unit, in order.
func unitExec(unit, key string) [][]string {
	var cmds [][]string
	for l := range strings.Lines(unit) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), key+"="); ok {
			cmds = append(cmds, strings.Fields(v))
		}
	}
	return cmds
}

// TestDebPackage installs the Debian package of make deb with apt in a
// fresh trixie container that has openssh-server, and checks what an
// administrator relies on: the manual pages render with man, the unit
// passes systemd-analyze verify, the maintainer script made pqsshd's own
// host keys (and a reinstall keeps them), pqsshd is the cgo build (ldd
// shows libpam) with UsePAM yes and its own PAM service /etc/pam.d/pqsshd,
// pqsshd started as the unit starts it (ExecStartPre, then ExecStart with
// a NOTIFY_SOCKET) reports READY=1 and listens on the package's port 2222
// while OpenSSH's sshd serves port 22, the packaged pqssh and OpenSSH's
// ssh log in to it with the package's host keys, ssh logs in with a
// password through PAM (and a wrong one is refused), and removing and
// purging the package leaves /etc/ssh and sshd as they were.
func TestDebPackage(t *testing.T) {
	deb, err := os.ReadFile(debFile(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := lab.NewContainer(ctx, "deb", debRecipe)
	if err != nil {
		t.Fatal(err)
	}
	sh := func(script string) string {
		t.Helper()
		out, err := c.Sh(ctx, script)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	etcSSH := "find /etc/ssh -type f | sort | xargs sha256sum"
	sshBefore := sh(etcSSH)

	if err := c.WriteFile("/tmp/pqssh.deb", deb, 0o644); err != nil {
		t.Fatal(err)
	}
	// apt installs a local package without a network when it needs
	// nothing else: pqssh and pqssh-keygen are static, and what pqsshd
	// depends on (libc6, libpam0g, libpam-modules, libpam-runtime) came
	// with openssh-server.
	out := sh("DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/pqssh.deb 2>&1")
	t.Logf("apt-get install:\n%s", out)
	if !strings.Contains(out, "Creating pqsshd host key /etc/pqssh/ssh_host_mldsa44_ed25519_key") {
		t.Errorf("postinst did not make the ML-DSA host key:\n%s", out)
	}
	if got := sh("dpkg-query -W -f '${Status}' pqssh"); got != "install ok installed" {
		t.Fatalf("dpkg status %q", got)
	}
	if got := sh("for p in pqssh pqsshd pqssh-keygen; do command -v $p; done"); got != "/usr/bin/pqssh\n/usr/sbin/pqsshd\n/usr/bin/pqssh-keygen\n" {
		t.Errorf("programs on PATH: %q", got)
	}
	if got := sh(etcSSH); got != sshBefore {
		t.Errorf("installing changed /etc/ssh:\nbefore\n%s\nafter\n%s", sshBefore, got)
	}
	// pqsshd is the cgo build, linked with libpam, and the package's
	// configuration and PAM service agree.
	if got := sh("ldd /usr/sbin/pqsshd"); !strings.Contains(got, "libpam.so.0 => /") {
		t.Errorf("ldd /usr/sbin/pqsshd shows no libpam:\n%s", got)
	}
	if got := sh("dpkg-query -W -f '${Conffiles}' pqssh"); !strings.Contains(got, " /etc/pam.d/pqsshd ") || !strings.Contains(got, " /etc/pqssh/pqsshd_config ") {
		t.Errorf("conffiles:\n%s", got)
	}
	effective := sh("pqsshd -T")
	for _, want := range []string{"usepam yes", "pamservicename pqsshd", "passwordauthentication yes", "kbdinteractiveauthentication no"} {
		if !strings.Contains("\n"+effective, "\n"+want+"\n") {
			t.Errorf("pqsshd -T lacks %q:\n%s", want, effective)
		}
	}
	if got := sh("pqsshd -t 2>&1"); got != "" {
		t.Errorf("pqsshd -t on the package's configuration says:\n%s", got)
	}

	// man renders every page.
	for _, page := range []struct{ args, want string }{
		{"pqssh", "OpenSSH-compatible SSH client with post-quantum key exchange"},
		{"pqssh-keygen", "make, sign and inspect SSH keys"},
		{"8 pqsshd", "OpenSSH-compatible SSH server with post-quantum key exchange"},
		{"5 pqsshd_config", "pqsshd configuration file"},
	} {
		got := sh("MANWIDTH=120 man -P cat " + page.args + " 2>&1")
		if !strings.Contains(got, page.want) || !strings.Contains(got, "SEE ALSO") {
			t.Errorf("man %s:\n%s", page.args, got)
		}
	}
	// The bash completion the package installs completes the key types.
	if got := sh(`bash -c 'source /usr/share/bash-completion/completions/pqssh-keygen; COMP_WORDS=(pqssh-keygen -t mldsa-6); COMP_CWORD=2; _pqssh_keygen; echo "${COMPREPLY[@]}"'`); got != "mldsa-65\n" {
		t.Errorf("installed bash completion of pqssh-keygen -t mldsa-6: %q", got)
	}

	unitPath := "/usr/lib/systemd/system/pqsshd.service"
	if out, err := c.Run(ctx, harness.Exec{Args: []string{"systemd-analyze", "verify", unitPath}}); err != nil || out.ExitCode != 0 {
		t.Errorf("systemd-analyze verify %s: %v\n%s%s", unitPath, err, out.Stdout, out.Stderr)
	} else if out.Stderr != "" {
		t.Errorf("systemd-analyze verify %s warns:\n%s", unitPath, out.Stderr)
	}
	unitData, err := c.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	unit := string(unitData)
	for _, want := range []string{"Type=notify", "KillMode=process", "RuntimeDirectory=pqsshd"} {
		if !strings.Contains(unit, "\n"+want+"\n") {
			t.Errorf("unit lacks %s", want)
		}
	}

	// The host keys: made once, kept by a reinstall.
	keys := "stat -c '%a %n' /etc/pqssh/ssh_host_*_key && sha256sum /etc/pqssh/ssh_host_*_key*"
	keysBefore := sh(keys)
	if !strings.Contains(keysBefore, "600 /etc/pqssh/ssh_host_ed25519_key\n") || !strings.Contains(keysBefore, "600 /etc/pqssh/ssh_host_mldsa44_ed25519_key\n") {
		t.Errorf("host keys:\n%s", keysBefore)
	}
	out = sh("dpkg -i /tmp/pqssh.deb 2>&1")
	if strings.Contains(out, "Creating pqsshd host key") {
		t.Errorf("reinstalling made host keys again:\n%s", out)
	}
	if got := sh(keys); got != keysBefore {
		t.Errorf("reinstalling changed the host keys:\nbefore\n%s\nafter\n%s", keysBefore, got)
	}

	// pqsshd as systemd starts it: ExecStartPre must succeed, then
	// ExecStart runs with NOTIFY_SOCKET and the RuntimeDirectory.
	for _, pre := range unitExec(unit, "ExecStartPre") {
		if res, err := c.Run(ctx, harness.Exec{Args: pre}); err != nil || res.ExitCode != 0 {
			t.Fatalf("ExecStartPre %q: %v %s", pre, err, res.Stderr)
		}
	}
	start := unitExec(unit, "ExecStart")
	if len(start) != 1 || start[0][0] != "/usr/sbin/pqsshd" {
		t.Fatalf("ExecStart lines %q", start)
	}
	notify, err := c.Start("notify", "socat", "-u", "UNIX-RECV:/run/pqsshd-notify", "STDOUT")
	if err != nil {
		t.Fatal(err)
	}
	defer notify.Stop()
	sh("mkdir -m 0755 -p /run/pqsshd; for i in $(seq 100); do test -S /run/pqsshd-notify && exit 0; sleep 0.1; done; exit 1")
	pqsshd, err := c.Start("pqsshd", append([]string{"env", "NOTIFY_SOCKET=/run/pqsshd-notify"}, start[0]...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		pqsshd.Stop()
		if t.Failed() {
			t.Logf("pqsshd's output:\n%s", pqsshd.Output())
		}
	}()
	if err := c.WaitListening(ctx, pqsshd, 2222); err != nil {
		t.Fatal(err)
	}
	sshd, err := c.Start("sshd", "/usr/sbin/sshd", "-D", "-e", "-o", "UsePAM=no")
	if err != nil {
		t.Fatal(err)
	}
	defer sshd.Stop()
	if err := c.WaitListening(ctx, sshd, 22); err != nil {
		t.Fatal(err)
	}
	for i := 0; !strings.Contains(notify.Output(), "READY=1"); i++ {
		if i == 100 {
			t.Fatalf("pqsshd sent no READY=1 to NOTIFY_SOCKET: %q", notify.Output())
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A user with a key of each kind, made with the packaged pqssh-keygen
	// and OpenSSH's ssh-keygen.
	// "*": no password, but not a locked account (sshd -o UsePAM=no
	// refuses locked ones).
	asAlice := "runuser -u alice -- env HOME=/home/alice USER=alice LOGNAME=alice "
	sh(`useradd -m -s /bin/sh -p '*' alice
` + asAlice + `sh -ec 'mkdir -m 700 ~/.ssh
pqssh-keygen -q -t mldsa44-ed25519 -f ~/.ssh/id_mldsa44_ed25519 -N ""
ssh-keygen -q -t ed25519 -f ~/.ssh/id_ed25519 -N ""
cat ~/.ssh/id_*.pub > ~/.ssh/authorized_keys'`)
	// login.sh PORT CLIENT...: a first contact as alice with 127.0.0.1:PORT,
	// then the known_hosts lines the client wrote, the first contact's
	// first (OpenSSH 10.0's ssh-keygen -F skips ML-DSA keys: not hashed).
	loginScript := `cd; rm -f .ssh/known_hosts
port=$1; shift
"$@" -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o HashKnownHosts=no -p "$port" alice@127.0.0.1 'echo logged in as $(id -un)' || exit
cat .ssh/known_hosts
`
	if err := c.WriteFile("/tmp/login.sh", []byte(loginScript), 0o755); err != nil {
		t.Fatal(err)
	}
	// pubs are the "type base64" of the public keys in files matching glob.
	pubs := func(glob string) []string {
		var keys []string
		for l := range strings.Lines(sh("cat " + glob)) {
			if f := strings.Fields(l); len(f) >= 2 {
				keys = append(keys, f[0]+" "+f[1])
			}
		}
		return keys
	}
	for _, login := range []struct {
		name, cmd, port, hostKeys, kex string
	}{
		// pqssh prefers the ML-DSA host key; OpenSSH 10.0 knows only
		// the Ed25519 one of the package's keys; against sshd, pqssh
		// stores one of OpenSSH's keys, never pqsshd's.
		{"pqssh to pqsshd", "pqssh -v", "2222", "/etc/pqssh/ssh_host_mldsa44_ed25519_key.pub", "mceliece6688128sntrup761x25519-sha512@pqssh.org"},
		{"ssh to pqsshd", "ssh -v", "2222", "/etc/pqssh/ssh_host_ed25519_key.pub", "mlkem768x25519-sha256"},
		{"pqssh to sshd", "pqssh -v", "22", "/etc/ssh/ssh_host_*_key.pub", "mlkem768x25519-sha256"},
	} {
		res, err := c.Run(ctx, harness.Exec{Args: append(strings.Fields(asAlice+"sh /tmp/login.sh "+login.port), strings.Fields(login.cmd)...)})
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitN(string(res.Stdout), "\n", 2)
		if res.ExitCode != 0 || lines[0] != "logged in as alice" {
			t.Errorf("%s: exit %d, stdout %q\n%s", login.name, res.ExitCode, res.Stdout, res.Stderr)
			continue
		}
		first, _, _ := strings.Cut(lines[1], "\n")
		if f := strings.Fields(first); len(f) < 3 || !slices.Contains(pubs(login.hostKeys), f[1]+" "+f[2]) {
			t.Errorf("%s: known_hosts starts with %q, want a key of %s", login.name, first, login.hostKeys)
		}
		if !strings.Contains(res.Stderr, "kex: algorithm: "+login.kex) {
			t.Errorf("%s: no %q in\n%s", login.name, "kex: algorithm: "+login.kex, res.Stderr)
		}
	}
	if !strings.Contains(pqsshd.Output(), "Accepted publickey for alice") {
		t.Errorf("pqsshd logged no accepted login:\n%s", pqsshd.Output())
	}

	// A password login through PAM with OpenSSH's ssh (SSH_ASKPASS gives
	// the password): pam_unix checks it, and the session has the limit of
	// pam_limits, which /etc/pam.d/pqsshd runs (common-session does not).
	// A wrong password is refused.
	sh(`useradd -m -s /bin/sh bob
echo 'bob:Deb-Pass-7' | chpasswd
echo 'bob - nofile 2345' > /etc/security/limits.d/pqssh-test.conf
printf '#!/bin/sh\necho "$PW"\n' > /tmp/askpass
chmod 755 /tmp/askpass`)
	pwLogin := func(pw string) (*harness.Result, error) {
		return c.Run(ctx, harness.Exec{Args: []string{"sh", "-c", "PW=" + pw + " SSH_ASKPASS=/tmp/askpass SSH_ASKPASS_REQUIRE=force setsid ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PreferredAuthentications=password -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1 -p 2222 bob@127.0.0.1 'echo $(id -un) $(ulimit -n)' </dev/null"}})
	}
	if res, err := pwLogin("Deb-Pass-7"); err != nil {
		t.Fatal(err)
	} else if res.ExitCode != 0 || string(res.Stdout) != "bob 2345\n" {
		t.Errorf("password login through PAM: exit %d, stdout %q, want %q\n%s", res.ExitCode, res.Stdout, "bob 2345\n", res.Stderr)
	}
	if res, err := pwLogin("wrong"); err != nil {
		t.Fatal(err)
	} else if res.ExitCode == 0 {
		t.Errorf("a wrong password logged in: %q", res.Stdout)
	}
	for i := 0; !strings.Contains(pqsshd.Output(), "Accepted password for bob from 127.0.0.1") || !strings.Contains(pqsshd.Output(), "Failed password for bob from 127.0.0.1"); i++ {
		if i == 100 {
			t.Errorf("pqsshd logged no accepted and failed password for bob:\n%s", pqsshd.Output())
			break
		}
		time.Sleep(100 * time.Millisecond)
	}

	// ExecReload: check, then SIGHUP; pqsshd keeps listening.
	for _, cmd := range unitExec(unit, "ExecReload") {
		for i, a := range cmd {
			cmd[i] = strings.ReplaceAll(a, "$MAINPID", fmt.Sprint(pidOf(t, sh, "/usr/sbin/pqsshd")))
		}
		if res, err := c.Run(ctx, harness.Exec{Args: cmd}); err != nil || res.ExitCode != 0 {
			t.Fatalf("ExecReload %q: %v %v", cmd, err, res)
		}
	}
	if res, err := c.Run(ctx, harness.Exec{Args: []string{"sh", "-c", asAlice + "pqssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -p 2222 alice@127.0.0.1 true"}}); err != nil || res.ExitCode != 0 {
		t.Errorf("login after reload: %v %v", err, res)
	}
	pqsshd.Stop()
	sshd.Stop()

	out = sh("DEBIAN_FRONTEND=noninteractive apt-get remove -y pqssh 2>&1; test ! -e /usr/sbin/pqsshd; test -e /etc/pqssh/pqsshd_config; test -e /etc/pam.d/pqsshd; test -e /etc/pqssh/ssh_host_ed25519_key; echo removed")
	if !strings.HasSuffix(out, "removed\n") {
		t.Errorf("remove: %s", out)
	}
	out = sh("DEBIAN_FRONTEND=noninteractive apt-get purge -y pqssh 2>&1; test ! -e /etc/pqssh; test ! -e /etc/pam.d/pqsshd; test -e /etc/pam.d/sshd; test -x /usr/sbin/sshd; echo purged")
	if !strings.HasSuffix(out, "purged\n") {
		t.Errorf("purge: %s", out)
	}
	if got := sh(etcSSH); got != sshBefore {
		t.Errorf("the package changed /etc/ssh:\nbefore\n%s\nafter\n%s", sshBefore, got)
	}
}

// pidOf returns the PID (inside the container) of the listener started as
// "argv0 -D", whose process title reads "pqsshd: argv0 -D [listener] …".
func pidOf(t *testing.T, sh func(string) string, argv0 string) int {
	t.Helper()
	var pid int
	out := sh(`for d in /proc/[0-9]*; do
	case "$(tr '\0' ' ' <$d/cmdline 2>/dev/null)" in
	"` + filepath.Base(argv0) + `: ` + argv0 + ` -D [listener] "*) echo ${d#/proc/};;
	esac
done; true`)
	for _, f := range strings.Fields(out) {
		fmt.Sscan(f, &pid)
	}
	if pid == 0 {
		t.Fatalf("no process %s -D", argv0)
	}
	return pid
}
