//go:build root

package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/pam"
)

// pamService writes a PAM service file under /etc/pam.d for the test (and
// removes it afterwards) and returns its name. The auth stack with two:
// pam_unix's password prompt, then pam_stress's prompt, whose answer
// (which pam_stress makes the token) pam_exec checks against an OTP; the
// auth stack with one: pam_unix alone. Then pam_unix's account stack, and
// pam_limits with the test's limits file and pam_env with the test's
// environment file in the session stack.
func pamService(t *testing.T, dir, limits, env string, two bool) string {
	t.Helper()
	otp := filepath.Join(dir, "otp-check")
	if err := os.WriteFile(otp, []byte("#!/bin/sh\ntok=$(/usr/bin/head -c 100 | /usr/bin/tr -d '\\000')\n[ \"$tok\" = otp-4242 ]\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	lf, ef := filepath.Join(dir, "limits.conf"), filepath.Join(dir, "pam_env.conf")
	os.WriteFile(lf, []byte(limits), 0o644)
	os.WriteFile(ef, []byte(env), 0o644)
	auth := "auth required pam_unix.so\n"
	if two {
		auth = "auth requisite pam_unix.so\nauth requisite pam_stress.so\nauth required pam_exec.so expose_authtok quiet " + otp + "\n"
	}
	stack := fmt.Sprintf(`%saccount required pam_unix.so
session required pam_limits.so conf=%s
session required pam_env.so readenv=0 conffile=%s user_readenv=0
session required pam_unix.so
`, auth, lf, ef)
	return writePAMService(t, stack)
}

// writePAMService installs stack as a PAM service of a random name under
// /etc/pam.d for the test (removed afterwards) and returns the name.
func writePAMService(t *testing.T, stack string) string {
	t.Helper()
	b := make([]byte, 3)
	rand.Read(b)
	name := "pqsshd-test-" + hex.EncodeToString(b)
	p := filepath.Join("/etc/pam.d", name)
	if err := os.WriteFile(p, []byte(stack), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(p) })
	return name
}

// needPAM fails a test that is not run as root or in a build without PAM.
func needPAM(t *testing.T) {
	t.Helper()
	needRoot(t)
	if !pam.Available {
		t.Fatal("this test needs a build with cgo (PAM)")
	}
}

// setPassword gives a test account a password.
func setPassword(t *testing.T, name, password string) {
	t.Helper()
	cmd := exec.Command("chpasswd")
	cmd.Stdin = strings.NewReader(name + ":" + password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chpasswd: %v %s", err, out)
	}
}

// kbdAnswers answers keyboard-interactive requests in turn and records
// the prompts.
type kbdAnswers struct {
	answers [][]string
	prompts [][]string
}

func (k *kbdAnswers) challenge(name, instruction string, questions []string, echos []bool) ([]string, error) {
	k.prompts = append(k.prompts, questions)
	if len(questions) == 0 {
		return nil, nil
	}
	if len(k.answers) == 0 {
		return nil, errors.New("no more answers")
	}
	a := k.answers[0]
	k.answers = k.answers[1:]
	return a, nil
}

// TestPAMLogins: with UsePAM yes, a password login and a two-prompt
// keyboard-interactive login go through the PAM service's auth stack, the
// session gets pam_limits' limit (ulimit -n) and pam_env's variable, and
// a wrong password fails with sshd's log line. With AuthenticationMethods
// publickey,keyboard-interactive the key alone is a partial success and
// the login completes with keyboard-interactive.
func TestPAMLogins(t *testing.T) {
	needPAM(t)
	name, _ := testAccount(t)
	setPassword(t, name, "pw-Secret1")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	svc := pamService(t, dir, name+" - nofile 4321\n", "PQT_PAM_VAR DEFAULT=from-pam-env\n", true)
	e := startServer(t, "", "UsePAM yes\nPAMServiceName "+svc+"\nMaxAuthTries 10\nMatch User "+name+"\n\tAuthenticationMethods publickey,keyboard-interactive password keyboard-interactive")
	e.authorizeHome(name, "", e.key.PublicKey())
	dial := func(auth ...gossh.AuthMethod) (*gossh.Client, error) {
		cc := e.clientConfig(name, e.key)
		cc.Auth = auth
		return gossh.Dial("tcp", e.addr, cc)
	}
	session := func(c *gossh.Client) string {
		t.Helper()
		defer c.Close()
		out, err := run(t, c, "ulimit -n; echo \"$PQT_PAM_VAR\"; id -un")
		if err != nil {
			t.Fatalf("session: %v (%s)", err, out)
		}
		return out
	}
	want := "4321\nfrom-pam-env\n" + name + "\n"

	// The password answers every hidden prompt: pam_stress's too, so
	// the OTP check fails.
	if _, err := dial(gossh.Password("pw-Secret1")); err == nil {
		t.Fatal("password login passed the OTP prompt with the password")
	}
	e.logs.waitLog(t, "Failed password for "+name+" from 127.0.0.1 port ")

	k := &kbdAnswers{answers: [][]string{{"pw-Secret1"}, {"otp-4242"}}}
	c, err := dial(gossh.KeyboardInteractive(k.challenge))
	if err != nil {
		t.Fatalf("keyboard-interactive: %v (prompts %q)", err, k.prompts)
	}
	if len(k.prompts) != 2 {
		t.Errorf("prompts %q, want two requests (pam_unix's, then pam_stress's)", k.prompts)
	}
	if got := session(c); got != want {
		t.Errorf("keyboard-interactive session printed %q, want %q", got, want)
	}
	e.logs.waitLog(t, "Accepted keyboard-interactive/pam for "+name+" from 127.0.0.1 port ")

	k = &kbdAnswers{answers: [][]string{{"wrong"}, {"otp-4242"}}}
	if _, err := dial(gossh.KeyboardInteractive(k.challenge)); err == nil {
		t.Fatal("keyboard-interactive with a wrong password logged in")
	}
	e.logs.waitLog(t, "Failed keyboard-interactive/pam for "+name+" from 127.0.0.1 port ")

	// AuthenticationMethods: the key is a partial success, then
	// keyboard-interactive completes the login.
	k = &kbdAnswers{answers: [][]string{{"pw-Secret1"}, {"otp-4242"}}}
	c, err = dial(gossh.PublicKeys(e.key), gossh.KeyboardInteractive(k.challenge))
	if err != nil {
		t.Fatalf("publickey,keyboard-interactive: %v", err)
	}
	if got := session(c); got != want {
		t.Errorf("publickey,keyboard-interactive session printed %q, want %q", got, want)
	}
	e.logs.waitLog(t, "Partial publickey for "+name+" from 127.0.0.1 port ")
	if _, err := dial(gossh.PublicKeys(e.key)); err == nil {
		t.Fatal("the key alone completed publickey,keyboard-interactive")
	}
}

// TestPAMPassword: PasswordAuthentication through a pam_unix stack: the
// right password logs in (sshd's "Accepted password" line) into a session
// with the stack's limit, a wrong one and an empty one do not, and a
// source that failed gets PerSourcePenalties' authfail.
func TestPAMPassword(t *testing.T) {
	needRoot(t)
	name, _ := testAccount(t)
	setPassword(t, name, "pw-Other2")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	svc := pamService(t, dir, name+" - nofile 2345\n", "", false)
	e := startServer(t, "", "UsePAM yes\nPAMServiceName "+svc+"\nPerSourcePenalties authfail:1h min:1h")
	dial := func(pw string) (*gossh.Client, error) {
		cc := e.clientConfig(name, e.key)
		cc.Auth = []gossh.AuthMethod{gossh.Password(pw)}
		return gossh.Dial("tcp", e.addr, cc)
	}
	c, err := dial("pw-Other2")
	if err != nil {
		t.Fatalf("password login: %v", err)
	}
	out, err := run(t, c, "ulimit -n")
	c.Close()
	if err != nil || out != "2345\n" {
		t.Fatalf("ulimit -n printed %q (%v), want 2345", out, err)
	}
	e.logs.waitLog(t, "Accepted password for "+name+" from 127.0.0.1 port ")
	if _, err := dial(""); err == nil {
		t.Fatal("an empty password logged in")
	}
	if _, err := dial("wrong"); err == nil {
		t.Fatal("a wrong password logged in")
	}
	e.logs.waitLog(t, "Failed password for "+name+" from 127.0.0.1 port ")
	// authfail:1h reaches min:1h: the source is refused now, even with
	// the right password.
	for i := 0; ; i++ { // the failed connection's end records the penalty
		if _, bad := e.srv.penalties.penalized("127.0.0.1"); bad {
			break
		}
		if i == 1000 {
			t.Fatal("no penalty recorded for the failed passwords")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := dial("pw-Other2"); err == nil {
		t.Fatal("a penalized source logged in")
	}
	e.logs.waitLog(t, "refusing connection: source penalized")
}

// recordingPAMService writes a PAM service whose auth stack records each
// call (PAM_TYPE, PAM_USER and the token the modules got, in hex) in the
// returned file through pam_exec, then lets everything pass (pam_permit):
// a stack that says yes to any password.
func recordingPAMService(t *testing.T, dir string) (name, calls string) {
	t.Helper()
	calls = filepath.Join(dir, "pam-calls")
	script := filepath.Join(dir, "record")
	body := fmt.Sprintf("#!/bin/sh\nprintf '%%s %%s ' \"$PAM_TYPE\" \"$PAM_USER\" >> %[1]s\n/usr/bin/head -c 600 | /usr/bin/tr -d '\\000' | /usr/bin/od -An -tx1 | /usr/bin/tr -d ' \\n' >> %[1]s\necho >> %[1]s\n", calls)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	stack := "auth required pam_exec.so expose_authtok quiet " + script + "\nauth required pam_permit.so\naccount required pam_permit.so\nsession required pam_permit.so\n"
	return writePAMService(t, stack), calls
}

// TestPAMInvalidUserDecoy: as sshd, a password or keyboard-interactive
// attempt for a user name that names no account (or for root refused by
// PermitRootLogin) still runs the PAM auth stack — the same prompts, the
// same modules — but with a fake password of the same length, and fails
// even though this stack accepts any password; a valid user's password
// reaches the stack unchanged.
func TestPAMInvalidUserDecoy(t *testing.T) {
	needPAM(t)
	name, _ := testAccount(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	svc, calls := recordingPAMService(t, dir)
	e := startServer(t, "", "UsePAM yes\nPAMServiceName "+svc+"\nMaxAuthTries 10\nPermitRootLogin prohibit-password")
	dial := func(user string, auth gossh.AuthMethod) error {
		cc := e.clientConfig(user, e.key)
		cc.Auth = []gossh.AuthMethod{auth}
		c, err := gossh.Dial("tcp", e.addr, cc)
		if err == nil {
			c.Close()
		}
		return err
	}
	last := func() string {
		t.Helper()
		b, err := os.ReadFile(calls)
		if err != nil {
			t.Fatalf("the PAM stack was not run: %v", err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		return lines[len(lines)-1]
	}
	hexOf := func(s string) string { return hex.EncodeToString([]byte(s)) }
	fake := func(n int) string { return hexOf(string(fakePassword(make([]byte, n)))) }

	if err := dial(name, gossh.Password("right-one")); err != nil {
		t.Fatalf("a valid user through a stack that accepts any password: %v", err)
	}
	if got, want := last(), "auth "+name+" "+hexOf("right-one"); got != want {
		t.Errorf("valid user: the stack recorded %q, want %q", got, want)
	}

	nobody := "pqnosuch" + name[3:]
	if err := dial(nobody, gossh.Password("secret-pw")); err == nil {
		t.Fatal("an invalid user logged in with a password")
	}
	if got, want := last(), "auth "+nobody+" "+fake(len("secret-pw")); got != want {
		t.Errorf("invalid user, password: the stack recorded %q, want %q (a fake password of the same length)", got, want)
	}
	e.logs.waitLog(t, "Failed password for invalid user "+nobody+" from 127.0.0.1 port ")

	k := &kbdAnswers{answers: [][]string{{"kbd-secret"}}}
	if err := dial(nobody, gossh.KeyboardInteractive(k.challenge)); err == nil {
		t.Fatal("an invalid user logged in with keyboard-interactive")
	}
	if len(k.prompts) == 0 || len(k.prompts[0]) != 1 {
		t.Errorf("invalid user, keyboard-interactive: prompts %q, want the stack's one password prompt", k.prompts)
	}
	if got, want := last(), "auth "+nobody+" "+fake(len("kbd-secret")); got != want {
		t.Errorf("invalid user, keyboard-interactive: the stack recorded %q, want %q", got, want)
	}
	e.logs.waitLog(t, "Failed keyboard-interactive/pam for invalid user "+nobody+" from 127.0.0.1 port ")

	if err := dial("root", gossh.Password("root-pw")); err == nil {
		t.Fatal("root logged in with a password under PermitRootLogin prohibit-password")
	}
	if got, want := last(), "auth root "+fake(len("root-pw")); got != want {
		t.Errorf("root refused by PermitRootLogin: the stack recorded %q, want %q", got, want)
	}
}

// TestPAMExpiredPassword: an account whose password must be changed
// (chage -d 0) logs in with keyboard-interactive after changing it through
// the conversation, as with sshd: pam_unix's "You are required to change
// your password immediately" reaches the client, then its prompts for the
// current and the new password; the new password is in force afterwards.
// A password login with the expired password is refused by the account
// stack with sshd's line, and so is a wrong current password in the
// change.
func TestPAMExpiredPassword(t *testing.T) {
	needPAM(t)
	name, _ := testAccount(t)
	setPassword(t, name, "Old-pw-4417x")
	if out, err := exec.Command("chage", "-d", "0", name).CombinedOutput(); err != nil {
		t.Fatalf("chage -d 0: %v %s", err, out)
	}
	svc := writePAMService(t, "auth required pam_unix.so\naccount required pam_unix.so\npassword required pam_unix.so\nsession required pam_unix.so\n")
	e := startServer(t, "", "UsePAM yes\nPAMServiceName "+svc+"\nMaxAuthTries 10")
	dial := func(auth gossh.AuthMethod) (*gossh.Client, error) {
		cc := e.clientConfig(name, e.key)
		cc.Auth = []gossh.AuthMethod{auth}
		return gossh.Dial("tcp", e.addr, cc)
	}

	if c, err := dial(gossh.Password("Old-pw-4417x")); err == nil {
		c.Close()
		t.Fatal("a password login with an expired password got in")
	}
	e.logs.waitLog(t, "Access denied for user "+name+" by PAM account configuration [preauth]")

	// answers by prompt: the old password for the login and the current
	// one, the new one for "New password" and its repetition.
	changer := func(current string, instructions, prompts *[]string) gossh.KeyboardInteractiveChallenge {
		return func(_, instruction string, questions []string, _ []bool) ([]string, error) {
			*instructions = append(*instructions, instruction)
			var out []string
			for _, q := range questions {
				*prompts = append(*prompts, q)
				switch lq := strings.ToLower(q); {
				case strings.Contains(lq, "new"):
					out = append(out, "New-pw-9083y")
				case strings.Contains(lq, "current"):
					out = append(out, current)
				default:
					out = append(out, "Old-pw-4417x")
				}
			}
			return out, nil
		}
	}
	var instr, prompts []string
	if c, err := dial(gossh.KeyboardInteractive(changer("wrong-current", &instr, &prompts))); err == nil {
		c.Close()
		t.Fatal("the password change succeeded with a wrong current password")
	}
	e.logs.waitLog(t, "Failed keyboard-interactive/pam for "+name+" from 127.0.0.1 port ")

	instr, prompts = nil, nil
	c, err := dial(gossh.KeyboardInteractive(changer("Old-pw-4417x", &instr, &prompts)))
	if err != nil {
		t.Fatalf("keyboard-interactive with the password change: %v (instructions %q, prompts %q)", err, instr, prompts)
	}
	out, err := run(t, c, "id -un")
	c.Close()
	if err != nil || out != name+"\n" {
		t.Fatalf("session after the change: %q %v", out, err)
	}
	if !strings.Contains(strings.Join(instr, "\n"), "You are required to change your password immediately") {
		t.Errorf("instructions %q: no word that the password must be changed", instr)
	}
	t.Logf("instructions %q, prompts %q", instr, prompts)
	if n := len(prompts); n < 3 {
		t.Errorf("prompts %q: want the login's, then the change's", prompts)
	}
	e.logs.waitLog(t, "Accepted keyboard-interactive/pam for "+name+" from 127.0.0.1 port ")

	// The new password is in force and no longer expired.
	c, err = dial(gossh.Password("New-pw-9083y"))
	if err != nil {
		t.Fatalf("password login with the new password: %v", err)
	}
	c.Close()
	if c, err := dial(gossh.Password("Old-pw-4417x")); err == nil {
		c.Close()
		t.Fatal("the old password still logs in")
	}
}

// TestPAMSessionCgroup: when the session stack moves the process that
// opened the PAM session into another cgroup — pam_systemd's logind moves
// it into the session's scope; here pam_exec does the same into a test
// cgroup — the user's programs start in that cgroup, as under sshd, where
// they are that process's children.
func TestPAMSessionCgroup(t *testing.T) {
	needPAM(t)
	root, err := cgroup2Mount()
	if err != nil {
		t.Fatalf("this test needs a cgroup v2 hierarchy: %v", err)
	}
	b := make([]byte, 3)
	rand.Read(b)
	rel := "/pqsshd-test-" + hex.EncodeToString(b)
	dir := filepath.Join(root, rel)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatalf("creating a test cgroup: %v", err)
	}
	t.Cleanup(func() {
		for i := 0; i < 500 && os.Remove(dir) != nil; i++ { // once its processes ended
			time.Sleep(10 * time.Millisecond)
		}
	})
	name, _ := testAccount(t)
	tmp := t.TempDir()
	os.Chmod(tmp, 0o755)
	mover := filepath.Join(tmp, "into-cgroup")
	// pam_exec runs it as a child of the process calling pam_open_session.
	if err := os.WriteFile(mover, []byte("#!/bin/sh\necho $PPID > "+dir+"/cgroup.procs\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	svc := writePAMService(t, "auth required pam_permit.so\naccount required pam_permit.so\nsession required pam_exec.so quiet "+mover+"\n")
	e := startServer(t, "", "UsePAM yes\nPAMServiceName "+svc)
	e.authorizeHome(name, "", e.key.PublicKey())
	c, err := e.dial(name, e.key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	out, err := run(t, c, "cat /proc/self/cgroup")
	if err != nil {
		t.Fatalf("session: %v %s", err, out)
	}
	if !strings.Contains(out, "0::"+rel+"\n") {
		t.Errorf("the session's program runs in\n%s\nwant the PAM session's cgroup %s", out, rel)
	}
}

// TestPAMRefusesNUL: a password or keyboard-interactive answer with a NUL
// byte fails, as in sshd (whose packet parser refuses such strings):
// PAM's C strings would see only the part before the NUL, so that
// "password\x00anything" would log in as "password" and "\x00" would be
// an empty password that PermitEmptyPasswords no did not catch.
func TestPAMRefusesNUL(t *testing.T) {
	needRoot(t)
	name, _ := testAccount(t)
	setPassword(t, name, "pw-Nul3")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	svc := pamService(t, dir, "", "", false)
	e := startServer(t, "", "UsePAM yes\nPAMServiceName "+svc+"\nMaxAuthTries 10")
	dial := func(auth gossh.AuthMethod) error {
		cc := e.clientConfig(name, e.key)
		cc.Auth = []gossh.AuthMethod{auth}
		c, err := gossh.Dial("tcp", e.addr, cc)
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := dial(gossh.Password("pw-Nul3")); err != nil {
		t.Fatalf("the right password: %v", err)
	}
	if err := dial(gossh.Password("pw-Nul3\x00trailing")); err == nil {
		t.Error("the password followed by a NUL and more logged in")
	}
	k := &kbdAnswers{answers: [][]string{{"pw-Nul3\x00trailing"}}}
	if err := dial(gossh.KeyboardInteractive(k.challenge)); err == nil {
		t.Error("a keyboard-interactive answer with a NUL logged in")
	}
	k = &kbdAnswers{answers: [][]string{{"pw-Nul3"}}}
	if err := dial(gossh.KeyboardInteractive(k.challenge)); err != nil {
		t.Errorf("the right keyboard-interactive answer: %v", err)
	}
}

// TestPAMLoginUID: a session stack with pam_loginuid as required (as
// Debian's /etc/pam.d/sshd has it) opens every time. The kernel takes a
// write to /proc/self/loginuid from the thread group's leader only, so the
// session process must run the stack on its main thread; a stack run on
// another thread fails with "Cannot make/remove an entry for the specified
// session", for some logins and not others, hence the repetitions.
func TestPAMLoginUID(t *testing.T) {
	needPAM(t)
	name, _ := testAccount(t)
	svc := writePAMService(t, "auth required pam_permit.so\naccount required pam_permit.so\nsession required pam_loginuid.so\nsession required pam_unix.so\n")
	e := startServer(t, "", "UsePAM yes\nPAMServiceName "+svc)
	e.authorizeHome(name, "", e.key.PublicKey())
	for i := range 12 {
		c, err := e.dial(name, e.key)
		if err != nil {
			t.Fatalf("login %d: %v", i, err)
		}
		out, err := run(t, c, "echo ok")
		c.Close()
		if err != nil || out != "ok\n" {
			t.Fatalf("login %d: session %v %q\n%s", i, err, out, e.logs.String())
		}
	}
}
