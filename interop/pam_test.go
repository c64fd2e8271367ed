//go:build interop && linux

package interop_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
)

// PAMHost is a Debian 13 root filesystem for the PAM and NSS tests:
// Debian's PAM modules (minbase has libpam-modules), OpenSSH's client and
// sshpass for password logins, libnss-extrausers for accounts that are
// not in /etc/passwd; openssh-server for Debian's stock /etc/pam.d/sshd
// (its sshd is never started), and the login records of Debian 13
// (wtmpdb's last, lastlog2), which their PAM modules write
// (pam-auth-update adds both to common-session).
var PAMHost = harness.Recipe{Suite: "trixie", Packages: []string{
	"openssh-client", "sshpass", "libnss-extrausers", "bsdextrautils", "procps",
	"openssh-server", "wtmpdb", "libpam-wtmpdb", "lastlog2", "libpam-lastlog2",
}}

var (
	pamOnce sync.Once
	pamC    *harness.Container
	pamErr  error
)

// pamHost returns the PAM container, started and set up on first use: a
// user with a password and a pam_limits limit, two PAM services (pam_unix
// through Debian's common-* files; and two prompts: pam_unix's password,
// then pam_stress's, whose answer pam_exec checks as an OTP), askpass
// programs, and a user from libnss-extrausers only.
func pamHost(t *testing.T) *harness.Container {
	t.Helper()
	pamOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		if pamC, pamErr = lab.NewContainer(ctx, "pam", PAMHost); pamErr == nil {
			_, pamErr = pamC.Sh(ctx, pamSetup)
		}
	})
	if pamErr != nil {
		t.Fatal(pamErr)
	}
	return pamC
}

const pamSetup = `
useradd -m -s /bin/bash pamuser
echo 'pamuser:Pam-Pass-1' | chpasswd
echo 'pamuser - nofile 3333' > /etc/security/limits.d/pqt.conf
cat > /etc/pam.d/pqsshd-pw <<'END'
@include common-auth
@include common-account
session required pam_limits.so
@include common-session
END
cat > /usr/local/bin/otp-check <<'END'
#!/bin/sh
tok=$(/usr/bin/head -c 100 | /usr/bin/tr -d '\000')
[ "$tok" = otp-4242 ]
END
cat > /etc/pam.d/pqsshd-kbd <<'END'
auth requisite pam_unix.so
auth requisite pam_stress.so
auth required pam_exec.so expose_authtok quiet /usr/local/bin/otp-check
@include common-account
session required pam_limits.so
@include common-session
END
cat > /usr/local/bin/pw-askpass <<'END'
#!/bin/sh
echo "$1" >> /tmp/askpass.prompts
echo Pam-Pass-1
END
cat > /usr/local/bin/kbd-askpass <<'END'
#!/bin/sh
n=$(cat /tmp/askpass.n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /tmp/askpass.n
echo "$1" >> /tmp/askpass.prompts
if [ $n = 1 ]; then echo Pam-Pass-1; else echo otp-4242; fi
END
chmod 755 /usr/local/bin/otp-check /usr/local/bin/pw-askpass /usr/local/bin/kbd-askpass
mkdir -p /etc/pqt /var/lib/extrausers /root/.ssh
ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/id_ed25519
echo 'nssuser:x:2345:2345:NSS user:/home/nssuser:/bin/bash' > /var/lib/extrausers/passwd
echo 'nssuser:x:2345:' > /var/lib/extrausers/group
sed -i 's/^passwd:.*/passwd: files extrausers/; s/^group:.*/group: files extrausers/' /etc/nsswitch.conf
mkdir -p /home/nssuser/.ssh
cp /root/.ssh/id_ed25519.pub /home/nssuser/.ssh/authorized_keys
chown -R 2345:2345 /home/nssuser
chmod 700 /home/nssuser/.ssh
! grep -q nssuser /etc/passwd
getent passwd nssuser
`

// startPQSSHD starts bin (a pqsshd) in c on port with the given settings
// and returns it once it listens.
func startPQSSHD(t *testing.T, c *harness.Container, bin string, port int, settings string) *harness.Process {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := fmt.Sprintf("/etc/pqt/sshd_config_%d", port)
	text := fmt.Sprintf("Port %d\nListenAddress 127.0.0.1\nHostKey /etc/pqt/hostkey_%d\nPerSourcePenalties no\n%s\n", port, port, settings)
	if _, err := c.Sh(ctx, "mkdir -p /etc/pqt"); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := c.Start(fmt.Sprintf("pqsshd:%d", port), bin, "-D", "-e", "-f", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	if err := c.WaitListening(ctx, p, port); err != nil {
		t.Fatal(err)
	}
	return p
}

// sshOpts are the client options of every login here (a fresh host key
// each run).
const sshOpts = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"

// TestPAM logs in through pqsshd's PAM (the cgo build, bin/pam/pqsshd)
// with OpenSSH 10.0's ssh and with pqssh: passwords through a pam_unix
// stack (sshpass for ssh, SSH_ASKPASS for pqssh), keyboard-interactive
// through a stack with two prompts (SSH_ASKPASS for both); each session
// has pam_limits' `ulimit -n`, the user's shell, and pqsshd logs sshd's
// Accepted/Failed lines.
func TestPAM(t *testing.T) {
	c := pamHost(t)
	pw := startPQSSHD(t, c, "/pqssh/bin/pam/pqsshd", 2201, "UsePAM yes\nPAMServiceName pqsshd-pw\nKbdInteractiveAuthentication no")
	kbd := startPQSSHD(t, c, "/pqssh/bin/pam/pqsshd", 2202, "UsePAM yes\nPAMServiceName pqsshd-kbd\nPasswordAuthentication no")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const want = "3333 /bin/bash pamuser"
	const cmd = `'echo $(ulimit -n) $SHELL $(id -un)'`
	askpass := func(prog string) string {
		return "SSH_ASKPASS=/usr/local/bin/" + prog + " SSH_ASKPASS_REQUIRE=force setsid "
	}
	for _, tc := range []struct{ name, script string }{
		{"ssh password", "sshpass -p Pam-Pass-1 ssh " + sshOpts + " -o PreferredAuthentications=password -p 2201 pamuser@127.0.0.1 " + cmd},
		{"pqssh password", askpass("pw-askpass") + "/pqssh/bin/pqssh " + sshOpts + " -o PreferredAuthentications=password -p 2201 pamuser@127.0.0.1 " + cmd},
		{"ssh keyboard-interactive", askpass("kbd-askpass") + "ssh " + sshOpts + " -o PreferredAuthentications=keyboard-interactive -p 2202 pamuser@127.0.0.1 " + cmd},
		{"pqssh keyboard-interactive", askpass("kbd-askpass") + "/pqssh/bin/pqssh " + sshOpts + " -o PreferredAuthentications=keyboard-interactive -p 2202 pamuser@127.0.0.1 " + cmd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.Sh(ctx, "rm -f /tmp/askpass.n /tmp/askpass.prompts\n"+tc.script+" </dev/null")
			if err != nil {
				t.Fatalf("%v\npassword server:\n%s\nkeyboard-interactive server:\n%s", err, tail(pw.Output()), tail(kbd.Output()))
			}
			if got := strings.TrimSpace(out); got != want {
				t.Errorf("session printed %q, want %q", got, want)
			}
			if strings.Contains(tc.name, "keyboard") {
				prompts, _ := c.Sh(ctx, "cat /tmp/askpass.prompts")
				if n := strings.Count(prompts, "\n"); n != 2 {
					t.Errorf("%d prompts, want pam_unix's and pam_stress's:\n%s", n, prompts)
				}
			}
		})
	}
	if _, err := c.Sh(ctx, "sshpass -p wrong ssh "+sshOpts+" -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 -p 2201 pamuser@127.0.0.1 true"); err == nil {
		t.Error("a wrong password logged in")
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, l := range []struct {
		p    *harness.Process
		line string
	}{
		{pw, "Accepted password for pamuser from 127.0.0.1 port "},
		{pw, "Failed password for pamuser from 127.0.0.1 port "},
		{kbd, "Accepted keyboard-interactive/pam for pamuser from 127.0.0.1 port "},
	} {
		for !strings.Contains(l.p.Output(), l.line) {
			if time.Now().After(deadline) {
				t.Fatalf("%s log lacks %q:\n%s", l.p.Name, l.line, tail(l.p.Output()))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// TestNSSUser logs in with a key as a user that only libnss-extrausers
// knows: both pqsshd builds (without cgo: getent(1); with cgo:
// getpwnam_r) give the session the user's shell, home and uid.
func TestNSSUser(t *testing.T) {
	c := pamHost(t)
	startPQSSHD(t, c, "/pqssh/bin/pqsshd", 2203, "")
	startPQSSHD(t, c, "/pqssh/bin/pam/pqsshd", 2204, "")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, port := range []int{2203, 2204} {
		out, err := c.Sh(ctx, fmt.Sprintf("ssh %s -o BatchMode=yes -p %d nssuser@127.0.0.1 'echo $SHELL $(pwd) $(id -u)'", sshOpts, port))
		if err != nil {
			t.Fatalf("port %d: %v", port, err)
		}
		if got := strings.TrimSpace(out); got != "/bin/bash /home/nssuser 2345" {
			t.Errorf("port %d: session printed %q, want the extrausers entry's shell, home and uid", port, got)
		}
	}
}

// TestLoginRecordsBookworm: on Debian 12 (util-linux's last, login's
// lastlog), a terminal session through pqsshd is listed by who(1) while it
// runs, and by last(1) and lastlog(8) after it.
func TestLoginRecordsBookworm(t *testing.T) {
	c := bookwormHost
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := c.Sh(ctx, `
id utuser >/dev/null 2>&1 || useradd -m -s /bin/bash -p '*' utuser
mkdir -p /home/utuser/.ssh /root/.ssh
[ -f /root/.ssh/id_ed25519 ] || ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/id_ed25519
cp /root/.ssh/id_ed25519.pub /home/utuser/.ssh/authorized_keys
chown -R utuser /home/utuser
touch /var/run/utmp /var/log/wtmp /var/log/lastlog
chgrp utmp /var/run/utmp /var/log/wtmp /var/log/lastlog
chmod 664 /var/run/utmp /var/log/wtmp /var/log/lastlog
`); err != nil {
		t.Fatal(err)
	}
	startPQSSHD(t, c, "/pqssh/bin/pqsshd", 2205, "")
	out, err := c.Sh(ctx, "ssh "+sshOpts+" -tt -o BatchMode=yes -p 2205 utuser@127.0.0.1 'tty; who' </dev/null")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(out), "\r", ""), "\n")
	tty := strings.TrimPrefix(lines[0], "/dev/")
	if !strings.HasPrefix(tty, "pts/") || !strings.Contains(out, "utuser") || !strings.Contains(out, " "+tty+" ") {
		t.Fatalf("who in the session printed:\n%s\nwant utuser on %s", out, tty)
	}
	var last string
	for i := 0; ; i++ { // the logout record follows the session's end
		if last, err = c.Sh(ctx, "last -w -f /var/log/wtmp utuser; lastlog -u utuser"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(last, "still logged in") || i == 100 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(last, "utuser") || !strings.Contains(last, tty) {
		t.Errorf("last and lastlog print:\n%s\nwant utuser's session on %s", last, tty)
	}
	if strings.Contains(last, "still logged in") {
		t.Errorf("last says the session is still open:\n%s", last)
	}
	if strings.Contains(last, "**Never logged in**") {
		t.Errorf("lastlog has no entry:\n%s", last)
	}
}

// TestPAMLoginRecordsTrixie: on Debian 13, whose login records are
// wtmpdb's database (`last`) and lastlog2's, a terminal login through
// pqsshd with UsePAM yes and Debian's stock /etc/pam.d/sshd
// (PAMServiceName sshd, the default) is listed as an sshd login is: by
// `wtmpdb last` with its terminal, the client's address and its logout
// once it ended — written by pqsshd through libwtmpdb, as Debian's sshd
// does, since Debian's pam_wtmpdb line skips the sshd service — and by
// lastlog2 (pam_lastlog2 in common-session: port "ssh", sshd's PAM_TTY
// when the session opens).
func TestPAMLoginRecordsTrixie(t *testing.T) {
	c := pamHost(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := c.Sh(ctx, `
grep -q pam_wtmpdb /etc/pam.d/common-session && grep -q pam_lastlog2 /etc/pam.d/common-session
grep -q '@include common-session' /etc/pam.d/sshd
id wtuser >/dev/null 2>&1 || useradd -m -s /bin/bash -p '*' wtuser
mkdir -p /home/wtuser/.ssh
cp /root/.ssh/id_ed25519.pub /home/wtuser/.ssh/authorized_keys
chown -R wtuser /home/wtuser
`); err != nil {
		t.Fatalf("setup (Debian's PAM files with both modules): %v %s", err, out)
	}
	p := startPQSSHD(t, c, "/pqssh/bin/pam/pqsshd", 2206, "UsePAM yes")
	out, err := c.Sh(ctx, "ssh "+sshOpts+" -tt -o BatchMode=yes -p 2206 wtuser@127.0.0.1 'tty' </dev/null")
	// The last line: pam_motd's message comes first on a terminal.
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(out, "\r", "")), "\n")
	tty := strings.TrimPrefix(lines[len(lines)-1], "/dev/")
	if err != nil || !strings.HasPrefix(tty, "pts/") {
		t.Fatalf("login: %v %q\n%s", err, out, tail(p.Output()))
	}
	var last string
	for i := 0; ; i++ { // pam_close_session runs when the connection ends
		var err error
		if last, err = c.Sh(ctx, "wtmpdb last wtuser"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(last, "still logged in") || i == 100 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(last, "wtuser") || !strings.Contains(last, tty) || !strings.Contains(last, "127.0.0.1") {
		t.Errorf("wtmpdb last prints:\n%s\nwant wtuser's login on %s from 127.0.0.1\npqsshd:\n%s", last, tty, tail(p.Output()))
	}
	if strings.Contains(last, "still logged in") {
		t.Errorf("wtmpdb last says the session is still open:\n%s", last)
	}
	ll, err := c.Sh(ctx, "lastlog2 -u wtuser")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ll, "wtuser") || !strings.Contains(ll, "127.0.0.1") || !strings.Contains(ll, "ssh") || strings.Contains(ll, "Never logged in") {
		t.Errorf("lastlog2 prints:\n%s\nwant wtuser's login from 127.0.0.1", ll)
	}
	t.Logf("wtmpdb last:\n%slastlog2:\n%s", last, ll)
}

// TestPAMExpiredPasswordOpenSSH: OpenSSH's ssh logs in with
// keyboard-interactive as a user whose password must be changed
// (chage -d 0) and changes it on the way, as with sshd: pam_unix's
// "You are required to change your password immediately" is shown, then
// its current/new/retype prompts (answered by SSH_ASKPASS); afterwards
// the new password logs in and the account is no longer expired.
func TestPAMExpiredPasswordOpenSSH(t *testing.T) {
	c := pamHost(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := c.Sh(ctx, `
id expuser >/dev/null 2>&1 || useradd -m -s /bin/bash expuser
echo 'expuser:Old-pw-4417x' | chpasswd
chage -d 0 expuser
cat > /usr/local/bin/chg-askpass <<'END'
#!/bin/sh
echo "$1" >> /tmp/chg.prompts
case "$1" in
*[Nn]ew*) echo New-pw-9083y;;
*) echo Old-pw-4417x;;
esac
END
chmod 755 /usr/local/bin/chg-askpass
rm -f /tmp/chg.prompts
`); err != nil {
		t.Fatalf("setup: %v %s", err, out)
	}
	p := startPQSSHD(t, c, "/pqssh/bin/pam/pqsshd", 2207, "UsePAM yes\nPAMServiceName pqsshd-pw\nPasswordAuthentication no")
	const opts = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=INFO -o PreferredAuthentications=keyboard-interactive"
	out, err := c.Sh(ctx, "SSH_ASKPASS=/usr/local/bin/chg-askpass SSH_ASKPASS_REQUIRE=force setsid ssh "+opts+" -p 2207 expuser@127.0.0.1 'echo in as $(id -un)' </dev/null 2>&1")
	prompts, _ := c.Sh(ctx, "cat /tmp/chg.prompts")
	if err != nil || !strings.Contains(out, "in as expuser") {
		t.Fatalf("login with the change: %v\n%s\nprompts:\n%s\npqsshd:\n%s", err, out, prompts, tail(p.Output()))
	}
	if !strings.Contains(out, "You are required to change your password immediately") {
		t.Errorf("ssh showed no word that the password must be changed:\n%s", out)
	}
	if !strings.Contains(prompts, "Current password") || !strings.Contains(prompts, "New password") || !strings.Contains(prompts, "Retype new password") {
		t.Errorf("prompts:\n%s\nwant pam_unix's current, new and retype prompts", prompts)
	}
	if out, err := c.Sh(ctx, "chage -l expuser | grep -i 'last password change'; sshpass -p New-pw-9083y ssh "+sshOpts+" -o PreferredAuthentications=keyboard-interactive -p 2207 expuser@127.0.0.1 'echo again' </dev/null"); err != nil || !strings.Contains(out, "again") || strings.Contains(out, "must be changed") {
		t.Errorf("after the change: %v\n%s", err, out)
	}
}
