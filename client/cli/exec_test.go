package cli

import (
	"github.com/pqssh/pqssh/kex"

	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pqssh/pqssh/client/config"
	"github.com/pqssh/pqssh/client/internal/sshtest"
	"github.com/pqssh/pqssh/client/knownhosts"
	"golang.org/x/crypto/ssh"
)

func TestExecOutputAndExitStatus(t *testing.T) {
	f := newFixture(t)
	r := f.run(nil, "test", "echo", "out;", "echo err >&2;", "exit 3")
	if r.code != 3 || r.stdout != "out\n" || !strings.Contains(r.stderr, "err\n") {
		t.Fatalf("want exit 3, stdout out, stderr err; got %v", r)
	}
	if r := f.run(nil, "test", "true"); r.code != 0 {
		t.Fatalf("true: %v", r)
	}
}

func TestExitSignalIs255(t *testing.T) {
	f := newFixture(t)
	if r := f.run(nil, "test", "kill -TERM $$"); r.code != 255 {
		t.Fatalf("remote killed by signal: want 255, got %v", r)
	}
}

func TestRoundTrip10MB(t *testing.T) {
	f := newFixture(t)
	data := make([]byte, 10<<20)
	rand.Read(data)
	want := sha256.Sum256(data)
	h := sha256.New()
	var errb bytes.Buffer
	code := Run(&Env{
		Args:  []string{"-F", f.cfg, "test", "cat"},
		Stdin: bytes.NewReader(data), Stdout: h, Stderr: &errb, Prompt: f.prompt,
	})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
		t.Fatalf("10 MB round trip: digest mismatch")
	}
	// The remote side sees stdin's EOF: wc -c terminates and counts it all.
	r := f.run(bytes.NewReader(data), "test", "wc -c")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "10485760" {
		t.Fatalf("wc -c: %v", r)
	}
}

func TestStdinNull(t *testing.T) {
	f := newFixture(t)
	r := f.run(strings.NewReader("should not be read"), "-n", "test", "cat")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("-n: %v", r)
	}
}

func TestVerboseKexLines(t *testing.T) {
	f := newFixture(t)
	r := f.run(nil, "-v", "test", "true")
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{
		"debug1: kex: algorithm: mlkem768x25519-sha256\n",
		"debug1: kex: host key algorithm: ssh-ed25519\n",
		"debug1: kex: server->client cipher: ",
		"debug1: kex: client->server cipher: ",
		"debug1: Server host key: ssh-ed25519 SHA256:",
		"debug1: Remote protocol version 2.0, remote software version Go\n",
		"debug1: Authenticated to 127.0.0.1",
		"Transferred: sent ",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("-v output lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "WARNING: connection is not using a post-quantum") {
		t.Errorf("post-quantum kex must not warn")
	}
	if q := f.run(nil, "test", "true"); strings.Contains(q.stderr, "debug1:") {
		t.Errorf("debug lines without -v: %q", q.stderr)
	}
}

const pqWarning = "** WARNING: connection is not using a post-quantum key exchange algorithm.\n"

func TestClassicalKexWarns(t *testing.T) {
	f := newFixture(t)
	f.srv.SetKeyExchanges("curve25519-sha256")
	r := f.run(nil, "-v", "test", "true")
	if r.code != 0 {
		t.Fatal(r)
	}
	if !strings.Contains(r.stderr, "debug1: kex: algorithm: curve25519-sha256\n") {
		t.Errorf("kex line: %s", r.stderr)
	}
	if !strings.Contains(r.stderr, pqWarning) || !strings.Contains(r.stderr, "** This session may be vulnerable to \"store now, decrypt later\" attacks.\n") {
		t.Errorf("no post-quantum warning: %s", r.stderr)
	}
	if r := f.run(nil, "-q", "test", "true"); strings.Contains(r.stderr, pqWarning) {
		t.Errorf("-q must silence the warning: %s", r.stderr)
	}
	if r := f.run(nil, "-o", "KexAlgorithms=curve25519-sha256", "test", "true"); r.code != 0 || strings.Contains(r.stderr, pqWarning) {
		t.Errorf("explicit KexAlgorithms must not warn: %v", r)
	}
	if r := f.run(nil, "-o", "WarnWeakCrypto=no", "test", "true"); r.code != 0 || strings.Contains(r.stderr, pqWarning) {
		t.Errorf("WarnWeakCrypto=no must not warn: %v", r)
	}
}

func TestNoCommonKex(t *testing.T) {
	f := newFixture(t)
	f.srv.SetKeyExchanges("curve25519-sha256")
	r := f.run(nil, "-o", "KexAlgorithms=mlkem768x25519-sha256", "test", "true")
	want := "Unable to negotiate with 127.0.0.1 port "
	if r.code != 255 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "no matching key exchange method found. Their offer: curve25519-sha256") {
		t.Fatalf("want negotiation failure, got %v", r)
	}
}

func TestQueryKex(t *testing.T) {
	var out bytes.Buffer
	if code := Run(&Env{Args: []string{"-Q", "kex"}, Stdout: &out, Stderr: io.Discard}); code != 0 {
		t.Fatal(code)
	}
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	for _, want := range ssh.SupportedAlgorithms().KeyExchanges {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("-Q kex lacks %s", want)
		}
	}
	if got[0] != config.KnownAlgorithms("kexalgorithms")[0] {
		t.Errorf("order: %v", got)
	}
	if code := Run(&Env{Args: []string{"-Q", "nonsense"}, Stdout: io.Discard, Stderr: io.Discard}); code != 255 {
		t.Errorf("-Q nonsense: exit %d", code)
	}
}

func TestPermissionDenied(t *testing.T) {
	f := newFixture(t)
	other, block := newKey(t)
	_ = other
	os.WriteFile(f.keyPath, pemEncode(block), 0o600)
	r := f.run(nil, "test", "true")
	if r.code != 255 || !strings.Contains(r.stderr, "tester@127.0.0.1: Permission denied (") || !strings.Contains(r.stderr, "publickey") {
		t.Fatalf("want permission denied, got %v", r)
	}
}

func TestConnectionRefused(t *testing.T) {
	f := newFixture(t)
	r := f.run(nil, "-p", "1", "test", "true")
	if r.code != 255 || !strings.Contains(r.stderr, "pqssh: connect to host 127.0.0.1 port 1: Connection refused") {
		t.Fatalf("want connection refused, got %v", r)
	}
}

func TestKnownHostsAcceptNewThenChanged(t *testing.T) {
	f := newFixture(t)
	r := f.run(nil, "test", "true")
	name := knownhosts.HostName("127.0.0.1", f.srv.Port())
	if r.code != 0 || !strings.Contains(r.stderr, "Warning: Permanently added '"+name+"' (ED25519) to the list of known hosts.") {
		t.Fatalf("accept-new: %v", r)
	}
	data, _ := os.ReadFile(f.known)
	if !strings.HasPrefix(string(data), name+" ssh-ed25519 ") {
		t.Fatalf("known_hosts: %q", data)
	}
	if r := f.run(nil, "test", "true"); r.code != 0 || strings.Contains(r.stderr, "Permanently added") {
		t.Fatalf("second connection: %v", r)
	}

	// A different server on a new port, recorded under this port's name:
	// the host key "changed".
	srv2 := sshtest.New(t, f.signer.PublicKey()).Start(t)
	name2 := knownhosts.HostName("127.0.0.1", srv2.Port())
	line, _ := knownhosts.Line([]string{name2}, f.srv.HostKey.PublicKey(), false)
	os.WriteFile(f.known, []byte(line+"\n"), 0o600)
	before, _ := os.ReadFile(f.known)
	for _, strict := range []string{"accept-new", "yes", "ask"} {
		r = f.run(nil, "-o", "StrictHostKeyChecking="+strict, "-p", itoa(srv2.Port()), "test", "true")
		if r.code != 255 || !strings.Contains(r.stderr, "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!") ||
			!strings.Contains(r.stderr, "Host key verification failed.") ||
			!strings.Contains(r.stderr, "Offending ED25519 key in "+f.known+":1\n  remove with:\n  ssh-keygen -f '"+f.known+"' -R '"+name2+"'\n  (or pqssh-keygen -f '"+f.known+"' -R '"+name2+"')\n") {
			t.Fatalf("changed key with %s: %v", strict, r)
		}
	}
	after, _ := os.ReadFile(f.known)
	if !bytes.Equal(before, after) {
		t.Fatalf("known_hosts modified on refusal")
	}
}

func TestStrictHostKeyCheckingYesAndAsk(t *testing.T) {
	f := newFixture(t)
	name := knownhosts.HostName("127.0.0.1", f.srv.Port())
	r := f.run(nil, "-o", "StrictHostKeyChecking=yes", "test", "true")
	if r.code != 255 || !strings.Contains(r.stderr, "No ED25519 host key is known for "+name+" and you have requested strict checking.") {
		t.Fatalf("strict yes: %v", r)
	}
	// ask in BatchMode: refused without asking.
	r = f.run(nil, "-o", "StrictHostKeyChecking=ask", "test", "true")
	if r.code != 255 || len(f.prompt.asked) != 0 {
		t.Fatalf("ask in batch mode: %v (asked %q)", r, f.prompt.asked)
	}
	// ask with a terminal: "no" refuses, "yes" records.
	f.prompt.answers = []string{"no"}
	r = f.run(nil, "-o", "StrictHostKeyChecking=ask", "-o", "BatchMode=no", "test", "true")
	if r.code != 255 || len(f.prompt.asked) != 1 || !strings.Contains(f.prompt.asked[0], "The authenticity of host '"+name+" (") ||
		!strings.Contains(f.prompt.asked[0], "Are you sure you want to continue connecting (yes/no/[fingerprint])? ") {
		t.Fatalf("ask/no: %v %q", r, f.prompt.asked)
	}
	fp := ssh.FingerprintSHA256(f.srv.HostKey.PublicKey())
	f.prompt.answers = []string{"maybe", fp}
	r = f.run(nil, "-o", "StrictHostKeyChecking=ask", "-o", "BatchMode=no", "test", "true")
	if r.code != 0 || f.prompt.asked[len(f.prompt.asked)-1] != "Please type 'yes', 'no' or the fingerprint: " {
		t.Fatalf("ask/fingerprint: %v %q", r, f.prompt.asked)
	}
	if r := f.run(nil, "-o", "StrictHostKeyChecking=yes", "test", "true"); r.code != 0 {
		t.Fatalf("recorded key not accepted: %v", r)
	}
}

func TestHashedKnownHosts(t *testing.T) {
	f := newFixture(t)
	name := knownhosts.HostName("127.0.0.1", f.srv.Port())
	line, _ := knownhosts.Line([]string{name}, f.srv.HostKey.PublicKey(), true)
	if !strings.HasPrefix(line, "|1|") {
		t.Fatalf("not hashed: %s", line)
	}
	os.WriteFile(f.known, []byte("# comment\ngarbage line\n"+line+"\n"), 0o600)
	if r := f.run(nil, "-o", "StrictHostKeyChecking=yes", "test", "true"); r.code != 0 {
		t.Fatalf("hashed entry: %v", r)
	}
	// HashKnownHosts=yes writes hashed names.
	os.Remove(f.known)
	if r := f.run(nil, "-o", "HashKnownHosts=yes", "test", "true"); r.code != 0 {
		t.Fatal(r)
	}
	data, _ := os.ReadFile(f.known)
	if !strings.HasPrefix(string(data), "|1|") || strings.Contains(string(data), "127.0.0.1") {
		t.Fatalf("HashKnownHosts: %q", data)
	}
}

func TestConfigErrorsNameFileAndLine(t *testing.T) {
	f := newFixture(t)
	os.WriteFile(f.cfg, []byte("Host x\n  User a\n\n  Frobnicate yes\n"), 0o600)
	r := f.run(nil, "test", "true")
	if r.code != 255 || !strings.Contains(r.stderr, f.cfg+":4: Bad configuration option: frobnicate") {
		t.Fatalf("unknown option: %v", r)
	}
	os.WriteFile(f.cfg, []byte("# c\nKexAlgorithms +nosuch-kex\n"), 0o600)
	r = f.run(nil, "test", "true")
	if r.code != 255 || !strings.Contains(r.stderr, f.cfg+":2: Bad KexAlgorithms") || !strings.Contains(r.stderr, "nosuch-kex") {
		t.Fatalf("unknown algorithm: %v", r)
	}
	r = f.run(nil, "-o", "Ciphers=rot13", "test", "true")
	if r.code != 255 || !strings.Contains(r.stderr, "command-line: Bad Ciphers") {
		t.Fatalf("-o unknown cipher: %v", r)
	}
}

func TestDumpConfig(t *testing.T) {
	f := newFixture(t)
	r := f.run(nil, "-G", "-o", "KexAlgorithms=-curve25519*", "-l", "alice", "test")
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{
		"user alice\n", "hostname 127.0.0.1\n", "port " + itoa(f.srv.Port()) + "\n",
		"identityfile " + f.keyPath + "\n", "batchmode yes\n", "stricthostkeychecking accept-new\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("-G lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "curve25519") || !strings.Contains(r.stdout, "kexalgorithms "+kex.MCELIECE6688128SNTRUP761X25519SHA512+",") {
		t.Errorf("-G kexalgorithms with -curve25519*:\n%s", r.stdout)
	}
}

func pemEncode(b interface{}) []byte {
	return pemBytes(b)
}

func TestAskpassAndLogFile(t *testing.T) {
	f := newFixture(t)
	data, _ := os.ReadFile(f.keyPath)
	raw, _ := ssh.ParseRawPrivateKey(data)
	block, _ := ssh.MarshalPrivateKeyWithPassphrase(raw, "test", []byte("open sesame"))
	os.WriteFile(f.keyPath, pemBytes(block), 0o600)
	askpass := filepath.Join(f.home, "askpass")
	os.WriteFile(askpass, []byte("#!/bin/sh\necho \"$1\" >> "+f.home+"/asked\necho 'open sesame'\n"), 0o700)
	t.Setenv("SSH_ASKPASS", askpass)
	t.Setenv("SSH_ASKPASS_REQUIRE", "force")
	logFile := filepath.Join(f.home, "log")
	var out bytes.Buffer
	code := Run(&Env{Args: []string{"-F", f.cfg, "-E", logFile, "-v", "-o", "BatchMode=no", "test", "echo askpass"},
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: io.Discard})
	if code != 0 || out.String() != "askpass\n" {
		t.Fatalf("askpass: exit %d %q", code, out.String())
	}
	asked, _ := os.ReadFile(filepath.Join(f.home, "asked"))
	if !strings.Contains(string(asked), "Enter passphrase for key '"+f.keyPath+"':") {
		t.Errorf("askpass prompt: %q", asked)
	}
	log, _ := os.ReadFile(logFile)
	if !strings.Contains(string(log), "debug1: kex: algorithm: ") {
		t.Errorf("-E log file lacks the debug lines: %q", log)
	}
}

func TestClearAllForwardings(t *testing.T) {
	f := newFixture(t)
	spec := fmt.Sprintf("%d:127.0.0.1:1", freePort(t))
	const line = "debug1: Local forwarding listening on "
	if r := f.run(nil, "-v", "-L", spec, "test", "true"); r.code != 0 || !strings.Contains(r.stderr, line) {
		t.Fatalf("-L: %v", r)
	}
	if r := f.run(nil, "-v", "-L", spec, "-o", "ClearAllForwardings=yes", "test", "true"); r.code != 0 || strings.Contains(r.stderr, line) {
		t.Fatalf("ClearAllForwardings=yes still forwarded: %v", r)
	}
}

// TestConnectedHookAfterAuthentication: Env.Connected (connprocs.Limit in
// the pqssh command) runs once per run, after the login and before the
// remote command; not at all when the login fails.
func TestConnectedHookAfterAuthentication(t *testing.T) {
	f := newFixture(t)
	calls := 0
	var out, errb bytes.Buffer
	code := Run(&Env{
		Args:   []string{"-F", f.cfg, "test", "echo", "ran"},
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errb,
		Prompt: f.prompt,
		Prog:   "pqssh",
		Connected: func() {
			calls++
			if out.Len() != 0 {
				t.Errorf("Connected ran after the command's output %q", out.String())
			}
		},
	})
	if code != 0 || out.String() != "ran\n" || calls != 1 {
		t.Fatalf("exit %d, stdout %q, Connected calls %d; want 0, \"ran\\n\", 1 (stderr %q)", code, out.String(), calls, errb.String())
	}

	other, block := newKey(t)
	_ = other
	os.WriteFile(f.keyPath, pemEncode(block), 0o600)
	calls = 0
	code = Run(&Env{
		Args:      []string{"-F", f.cfg, "test", "true"},
		Stdin:     strings.NewReader(""),
		Stdout:    io.Discard,
		Stderr:    io.Discard,
		Prompt:    f.prompt,
		Prog:      "pqssh",
		Connected: func() { calls++ },
	})
	if code != 255 || calls != 0 {
		t.Fatalf("failed login: exit %d, Connected calls %d; want 255, 0", code, calls)
	}
}
