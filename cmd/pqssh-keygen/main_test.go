package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshkey"
)

// tool runs pqssh-keygen in-process; passphrase prompts are answered from
// answers (and recorded in prompts).
type tool struct {
	t       *testing.T
	answers []string
	prompts []string
}

type result struct {
	stdout, stderr string
	err            error
}

func (r result) String() string {
	return "stdout:\n" + r.stdout + "stderr:\n" + r.stderr + "err: " + errString(r.err)
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func (tl *tool) run(stdin string, args ...string) result {
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	e.readPass = func(prompt string) ([]byte, error) {
		tl.prompts = append(tl.prompts, prompt)
		if len(tl.answers) == 0 {
			return nil, errors.New("no more answers")
		}
		a := tl.answers[0]
		tl.answers = tl.answers[1:]
		return []byte(a), nil
	}
	err := run(args, e)
	return result{out.String(), errb.String(), err}
}

// ok runs pqssh-keygen and fails the test unless it succeeds.
func (tl *tool) ok(args ...string) result {
	tl.t.Helper()
	r := tl.run("", args...)
	if r.err != nil {
		tl.t.Fatalf("pqssh-keygen %q: %s", args, r)
	}
	return r
}

// sshKeygen runs Debian's ssh-keygen (the Makefile installs
// openssh-client for the tests) and fails the test unless it succeeds.
func sshKeygen(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errOut, err := sshKeygenRun(t, stdin, args...)
	if err != nil {
		t.Fatalf("ssh-keygen %q: %v\n%s%s", args, err, out, errOut)
	}
	return out
}

func sshKeygenRun(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	path, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Fatal("ssh-keygen (openssh-client) is needed: make test installs it")
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// allTypes are every -t value; classicTypes those OpenSSH 9.x knows.
var (
	allTypes     = []string{"ed25519", "ecdsa", "rsa", "mldsa44-ed25519", "mldsa-44", "mldsa-65", "mldsa-87"}
	classicTypes = []string{"ed25519", "ecdsa", "rsa"}
)

// TestGenerateEveryType makes a key of every type, with and without a
// passphrase, and checks the files, -y, -l, -p and the refusals.
func TestGenerateEveryType(t *testing.T) {
	dir := t.TempDir()
	for _, typ := range allTypes {
		t.Run(typ, func(t *testing.T) {
			tl := &tool{t: t}
			_, kt, _ := lookupType(typ)
			f := filepath.Join(dir, "id_"+typ)
			r := tl.ok("-t", typ, "-f", f, "-C", "c@h", "-N", "sesame", "-a", "4")
			for _, want := range []string{"Generating public/private " + typ + " key pair.\n", "Your identification has been saved in " + f + "\n",
				"Your public key has been saved in " + f + ".pub\n", "The key fingerprint is:\nSHA256:", "The key's randomart image is:\n+"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("output lacks %q:\n%s", want, r.stdout)
				}
			}
			if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("private key file mode: %v", err)
			}
			pubLine := readFile(t, f+".pub")
			pub, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(pubLine))
			if err != nil || pub.Type() != kt.algo || comment != "c@h" {
				t.Fatalf(".pub: %q %v", pubLine, err)
			}
			priv := readFile(t, f)
			if !sshkey.IsEncrypted([]byte(priv)) {
				t.Fatal("-N sesame wrote an unencrypted key")
			}
			g, err := sshkey.Parse([]byte(priv), []byte("sesame"))
			if err != nil || g.Rounds != 4 {
				t.Fatalf("reading back: %v (rounds %d, want 4 from -a)", err, g.Rounds)
			}

			// -y with -P, then with the passphrase prompted.
			if r := tl.ok("-y", "-P", "sesame", "-f", f); r.stdout != pubLine {
				t.Errorf("-y printed %q, .pub is %q", r.stdout, pubLine)
			}
			tl.answers = []string{"sesame"}
			if r := tl.ok("-y", "-f", f); r.stdout != pubLine || len(tl.prompts) != 1 || tl.prompts[0] != "Enter passphrase: " {
				t.Errorf("-y with a prompt: %q, prompts %q", r.stdout, tl.prompts)
			}
			tl.answers = []string{"wrong"}
			if r := tl.run("", "-y", "-f", f); r.err == nil || !strings.Contains(r.err.Error(), "incorrect passphrase supplied to decrypt private key") {
				t.Errorf("wrong passphrase: %s", r)
			}

			// -l and -l -E md5, on the private and the public file.
			for _, file := range []string{f, f + ".pub"} {
				r := tl.ok("-l", "-f", file)
				want := " " + ssh.FingerprintSHA256(pub) + " c@h (" + sshkey.KeyTypeLabel(pub) + ")\n"
				if !strings.HasSuffix(r.stdout, want) {
					t.Errorf("-l -f %s: %q, want suffix %q", file, r.stdout, want)
				}
			}
			if r := tl.ok("-lf", f+".pub", "-E", "md5"); !strings.Contains(r.stdout, " MD5:"+ssh.FingerprintLegacyMD5(pub)+" c@h") {
				t.Errorf("-l -E md5: %q", r.stdout)
			}

			// -p: new passphrase, then none.
			tl.answers = []string{"sesame", "n3w", "n3w"}
			r = tl.ok("-p", "-f", f)
			if !strings.Contains(r.stdout, "Key has comment 'c@h'\n") || !strings.Contains(r.stdout, "Your identification has been saved with the new passphrase.\n") {
				t.Errorf("-p output: %q", r.stdout)
			}
			if want := []string{"Enter old passphrase: ", "Enter new passphrase (empty for no passphrase): ", "Enter same passphrase again: "}; strings.Join(tl.prompts[len(tl.prompts)-3:], "|") != strings.Join(want, "|") {
				t.Errorf("-p prompts: %q", tl.prompts)
			}
			if _, err := sshkey.Parse([]byte(readFile(t, f)), []byte("n3w")); err != nil {
				t.Errorf("after -p: %v", err)
			}
			tl.ok("-p", "-P", "n3w", "-N", "", "-f", f)
			if sshkey.IsEncrypted([]byte(readFile(t, f))) {
				t.Error("-p -N '' left the key encrypted")
			}
			if r := tl.ok("-y", "-f", f); r.stdout != pubLine {
				t.Errorf("-y after -p: %q", r.stdout)
			}

			// An existing file is not overwritten without "y".
			if r := tl.run("n\n", "-q", "-t", typ, "-f", f, "-N", ""); r.err == nil || readFile(t, f+".pub") != pubLine {
				t.Errorf("overwrote an existing key: %s", r)
			}
		})
	}
	tl := &tool{t: t}
	if r := tl.run("", "-q", "-t", "dsa", "-N", "", "-f", filepath.Join(dir, "dsa")); r.err == nil {
		t.Error("accepted an unknown type")
	}
	// Mismatched passphrases are asked again.
	tl.answers = []string{"a", "b", "c", "c"}
	f := filepath.Join(dir, "asked")
	r := tl.ok("-q", "-t", "ed25519", "-f", f)
	if !strings.Contains(r.stdout, "Passphrases do not match.  Try again.\n") {
		t.Errorf("mismatch not reported: %q", r.stdout)
	}
	if _, err := sshkey.Parse([]byte(readFile(t, f)), []byte("c")); err != nil {
		t.Errorf("the key is not under the confirmed passphrase: %v", err)
	}
}

// TestParseArgs checks getopt-style grouping as ssh-keygen takes it.
func TestParseArgs(t *testing.T) {
	o, err := parseArgs([]string{"-lvf", "key", "-Emd5", "-O", "a", "-O", "b", "--", "-x"})
	if err != nil {
		t.Fatal(err)
	}
	if !o.flags['l'] || !o.flags['v'] || o.val['f'] != "key" || o.val['E'] != "md5" || strings.Join(o.multi['O'], ",") != "a,b" || len(o.args) != 1 || o.args[0] != "-x" {
		t.Errorf("parsed %+v", o)
	}
	if _, err := parseArgs([]string{"-f"}); err == nil {
		t.Error("-f without an argument accepted")
	}
	if _, err := parseArgs([]string{"-X"}); err == nil {
		t.Error("unknown flag accepted")
	}
}
