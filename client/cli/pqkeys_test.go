package cli

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/client/internal/sshtest"
	"github.com/pqssh/pqssh/pqsig"
)

// TestPQHostAndUserKey: with default settings pqssh prefers the server's
// ML-DSA host key on first contact (where OpenSSH 10.6 would take its
// Ed25519 one) and records it; with known_hosts holding the ML-DSA key it
// asks for that one, prints OpenSSH's "Server host key" line for it, and
// logs in with an ML-DSA user key given with -i.
func TestPQHostAndUserKey(t *testing.T) {
	f := newFixture(t)
	scheme, _ := pqsig.Lookup(pqsig.MLDSA44Ed25519)
	host, err := scheme.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	user, ok := pqsig.Lookup(pqsig.MLDSA65)
	if !ok {
		t.Fatal("no ssh-mldsa-65")
	}
	userKey, _ := user.GenerateKey(nil)
	pemBytes, _ := userKey.MarshalOpenSSH("pq user")
	pqPath := filepath.Join(f.home, "id_mldsa_65")
	if err := os.WriteFile(pqPath, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	// A server with an Ed25519 and an ML-DSA host key that knows only the
	// ML-DSA user key.
	srv := sshtest.New(t, userKey.PublicKey())
	srv.Config.AddHostKey(host)
	f.srv = srv.Start(t)
	f.writeConfig()

	r := f.run(nil, "-v", "-i", pqPath, "test", "true")
	if r.code != 0 {
		t.Fatal(r)
	}
	if !strings.Contains(r.stderr, "debug1: kex: host key algorithm: ssh-mldsa44-ed25519\n") {
		t.Errorf("first contact did not pick ML-DSA:\n%s", r.stderr)
	}
	known, err := os.ReadFile(f.known)
	if err != nil {
		t.Fatal(err)
	}
	pqWant := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(host.PublicKey())))
	if line := strings.TrimSpace(string(known)); !strings.HasSuffix(line, pqWant) {
		t.Errorf("first contact stored %q, want the ML-DSA key", line)
	}

	// known_hosts holds only the ML-DSA key: pqssh asks for it.
	name := "[127.0.0.1]:" + strconv.Itoa(f.srv.Port())
	if err := os.WriteFile(f.known, append([]byte(name+" "), ssh.MarshalAuthorizedKey(host.PublicKey())...), 0o600); err != nil {
		t.Fatal(err)
	}
	r = f.run(nil, "-v", "-o", "StrictHostKeyChecking=yes", "-i", pqPath, "test", "true")
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{
		"debug1: kex: host key algorithm: ssh-mldsa44-ed25519\n",
		"debug1: Server host key: ssh-mldsa44-ed25519 SHA256:",
		"debug1: Authenticated to 127.0.0.1",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("-v output lacks %q:\n%s", want, r.stderr)
		}
	}
	known, err = os.ReadFile(f.known)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(known))
	want := "ssh-mldsa44-ed25519 " + strings.Fields(string(ssh.MarshalAuthorizedKey(host.PublicKey())))[1]
	if !strings.HasSuffix(line, want) {
		t.Errorf("known_hosts line %q, want one ending %q", line, want)
	}
	// Known now: a second login checks the recorded key.
	if r := f.run(nil, "-i", pqPath, "test", "true"); r.code != 0 {
		t.Fatal(r)
	}
	// PubkeyAcceptedAlgorithms without ssh-mldsa-65: the key is skipped.
	if r := f.run(nil, "-o", "PubkeyAcceptedAlgorithms=ssh-ed25519", "-i", pqPath, "test", "true"); r.code == 0 {
		t.Fatalf("logged in with a key PubkeyAcceptedAlgorithms excludes: %v", r)
	}
}

// TestUpdateHostKeys: pqssh trusts the server's Ed25519 key from
// known_hosts, is told of its ML-DSA key (hostkeys-00@openssh.com), has it
// proved (hostkeys-prove-00@openssh.com) and records it; the next login
// uses it. With UpdateHostKeys=no nothing is learned.
func TestUpdateHostKeys(t *testing.T) {
	f := newFixture(t)
	scheme, _ := pqsig.Lookup(pqsig.MLDSA44Ed25519)
	pq, err := scheme.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := sshtest.New(t, f.signer.PublicKey())
	srv.Config.AddHostKey(pq)
	srv.Announce = []ssh.Signer{srv.HostKey, pq}
	f.srv = srv.Start(t)
	f.writeConfig()
	edLine := "[127.0.0.1]:" + strconv.Itoa(f.srv.Port()) + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(srv.HostKey.PublicKey()))) + "\n"
	if err := os.WriteFile(f.known, []byte(edLine), 0o600); err != nil {
		t.Fatal(err)
	}

	// The fixture's config sets UserKnownHostsFile, which turns the
	// default off (as in OpenSSH); the runs below choose explicitly.
	r := f.run(nil, "-v", "-o", "UpdateHostKeys=no", "test", "true")
	if r.code != 0 {
		t.Fatal(r)
	}
	if b, _ := os.ReadFile(f.known); string(b) != edLine {
		t.Fatalf("UpdateHostKeys=no changed known_hosts:\n%s", b)
	}

	r = f.run(nil, "-v", "-o", "UpdateHostKeys=yes", "test", "true")
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{
		"debug1: kex: host key algorithm: ssh-ed25519\n",
		"debug1: Learned new hostkey: MLDSA44-ED25519 SHA256:",
		"debug1: Adding new key for [127.0.0.1]:",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("-v output lacks %q:\n%s", want, r.stderr)
		}
	}
	b, _ := os.ReadFile(f.known)
	if !strings.Contains(string(b), "ssh-mldsa44-ed25519 "+strings.Fields(string(ssh.MarshalAuthorizedKey(pq.PublicKey())))[1]) {
		t.Fatalf("known_hosts after UpdateHostKeys:\n%s", b)
	}
	// Both keys are known: the default order (OpenSSH's) uses Ed25519,
	// and the learned ML-DSA key is trusted when asked for.
	r = f.run(nil, "-v", "-o", "StrictHostKeyChecking=yes", "-o", "HostKeyAlgorithms=ssh-mldsa44-ed25519", "test", "true")
	if r.code != 0 || !strings.Contains(r.stderr, "debug1: kex: host key algorithm: ssh-mldsa44-ed25519\n") {
		t.Fatalf("login after learning the ML-DSA key: %v", r)
	}
	if strings.Contains(r.stderr, "Learned new hostkey") {
		t.Error("learned a key again")
	}
}

// TestUpdateHostKeysAsk: UpdateHostKeys=ask proves the server's unknown
// ML-DSA key, shows it (INFO, OpenSSH's preamble) and asks "Accept updated
// hostkeys? (yes/no): " when the session is over; known_hosts changes only
// on "yes". An answer other than yes/no is asked again; no answer (no
// terminal) is no. As in ssh(1), a remote command or BatchMode turns the
// question (and the update) off.
func TestUpdateHostKeysAsk(t *testing.T) {
	f := newFixture(t)
	scheme, _ := pqsig.Lookup(pqsig.MLDSA44Ed25519)
	pq, err := scheme.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := sshtest.New(t, f.signer.PublicKey())
	srv.Config.AddHostKey(pq)
	srv.Announce = []ssh.Signer{srv.HostKey, pq}
	f.srv = srv.Start(t)
	f.writeConfig()
	edLine := "[127.0.0.1]:" + strconv.Itoa(f.srv.Port()) + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(srv.HostKey.PublicKey()))) + "\n"
	if err := os.WriteFile(f.known, []byte(edLine), 0o600); err != nil {
		t.Fatal(err)
	}
	pqB64 := strings.Fields(string(ssh.MarshalAuthorizedKey(pq.PublicKey())))[1]
	const question = "Accept updated hostkeys? (yes/no): "
	ask := []string{"-o", "UpdateHostKeys=ask", "-o", "BatchMode=no", "test"} // a shell: no command
	learned := func(t *testing.T) bool {
		t.Helper()
		b, err := os.ReadFile(f.known)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Contains(string(b), "ssh-mldsa44-ed25519 "+pqB64)
	}
	session := strings.NewReader("echo shell-ran\n")

	for _, tc := range []struct {
		name    string
		args    []string
		answers []string
		asked   int
	}{
		{"command", []string{"-o", "UpdateHostKeys=ask", "-o", "BatchMode=no", "test", "true"}, []string{"yes"}, 0},
		{"batch", []string{"-o", "UpdateHostKeys=ask", "test"}, []string{"yes"}, 0},
		{"no-terminal", ask, nil, 1},
		{"no", ask, []string{"maybe", "NO"}, 2},
		{"three-wrong", ask, []string{"y", "yess", "ok", "yes"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.prompt.answers, f.prompt.asked = tc.answers, nil
			session.Seek(0, io.SeekStart)
			r := f.run(session, tc.args...)
			if r.code != 0 {
				t.Fatal(r)
			}
			if len(f.prompt.asked) != tc.asked {
				t.Fatalf("asked %q, want the question %d times: %v", f.prompt.asked, tc.asked, r)
			}
			for _, q := range f.prompt.asked {
				if q != question {
					t.Errorf("asked %q", q)
				}
			}
			if tc.asked > 0 {
				for _, want := range []string{
					"The server has updated its host keys.\nThese changes were verified by the server's existing trusted key.\nLearned new hostkey: MLDSA44-ED25519 SHA256:",
				} {
					if !strings.Contains(r.stderr, want) {
						t.Errorf("stderr lacks %q: %v", want, r)
					}
				}
			}
			if learned(t) {
				t.Fatal("known_hosts has the ML-DSA key without a yes")
			}
		})
	}

	f.prompt.answers, f.prompt.asked = []string{"what", "Yes"}, nil
	session.Seek(0, io.SeekStart)
	r := f.run(session, ask...)
	if r.code != 0 || !strings.Contains(r.stdout, "shell-ran") || len(f.prompt.asked) != 2 ||
		!strings.Contains(r.stderr, `Please enter "yes" or "no"`) {
		t.Fatalf("asked %q: %v", f.prompt.asked, r)
	}
	if !learned(t) {
		b, _ := os.ReadFile(f.known)
		t.Fatalf("known_hosts after yes:\n%s", b)
	}
	// Ed25519 comes first in the default HostKeyAlgorithms (OpenSSH 10.6's
	// order): ask for the learned key to prove it is trusted.
	r = f.run(nil, "-v", "-o", "StrictHostKeyChecking=yes", "-o", "HostKeyAlgorithms=^ssh-mldsa44-ed25519", "test", "true")
	if r.code != 0 || !strings.Contains(r.stderr, "debug1: kex: host key algorithm: ssh-mldsa44-ed25519\n") {
		t.Fatalf("login after accepting the ML-DSA key: %v", r)
	}
}
