//go:build interop && linux

package interop_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
)

const pqKeygen = "/pqssh/bin/pqssh-keygen"

// TestKeygen106 runs pqssh-keygen against OpenSSH 10.6p1's ssh-keygen on
// Debian forky for the ML-DSA composite (the classical types are covered
// against the test host's ssh-keygen in cmd/pqssh-keygen): each reads the
// other's encrypted keys, prints the same fingerprints and randomart,
// prints the other's certificates (ML-DSA and Ed25519 CAs over ML-DSA and
// Ed25519 keys, user and host) exactly as it does, verifies the other's
// SSHSIG signatures, converts RFC 4716 both ways and does the same
// known_hosts edits.
func TestKeygen106(t *testing.T) {
	c, _ := forkyHosts(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := fmt.Sprintf("/tmp/keygen-%d", lab.Port())
	run := func(stdin string, args ...string) *harness.Result {
		t.Helper()
		res, err := c.Run(ctx, harness.Exec{Args: args, Stdin: strings.NewReader(stdin)})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	ok := func(args ...string) string {
		t.Helper()
		res := run("", args...)
		if res.ExitCode != 0 {
			t.Fatalf("%q: exit %d\n%s%s", args, res.ExitCode, res.Stdout, res.Stderr)
		}
		return string(res.Stdout)
	}
	// same runs both tools with the same arguments and requires the same
	// stdout, stderr and exit status.
	same := func(stdin string, args ...string) string {
		t.Helper()
		theirs := run(stdin, append([]string{"ssh-keygen"}, args...)...)
		ours := run(stdin, append([]string{pqKeygen}, args...)...)
		if string(theirs.Stdout) != string(ours.Stdout) || theirs.Stderr != ours.Stderr || theirs.ExitCode != ours.ExitCode {
			t.Errorf("%q:\nssh-keygen (exit %d):\n%s%s\npqssh-keygen (exit %d):\n%s%s", args, theirs.ExitCode, theirs.Stdout, theirs.Stderr,
				ours.ExitCode, ours.Stdout, ours.Stderr)
		}
		return string(ours.Stdout)
	}
	ok("mkdir", "-p", dir)
	if v := run("", "ssh", "-V"); !strings.Contains(v.Stderr, "OpenSSH_10.6") {
		t.Fatalf("not OpenSSH 10.6: %s", v.Stderr)
	}

	t.Run("encrypted-keys", func(t *testing.T) {
		ours, theirs := dir+"/ours", dir+"/theirs"
		ok(pqKeygen, "-q", "-t", "mldsa44-ed25519", "-N", "our pass", "-a", "10", "-C", "ours@pqssh", "-f", ours)
		ok("ssh-keygen", "-q", "-t", "mldsa44-ed25519", "-N", "their pass", "-a", "12", "-C", "theirs@openssh", "-f", theirs)
		if got, want := ok("ssh-keygen", "-y", "-P", "our pass", "-f", ours), ok("cat", ours+".pub"); got != want {
			t.Errorf("ssh-keygen 10.6 -y on our encrypted key: %q, want %q", got, want)
		}
		if got, want := ok(pqKeygen, "-y", "-P", "their pass", "-f", theirs), ok("cat", theirs+".pub"); got != want {
			t.Errorf("pqssh-keygen -y on ssh-keygen 10.6's encrypted key: %q, want %q", got, want)
		}
		if res := run("", "ssh-keygen", "-y", "-P", "wrong", "-f", ours); res.ExitCode == 0 {
			t.Error("ssh-keygen decrypted our key with a wrong passphrase")
		}
		// Each changes the passphrase of the other's key.
		ok("ssh-keygen", "-p", "-P", "our pass", "-N", "p2", "-f", ours)
		ok(pqKeygen, "-p", "-P", "their pass", "-N", "p3", "-f", theirs)
		if got, want := ok(pqKeygen, "-y", "-P", "p2", "-f", ours), ok("cat", ours+".pub"); got != want {
			t.Errorf("our -y after ssh-keygen -p: %q", got)
		}
		if got, want := ok("ssh-keygen", "-y", "-P", "p3", "-f", theirs), ok("cat", theirs+".pub"); got != want {
			t.Errorf("ssh-keygen -y after our -p: %q", got)
		}
		for _, f := range []string{ours, theirs} {
			same("", "-lv", "-f", f+".pub")
			same("", "-l", "-E", "md5", "-f", f+".pub")
			same("", "-e", "-f", f+".pub")
			// Neither has a PKCS8 form of an ML-DSA key.
			for _, tool := range []string{pqKeygen, "ssh-keygen"} {
				if res := run("", tool, "-e", "-m", "PKCS8", "-f", f+".pub"); res.ExitCode == 0 {
					t.Errorf("%s exported an ML-DSA key as PKCS8: %s", tool, res.Stdout)
				}
			}
		}
	})

	t.Run("certificates", func(t *testing.T) {
		ok(pqKeygen, "-q", "-t", "mldsa44-ed25519", "-N", "", "-f", dir+"/ca_mldsa_ours")
		ok("ssh-keygen", "-q", "-t", "mldsa44-ed25519", "-N", "", "-f", dir+"/ca_mldsa_theirs")
		ok(pqKeygen, "-q", "-t", "ed25519", "-N", "", "-f", dir+"/ca_ed25519")
		ok(pqKeygen, "-q", "-t", "mldsa44-ed25519", "-N", "", "-C", "k", "-f", dir+"/key_mldsa")
		ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "k", "-f", dir+"/key_ed25519")
		n := 0
		for _, ca := range []string{"ca_mldsa_ours", "ca_mldsa_theirs", "ca_ed25519"} {
			for _, key := range []string{"key_mldsa", "key_ed25519"} {
				for _, opts := range [][]string{
					{"-I", "user id", "-n", "alice,bob", "-V", "20260101:20360101", "-z", "77", "-O", "no-pty", "-O", "source-address=10.0.0.0/8"},
					{"-h", "-I", "host id", "-n", "host.example.org"},
				} {
					for _, signer := range []string{pqKeygen, "ssh-keygen"} {
						n++
						pub := fmt.Sprintf("%s/cert%d.pub", dir, n)
						ok("cp", dir+"/"+key+".pub", pub)
						ok(append(append([]string{signer, "-s", dir + "/" + ca}, opts...), pub)...)
						cert := strings.TrimSuffix(pub, ".pub") + "-cert.pub"
						// ssh-keygen -L checks the CA signature as it parses.
						out := same("", "-L", "-f", cert)
						if !strings.Contains(out, "Signing CA: ") {
							t.Errorf("%s -s %s %s: -L printed %q", signer, ca, key, out)
						}
					}
				}
			}
		}
		t.Logf("%d certificates printed identically by both tools", n)
	})

	t.Run("sshsig", func(t *testing.T) {
		ok("sh", "-c", "echo signed text > "+dir+"/msg")
		for _, signer := range []string{pqKeygen, "ssh-keygen"} {
			key := dir + "/ours"
			pass := "p2"
			if signer == "ssh-keygen" {
				key, pass = dir+"/theirs", "p3"
			}
			ok("rm", "-f", dir+"/msg.sig")
			ok(signer, "-Y", "sign", "-P", pass, "-f", key, "-n", "file", dir+"/msg")
			ok("sh", "-c", "echo \"alice $(cat "+key+".pub)\" > "+dir+"/allowed")
			same("signed text\n", "-Y", "verify", "-f", dir+"/allowed", "-I", "alice", "-n", "file", "-s", dir+"/msg.sig")
			same("signed text\n", "-Y", "check-novalidate", "-n", "file", "-s", dir+"/msg.sig")
			same("", "-Y", "find-principals", "-f", dir+"/allowed", "-s", dir+"/msg.sig")
			for _, tool := range []string{pqKeygen, "ssh-keygen"} {
				if res := run("signed texT\n", tool, "-Y", "verify", "-f", dir+"/allowed", "-I", "alice", "-n", "file", "-s", dir+"/msg.sig"); res.ExitCode == 0 {
					t.Errorf("%s verified a changed message signed by %s", tool, signer)
				}
			}
		}
	})

	t.Run("import", func(t *testing.T) {
		for _, f := range []string{dir + "/ours", dir + "/theirs"} {
			ok("sh", "-c", "ssh-keygen -e -f "+f+".pub > "+f+".rfc")
			want := strings.Join(strings.Fields(ok("cat", f+".pub"))[:2], " ") + "\n"
			for _, tool := range []string{pqKeygen, "ssh-keygen"} {
				if got := ok(tool, "-i", "-f", f+".rfc"); got != want {
					t.Errorf("%s -i: %q, want %q", tool, got, want)
				}
			}
		}
	})

	t.Run("known_hosts", func(t *testing.T) {
		k := strings.Join(strings.Fields(ok("cat", dir+"/ours.pub"))[:2], " ")
		kh := "# c\nhost1,192.0.2.1 " + k + "\n[host2]:2222 " + k + "\n*.wild " + k + "\n@cert-authority *.example " + k + "\n"
		for _, mode := range [][]string{{"-F", "host1"}, {"-F", "[host2]:2222"}, {"-F", "192.0.2.1", "-l"}, {"-F", "nothere"}, {"-R", "host1"}, {"-R", "nothere"}} {
			ok("sh", "-c", "printf '%s' '"+kh+"' > "+dir+"/kh && rm -f "+dir+"/kh.old")
			theirs := run("", append([]string{"ssh-keygen"}, append(mode, "-f", dir+"/kh")...)...)
			theirsFile := ok("cat", dir+"/kh")
			ok("sh", "-c", "printf '%s' '"+kh+"' > "+dir+"/kh && rm -f "+dir+"/kh.old")
			o := run("", append([]string{pqKeygen}, append(mode, "-f", dir+"/kh")...)...)
			ours := ok("cat", dir+"/kh")
			if string(o.Stdout) != string(theirs.Stdout) || o.Stderr != theirs.Stderr || o.ExitCode != theirs.ExitCode || ours != theirsFile {
				t.Errorf("%q:\nssh-keygen: %d %q %q\n%s\npqssh-keygen: %d %q %q\n%s", mode, theirs.ExitCode, theirs.Stdout, theirs.Stderr, theirsFile,
					o.ExitCode, o.Stdout, o.Stderr, ours)
			}
		}
		// Each finds the names the other hashed.
		for _, hasher := range []string{pqKeygen, "ssh-keygen"} {
			ok("sh", "-c", "printf '%s' '"+kh+"' > "+dir+"/kh && rm -f "+dir+"/kh.old")
			ok(hasher, "-H", "-f", dir+"/kh")
			for _, finder := range []string{pqKeygen, "ssh-keygen"} {
				for _, host := range []string{"host1", "192.0.2.1", "[host2]:2222"} {
					if out := ok(finder, "-F", host, "-f", dir+"/kh"); !strings.Contains(out, "|1|") || !strings.Contains(out, k) {
						t.Errorf("%s -F %s in %s's hashed file: %q", finder, host, hasher, out)
					}
				}
			}
		}
	})
}
