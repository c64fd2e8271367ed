package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// These tests run Debian's ssh-keygen (OpenSSH 9.x/10.0 on the test host)
// against pqssh-keygen for the classical key types, in both directions;
// interop/keygen_test.go does the same for ML-DSA with OpenSSH 10.6.

// TestOpenSSHReadsOurKeys: ssh-keygen decrypts the keys pqssh-keygen writes
// (bcrypt_pbkdf + aes256-ctr, -a rounds) and agrees on fingerprints and
// randomart; it also changes their passphrase.
func TestOpenSSHReadsOurKeys(t *testing.T) {
	dir := t.TempDir()
	for _, typ := range classicTypes {
		for _, bits := range map[string][]string{"ecdsa": {"256", "384", "521"}, "rsa": {"2048"}, "ed25519": {""}}[typ] {
			t.Run(typ+bits, func(t *testing.T) {
				tl := &tool{t: t}
				f := filepath.Join(dir, "ours_"+typ+bits)
				args := []string{"-q", "-t", typ, "-f", f, "-C", "ours@test", "-N", "pw 1", "-a", "8"}
				if bits != "" {
					args = append(args, "-b", bits)
				}
				tl.ok(args...)
				pub := readFile(t, f+".pub")
				if got := sshKeygen(t, "", "-y", "-P", "pw 1", "-f", f); got != pub {
					t.Errorf("ssh-keygen -y: %q, want %q", got, pub)
				}
				for _, extra := range [][]string{nil, {"-E", "md5"}} {
					a := append([]string{"-lv", "-f", f + ".pub"}, extra...)
					if want, got := sshKeygen(t, "", a...), tl.ok(a...).stdout; got != want {
						t.Errorf("-l %q:\nours:\n%s\nssh-keygen:\n%s", extra, got, want)
					}
				}
				// ssh-keygen re-encrypts it; we read that back.
				sshKeygen(t, "", "-p", "-P", "pw 1", "-N", "pw 2", "-f", f)
				if got := tl.ok("-y", "-P", "pw 2", "-f", f).stdout; got != pub {
					t.Errorf("our -y after ssh-keygen -p: %q", got)
				}
				// Unencrypted too.
				g := filepath.Join(dir, "plain_"+typ+bits)
				tl.ok("-q", "-t", typ, "-f", g, "-N", "", "-C", "")
				if got, want := sshKeygen(t, "", "-y", "-f", g), readFile(t, g+".pub"); got != want {
					t.Errorf("ssh-keygen -y on an unencrypted key: %q, want %q", got, want)
				}
			})
		}
	}
}

// TestWeReadOpenSSHKeys: pqssh-keygen reads what ssh-keygen writes,
// encrypted or not, in the OpenSSH, PEM and PKCS8 formats, and -p
// re-encrypts it so that ssh-keygen reads it again.
func TestWeReadOpenSSHKeys(t *testing.T) {
	dir := t.TempDir()
	for _, typ := range classicTypes {
		for _, format := range []string{"", "PEM", "PKCS8"} {
			if typ == "ed25519" && format != "" {
				continue // OpenSSH writes Ed25519 keys in its own format only
			}
			t.Run(typ+format, func(t *testing.T) {
				tl := &tool{t: t}
				f := filepath.Join(dir, "theirs_"+typ+format)
				args := []string{"-q", "-t", typ, "-f", f, "-C", "theirs@test", "-N", "", "-a", "6"}
				if format == "" {
					args[len(args)-3] = "their pass"
				} else {
					args = append(args, "-m", format)
				}
				if typ == "rsa" {
					args = append(args, "-b", "2048")
				}
				sshKeygen(t, "", args...)
				pubFile := readFile(t, f+".pub")
				wantKey := strings.Join(strings.Fields(pubFile)[:2], " ")
				pass := "their pass"
				if format != "" {
					pass = ""
				}
				got := tl.ok("-y", "-P", pass, "-f", f).stdout
				if !strings.HasPrefix(got, wantKey) {
					t.Fatalf("our -y: %q, want %q", got, wantKey)
				}
				if format == "" && got != pubFile {
					t.Errorf("our -y lost the comment: %q, want %q", got, pubFile)
				}
				tl.ok("-p", "-P", pass, "-N", "ours now", "-f", f)
				if got := sshKeygen(t, "", "-y", "-P", "ours now", "-f", f); !strings.HasPrefix(got, wantKey) {
					t.Errorf("ssh-keygen -y after our -p: %q", got)
				}
			})
		}
	}
}

// TestCertificatesWithOpenSSH signs user and host certificates with every
// classical CA type over every classical key type, both ways: ssh-keygen
// -L prints our certificate exactly as we do, and we print its
// certificates exactly as it does.
func TestCertificatesWithOpenSSH(t *testing.T) {
	dir := t.TempDir()
	tl := &tool{t: t}
	for _, typ := range classicTypes {
		args := []string{"-q", "-t", typ, "-N", "", "-f", filepath.Join(dir, "ca_"+typ)}
		if typ == "rsa" {
			args = append(args, "-b", "2048")
		}
		tl.ok(args...)
		tl.ok("-q", "-t", typ, "-N", "", "-C", "user of "+typ, "-f", filepath.Join(dir, "key_"+typ))
	}
	optionSets := [][]string{
		{"-I", "plain id"},
		{"-I", "alice@example", "-n", "alice,root", "-V", "20250101:20300101123456", "-z", "42",
			"-O", "no-pty", "-O", "source-address=192.0.2.0/24,2001:db8::/32", "-O", "force-command=/bin/true",
			"-O", "extension:login@example.org=alice", "-O", "critical:flag@example.org", "-O", "verify-required"},
		{"-I", "relative", "-n", "bob", "-V", "-1d:+52w", "-O", "clear", "-O", "permit-agent-forwarding"},
		{"-I", "host", "-h", "-n", "host.example.org,*.example.net", "-V", "always:20991231Z"},
	}
	re := regexp.MustCompile(`^(Warning: certificate will contain no principals \(-n\)\r\n)?Signed (user|host) key .*-cert.pub: id "[^"]*" serial \d+.* valid .*\r\n$`)
	n := 0
	for _, ca := range classicTypes {
		for _, key := range classicTypes {
			for i, o := range optionSets {
				n++
				for _, signer := range []string{"ours", "theirs"} {
					src := filepath.Join(dir, "key_"+key+".pub")
					pub := filepath.Join(dir, strings.Join([]string{signer, ca, key, string(rune('a' + i))}, "_")+".pub")
					if err := os.WriteFile(pub, []byte(readFile(t, src)), 0o644); err != nil {
						t.Fatal(err)
					}
					args := append([]string{"-s", filepath.Join(dir, "ca_"+ca)}, o...)
					args = append(args, pub)
					if signer == "ours" {
						r := tl.ok(args...)
						if !re.MatchString(r.stderr) {
							t.Errorf("signing message: %q", r.stderr)
						}
					} else {
						sshKeygen(t, "", args...)
					}
					cert := strings.TrimSuffix(pub, ".pub") + "-cert.pub"
					want := sshKeygen(t, "", "-L", "-f", cert)
					if got := tl.ok("-L", "-f", cert).stdout; got != want {
						t.Errorf("%s CA %s key %s options %d: -L\nours:\n%s\nssh-keygen:\n%s", signer, ca, key, i, got, want)
					}
					checkCert(t, readFile(t, cert))
				}
			}
		}
	}
	t.Logf("%d certificate configurations compared both ways", n)
}

// checkCert checks a certificate's signature and validity with x/crypto's
// CertChecker, at a time inside its validity and for its first principal.
func checkCert(t *testing.T, line string) *ssh.Certificate {
	t.Helper()
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	c, ok := k.(*ssh.Certificate)
	if !ok {
		t.Fatalf("not a certificate: %s", line)
	}
	at := time.Now()
	if c.ValidAfter > 0 {
		at = time.Unix(int64(c.ValidAfter)+1, 0)
	}
	chk := &ssh.CertChecker{
		Clock:                    func() time.Time { return at },
		SupportedCriticalOptions: []string{"force-command", "source-address", "verify-required", "flag@example.org"},
	}
	principal := ""
	if len(c.ValidPrincipals) > 0 {
		principal = c.ValidPrincipals[0]
	}
	if err := chk.CheckCert(principal, c); err != nil {
		t.Errorf("certificate does not verify: %v", err)
	}
	return c
}

// TestExportImportWithOpenSSH: -e in each format gives ssh-keygen's bytes,
// each side's -i reads the other's export, and types without a PKCS8/PEM
// form are refused with a reason.
func TestExportImportWithOpenSSH(t *testing.T) {
	dir := t.TempDir()
	tl := &tool{t: t}
	for _, typ := range allTypes {
		f := filepath.Join(dir, "k_"+typ)
		tl.ok("-q", "-t", typ, "-N", "", "-b", map[string]string{"rsa": "2048", "ecdsa": "384"}[typ], "-f", f)
		pubLine := readFile(t, f+".pub")
		keyOnly := strings.Join(strings.Fields(pubLine)[:2], " ") + "\n"
		for _, format := range []string{"RFC4716", "PKCS8", "PEM"} {
			r := tl.run("", "-e", "-m", format, "-f", f+".pub")
			classicForm := typ == "rsa" || typ == "ecdsa" || format == "RFC4716"
			if !classicForm {
				if r.err == nil || (strings.HasPrefix(typ, "mldsa") && !strings.Contains(r.err.Error(), "ML-DSA keys have no "+format+" format")) {
					t.Errorf("%s -m %s: %s", typ, format, r)
				}
				continue
			}
			if r.err != nil {
				t.Fatalf("%s -e -m %s: %s", typ, format, r)
			}
			exp := filepath.Join(dir, typ+"."+format)
			os.WriteFile(exp, []byte(r.stdout), 0o644)
			if got := tl.ok("-i", "-m", format, "-f", exp).stdout; got != keyOnly {
				t.Errorf("%s: our -i of our -m %s: %q", typ, format, got)
			}
			if strings.HasPrefix(typ, "mldsa") {
				continue // OpenSSH 9.x lacks the type: interop/keygen_test.go
			}
			if want := sshKeygen(t, "", "-e", "-m", format, "-f", f+".pub"); r.stdout != want {
				t.Errorf("%s -e -m %s:\nours:\n%s\nssh-keygen:\n%s", typ, format, r.stdout, want)
			}
			if typ == "ecdsa" && format == "PEM" {
				// ssh-keygen -i -m PEM reads RSA public keys only, not
				// the SubjectPublicKeyInfo its -e -m PEM writes for
				// ECDSA (ours reads both).
				continue
			}
			if got := sshKeygen(t, "", "-i", "-m", format, "-f", exp); got != keyOnly {
				t.Errorf("ssh-keygen -i of our %s %s: %q", typ, format, got)
			}
		}
	}
}

// TestSSHSIGWithOpenSSH: -Y sign by one side verifies with -Y verify,
// check-novalidate and find-principals of the other, for each classical
// key type; a wrong identity, namespace or message is refused.
func TestSSHSIGWithOpenSSH(t *testing.T) {
	dir := t.TempDir()
	tl := &tool{t: t}
	msg := filepath.Join(dir, "msg")
	os.WriteFile(msg, []byte("signed data\n"), 0o644)
	for _, typ := range classicTypes {
		f := filepath.Join(dir, "k_"+typ)
		tl.ok("-q", "-t", typ, "-N", "pass", "-b", map[string]string{"rsa": "2048"}[typ], "-f", f)
		allowed := filepath.Join(dir, "allowed_"+typ)
		os.WriteFile(allowed, []byte("alice@example.org,ops namespaces=\"file,git\" "+readFile(t, f+".pub")), 0o644)
		for _, signer := range []string{"ours", "theirs"} {
			os.Remove(msg + ".sig")
			args := []string{"-Y", "sign", "-P", "pass", "-f", f, "-n", "file", msg}
			if signer == "ours" {
				if r := tl.ok(args...); r.stderr != "Signing file "+msg+"\nWrite signature to "+msg+".sig\n" {
					t.Errorf("-Y sign messages: %q", r.stderr)
				}
			} else {
				sshKeygen(t, "", args...)
			}
			verify := []string{"-Y", "verify", "-f", allowed, "-I", "alice@example.org", "-n", "file", "-s", msg + ".sig"}
			want := sshKeygen(t, "signed data\n", verify...)
			if got := tl.run("signed data\n", verify...); got.err != nil || got.stdout != want {
				t.Errorf("%s %s: -Y verify: %s\nssh-keygen: %q", signer, typ, got, want)
			}
			check := []string{"-Y", "check-novalidate", "-n", "file", "-s", msg + ".sig"}
			want = sshKeygen(t, "signed data\n", check...)
			if got := tl.run("signed data\n", check...); got.err != nil || got.stdout != want {
				t.Errorf("%s %s: -Y check-novalidate: %s\nssh-keygen: %q", signer, typ, got, want)
			}
			find := []string{"-Y", "find-principals", "-f", allowed, "-s", msg + ".sig"}
			want = sshKeygen(t, "", find...)
			if got := tl.run("", find...); got.err != nil || got.stdout != want {
				t.Errorf("%s %s: -Y find-principals: %s\nssh-keygen: %q", signer, typ, got, want)
			}
			for _, bad := range [][]string{
				{"signed data\n", "-I", "mallory"},
				{"signed data\n", "-n", "email"},
				{"signed datA\n"},
			} {
				args := append([]string{}, verify...)
				for i := 1; i+1 < len(bad); i += 2 {
					for j := range args {
						if args[j] == bad[i] {
							args[j+1] = bad[i+1]
						}
					}
				}
				if r := tl.run(bad[0], args...); r.err == nil {
					t.Errorf("%s %s: -Y verify accepted %q", signer, typ, bad)
				}
				if _, _, err := sshKeygenRun(t, bad[0], args...); err == nil {
					t.Errorf("ssh-keygen accepted %q (test case is wrong)", bad)
				}
			}
		}
	}
}

// TestKnownHostsWithOpenSSH compares -F, -R and -H with ssh-keygen's on the
// same file: the same output, messages, exit status and resulting file
// (hashed names differ by their random salt, so each side must find the
// other's hashed names instead).
func TestKnownHostsWithOpenSSH(t *testing.T) {
	dir := t.TempDir()
	tl := &tool{t: t}
	f := filepath.Join(dir, "k")
	tl.ok("-q", "-t", "ed25519", "-N", "", "-f", f)
	k := strings.Join(strings.Fields(readFile(t, f+".pub"))[:2], " ")
	kh := "# comment\nhost1,10.0.0.1 " + k + "\n[host2]:2222 " + k + "\n*.wild,!bad.wild " + k + "\n@cert-authority *.ex " + k +
		"\n@revoked host1 " + k + "\n|1|8O9G4Q0PHXLp9V7vmDasn/bk1JA=|1mRnjXkxyL4U+hQDBYX6Ksql8II= " + k + "\n"
	for _, mode := range [][]string{{"-F", "host1"}, {"-F", "10.0.0.1"}, {"-F", "[host2]:2222"}, {"-F", "x.wild"}, {"-F", "bad.wild"},
		{"-F", "nothere"}, {"-F", "host1", "-l"}, {"-R", "host1"}, {"-R", "[host2]:2222"}, {"-R", "nothere"}, {"-R", "hashed.example"}, {"-F", "hashed.example"}} {
		theirs, ours := filepath.Join(dir, "theirs"), filepath.Join(dir, "ours")
		os.WriteFile(theirs, []byte(kh), 0o600)
		os.WriteFile(ours, []byte(kh), 0o600)
		os.Remove(theirs + ".old")
		os.Remove(ours + ".old")
		wantOut, wantErr, err := sshKeygenRun(t, "", append(mode, "-f", theirs)...)
		r := tl.run("", append(mode, "-f", ours)...)
		fix := func(s string) string { return strings.ReplaceAll(s, ours, theirs) }
		if fix(r.stdout) != wantOut || fix(r.stderr) != wantErr || (err == nil) != (r.err == nil) || readFile(t, ours) != readFile(t, theirs) {
			t.Errorf("%q:\nours: %s\nfile:\n%s\nssh-keygen: stdout %q stderr %q err %v\nfile:\n%s", mode, r, readFile(t, ours), wantOut, wantErr, err, readFile(t, theirs))
		}
	}

	// -H: same messages; every plain name hashed, one line each; each
	// side finds the names in the other's output.
	theirs, ours := filepath.Join(dir, "theirs"), filepath.Join(dir, "ours")
	os.WriteFile(theirs, []byte(kh), 0o600)
	os.WriteFile(ours, []byte(kh), 0o600)
	wantOut, wantErr, _ := sshKeygenRun(t, "", "-H", "-f", theirs)
	r := tl.ok("-H", "-f", ours)
	if strings.ReplaceAll(r.stdout, ours, theirs) != wantOut || strings.ReplaceAll(r.stderr, ours, theirs) != wantErr {
		t.Errorf("-H messages: %s\nssh-keygen: %q %q", r, wantOut, wantErr)
	}
	if readFile(t, ours+".old") != kh {
		t.Error("-H did not keep the original as .old")
	}
	hashed := readFile(t, ours)
	if strings.Contains(hashed, "host1,") || strings.Count(hashed, "|1|") != 4 {
		t.Errorf("-H result:\n%s", hashed)
	}
	for _, host := range []string{"host1", "10.0.0.1", "[host2]:2222", "hashed.example"} {
		if _, _, err := sshKeygenRun(t, "", "-F", host, "-f", ours); err != nil {
			t.Errorf("ssh-keygen -F %s does not find it in our hashed file", host)
		}
		if r := tl.run("", "-F", host, "-f", theirs); r.err != nil || !strings.Contains(r.stdout, "# Host "+host+" found") {
			t.Errorf("our -F %s in ssh-keygen's hashed file: %s", host, r)
		}
	}
}
