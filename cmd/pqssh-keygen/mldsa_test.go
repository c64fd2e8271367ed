package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshkey"
)

// TestMLDSACertificates signs user and host certificates with ML-DSA and
// classical CAs over ML-DSA and classical keys (OpenSSH 10.6 checks the
// same in interop/keygen_test.go) and checks -L and the signature.
func TestMLDSACertificates(t *testing.T) {
	dir := t.TempDir()
	tl := &tool{t: t}
	types := []string{"mldsa44-ed25519", "mldsa-44", "mldsa-65", "mldsa-87", "ed25519", "ecdsa"}
	for _, typ := range types {
		tl.ok("-q", "-t", typ, "-N", "ca pass", "-f", filepath.Join(dir, "ca_"+typ))
		tl.ok("-q", "-t", typ, "-N", "", "-f", filepath.Join(dir, "key_"+typ))
	}
	for _, ca := range types {
		for _, key := range types {
			for _, host := range []bool{false, true} {
				pub := filepath.Join(dir, ca+"_"+key+".pub")
				os.WriteFile(pub, []byte(readFile(t, filepath.Join(dir, "key_"+key+".pub"))), 0o644)
				args := []string{"-s", filepath.Join(dir, "ca_"+ca), "-P", "ca pass", "-I", "id " + ca, "-n", "p1,p2", "-z", "3", "-V", "-5m:+1h"}
				kind := "user"
				if host {
					args, kind = append(args, "-h"), "host"
				}
				r := tl.ok(append(args, pub)...)
				cert := strings.TrimSuffix(pub, ".pub") + "-cert.pub"
				if !strings.HasPrefix(r.stderr, "Signed "+kind+" key "+cert+": id \"id "+ca+"\" serial 3 for p1,p2 valid from ") {
					t.Errorf("message %q", r.stderr)
				}
				c := checkCert(t, readFile(t, cert))
				caPub, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(readFile(t, filepath.Join(dir, "ca_"+ca+".pub"))))
				out := tl.ok("-L", "-f", cert).stdout
				for _, want := range []string{
					cert + ":\n        Type: " + c.Type() + " " + kind + " certificate\n",
					"        Public key: " + sshkey.KeyTypeLabel(c) + " " + ssh.FingerprintSHA256(c.Key) + "\n",
					"        Signing CA: " + sshkey.KeyTypeLabel(caPub) + " " + ssh.FingerprintSHA256(caPub) + " (using " + c.Signature.Format + ")\n",
					"        Key ID: \"id " + ca + "\"\n        Serial: 3\n        Valid: from ",
					"        Principals: \n                p1\n                p2\n",
				} {
					if !strings.Contains(out, want) {
						t.Errorf("%s CA %s key: -L lacks %q:\n%s", ca, key, want, out)
					}
				}
			}
		}
	}
	// Wrong CA passphrase: nothing is signed.
	pub := filepath.Join(dir, "x.pub")
	os.WriteFile(pub, []byte(readFile(t, filepath.Join(dir, "key_ed25519.pub"))), 0o644)
	if r := tl.run("", "-s", filepath.Join(dir, "ca_mldsa-65"), "-P", "nope", "-I", "x", pub); r.err == nil {
		t.Error("signed with a wrong CA passphrase")
	}
	if _, err := os.Stat(filepath.Join(dir, "x-cert.pub")); err == nil {
		t.Error("a certificate was written")
	}
}

// TestMLDSASignatures: -Y sign with every ML-DSA type, -Y verify,
// check-novalidate and find-principals; a changed message or another
// signer's key fails.
func TestMLDSASignatures(t *testing.T) {
	dir := t.TempDir()
	tl := &tool{t: t}
	msg := filepath.Join(dir, "m")
	os.WriteFile(msg, []byte("text"), 0o644)
	for _, typ := range []string{"mldsa44-ed25519", "mldsa-44", "mldsa-65", "mldsa-87"} {
		f := filepath.Join(dir, typ)
		tl.ok("-q", "-t", typ, "-N", "", "-f", f)
		os.Remove(msg + ".sig")
		tl.ok("-Y", "sign", "-f", f, "-n", "file", msg)
		allowed := filepath.Join(dir, "allowed")
		os.WriteFile(allowed, []byte("alice "+readFile(t, f+".pub")), 0o644)
		pub, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(readFile(t, f+".pub")))
		r := tl.run("text", "-Y", "verify", "-f", allowed, "-I", "alice", "-n", "file", "-s", msg+".sig")
		if want := "Good \"file\" signature for alice with " + sshkey.KeyTypeLabel(pub) + " key " + ssh.FingerprintSHA256(pub) + "\n"; r.err != nil || r.stdout != want {
			t.Errorf("%s: -Y verify %s", typ, r)
		}
		if r := tl.run("texT", "-Y", "verify", "-f", allowed, "-I", "alice", "-n", "file", "-s", msg+".sig"); r.err == nil {
			t.Errorf("%s: a changed message verified", typ)
		}
		if r := tl.run("", "-Y", "find-principals", "-f", allowed, "-s", msg+".sig"); r.stdout != "alice\n" {
			t.Errorf("%s: find-principals %s", typ, r)
		}
		if r := tl.run("text", "-Y", "check-novalidate", "-n", "file", "-s", msg+".sig"); r.err != nil || !strings.HasPrefix(r.stdout, "Good \"file\" signature with "+sshkey.KeyTypeLabel(pub)) {
			t.Errorf("%s: check-novalidate %s", typ, r)
		}
		other := filepath.Join(dir, typ+"-other")
		tl.ok("-q", "-t", typ, "-N", "", "-f", other)
		os.WriteFile(allowed, []byte("alice "+readFile(t, other+".pub")), 0o644)
		if r := tl.run("text", "-Y", "verify", "-f", allowed, "-I", "alice", "-n", "file", "-s", msg+".sig"); r.err == nil {
			t.Errorf("%s: verified against another key", typ)
		}
	}
}

// TestMLDSAKnownHosts: -H, -F and -R on ML-DSA host key lines.
func TestMLDSAKnownHosts(t *testing.T) {
	dir := t.TempDir()
	tl := &tool{t: t}
	f := filepath.Join(dir, "hk")
	tl.ok("-q", "-t", "mldsa44-ed25519", "-N", "", "-f", f)
	k := strings.Join(strings.Fields(readFile(t, f+".pub"))[:2], " ")
	kh := filepath.Join(dir, "known_hosts")
	os.WriteFile(kh, []byte("a.example,192.0.2.1 "+k+"\nb.example "+k+"\n"), 0o600)
	tl.ok("-H", "-f", kh)
	hashed := readFile(t, kh)
	if strings.Contains(hashed, "example") || strings.Count(hashed, "\n") != 3 {
		t.Fatalf("-H:\n%s", hashed)
	}
	r := tl.ok("-F", "192.0.2.1", "-f", kh)
	if !strings.HasPrefix(r.stdout, "# Host 192.0.2.1 found: line 2 \n|1|") || !strings.Contains(r.stdout, k) {
		t.Errorf("-F: %s", r)
	}
	if r := tl.ok("-F", "b.example", "-l", "-f", kh); !strings.Contains(r.stdout, "b.example MLDSA44-ED25519 SHA256:") {
		t.Errorf("-F -l: %s", r)
	}
	tl.ok("-R", "a.example", "-f", kh)
	if r := tl.run("", "-F", "a.example", "-f", kh); r.err == nil {
		t.Errorf("-R left a.example: %s", readFile(t, kh))
	}
	if r := tl.run("", "-F", "192.0.2.1", "-f", kh); r.err != nil {
		t.Error("-R a.example removed 192.0.2.1's line too")
	}
}
