package config

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
)

// readTestdata returns the non-comment lines of a testdata file.
func readTestdata(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// TestOpenSSH106KeywordsImplementedOrWarned: every keyword OpenSSH 10.6's
// ssh -G prints is known to pqssh, and one pqssh does not implement
// (ignored, or implemented for some values only) is warned about exactly
// once when a configuration gives it a value that would change what
// OpenSSH does, however many lines set it; its inert value is not warned
// about.
func TestOpenSSH106KeywordsImplementedOrWarned(t *testing.T) {
	kws := readTestdata(t, "openssh-10.6-G-keywords.txt")
	if len(kws) < 90 {
		t.Fatalf("only %d keywords in the list", len(kws))
	}
	for _, name := range kws {
		kw, _, ok := lookupKeyword(name)
		if !ok {
			t.Errorf("%s: not a pqssh keyword", name)
			continue
		}
		if kw.kind != kIgnored && len(kw.inert) == 0 {
			continue // implemented
		}
		if kw.status == "" {
			t.Errorf("%s: not implemented and no status for the docs", name)
		}
		value := "x-unsupported"
		switch kw.kind {
		case kFlag:
			value = "yes"
		case kEnum:
			for _, v := range kw.values {
				if !slices.Contains(kw.inert, v) {
					value = v
					break
				}
			}
		}
		var warnings []string
		o := NewOptions(Context{Host: "h", LocalUser: "me", Home: t.TempDir(), Warn: func(m string) { warnings = append(warnings, m) }})
		text := kw.name + " " + value + "\nHost *\n" + kw.name + " " + value + "\n"
		if err := o.Parse(strings.NewReader(text), "cfg", true); err != nil {
			t.Errorf("%s %s: %v", name, value, err)
			continue
		}
		if len(warnings) != 1 || !strings.Contains(warnings[0], `cfg:1: Unsupported option "`+name+`"`) {
			t.Errorf("%s %s: warnings %q, want one", name, value, warnings)
		}
		if len(kw.inert) > 0 {
			warnings = nil
			o := NewOptions(Context{Host: "h", LocalUser: "me", Home: t.TempDir(), Warn: func(m string) { warnings = append(warnings, m) }})
			if err := o.Parse(strings.NewReader(kw.name+" "+kw.inert[0]+"\n"), "cfg", true); err != nil || len(warnings) != 0 {
				t.Errorf("%s %s (inert): %v %q", name, kw.inert[0], err, warnings)
			}
		}
	}
}

// TestKeyAlgorithmDefaultsFollowOpenSSH106: HostKeyAlgorithms and
// PubkeyAcceptedAlgorithms default to OpenSSH 10.6's lists (Ed25519
// certificates and keys before ECDSA and RSA), leaving out what the SSH
// library lacks, with pqssh's pure ML-DSA algorithms at the end.
// PubkeyAcceptedAlgorithms keeps OpenSSH's order exactly
// (ssh-mldsa44-ed25519 last of each group); HostKeyAlgorithms moves
// ssh-mldsa44-ed25519 and its certificate to the front of their groups.
func TestKeyAlgorithmDefaultsFollowOpenSSH106(t *testing.T) {
	lines := readTestdata(t, "openssh-10.6-G-algorithms.txt")
	want := map[string][]string{}
	for _, l := range lines {
		k, v, _ := strings.Cut(l, " ")
		want[k] = strings.Split(v, ",")
	}
	for _, key := range []string{"hostkeyalgorithms", "pubkeyacceptedalgorithms"} {
		got := DefaultAlgorithms(key)
		var openssh, extra []string
		for _, a := range got {
			if slices.Contains(want[key], a) {
				openssh = append(openssh, a)
			} else {
				extra = append(extra, a)
			}
		}
		// The OpenSSH names pqssh has appear in OpenSSH's order.
		var filtered []string
		for _, a := range want[key] {
			if slices.Contains(got, a) {
				filtered = append(filtered, a)
			}
		}
		firstCert, firstPlain := "ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519"
		if key == "hostkeyalgorithms" {
			filtered = postQuantumFirst(filtered)
			firstCert, firstPlain = "ssh-mldsa44-ed25519-cert", "ssh-mldsa44-ed25519"
		}
		if !slices.Equal(openssh, filtered) {
			t.Errorf("%s: OpenSSH's names in order\n%v\nwant\n%v", key, openssh, filtered)
		}
		if got[0] != firstCert {
			t.Errorf("%s starts with %s, want %s", key, got[0], firstCert)
		}
		plain := slices.IndexFunc(got, func(a string) bool { return !isCertAlgorithm(a) })
		if got[plain] != firstPlain {
			t.Errorf("%s: first plain key algorithm %s, want %s", key, got[plain], firstPlain)
		}
		if key == "hostkeyalgorithms" {
			// After the composite, OpenSSH's order: Ed25519 before ECDSA and RSA.
			if got[1] != "ssh-ed25519-cert-v01@openssh.com" || got[plain+1] != "ssh-ed25519" {
				t.Errorf("%s: Ed25519 does not follow the composite: %v", key, got)
			}
		}
		for _, a := range []string{"ssh-ed25519-cert-v01@openssh.com", "rsa-sha2-512-cert-v01@openssh.com", "ssh-mldsa44-ed25519-cert", "ssh-mldsa44-ed25519", "rsa-sha2-256"} {
			if !slices.Contains(got, a) {
				t.Errorf("%s lacks %s", key, a)
			}
		}
		wantExtra := []string{"ssh-mldsa-44", "ssh-mldsa-65", "ssh-mldsa-87"}
		lastOpenSSH := "ssh-mldsa44-ed25519"
		if key == "hostkeyalgorithms" {
			lastOpenSSH = "rsa-sha2-256"
		}
		if !slices.Equal(extra, wantExtra) || !slices.Equal(got[len(got)-4:], append([]string{lastOpenSSH}, wantExtra...)) {
			t.Errorf("%s: pqssh-only algorithms %v at the end of %v, want %v after ssh-mldsa44-ed25519", key, extra, got, wantExtra)
		}
	}
	// Adding a certificate algorithm that is already a default is no error.
	if _, err := load(t, "h", "", "PubkeyAcceptedAlgorithms=+ssh-ed25519-cert-v01@openssh.com"); err != nil {
		t.Error(err)
	}
}

// TestUnsupportedInSystemFileIsDebug: an unimplemented keyword in the
// system-wide file (Debian's ssh_config sets GSSAPIAuthentication yes) is
// reported at debug1 only; the same line in a user file warns.
func TestUnsupportedInSystemFileIsDebug(t *testing.T) {
	var warnings, debug []string
	o := NewOptions(Context{Host: "h", LocalUser: "me", Home: t.TempDir(),
		Warn:  func(m string) { warnings = append(warnings, m) },
		Debug: func(n int, m string) { debug = append(debug, m) }})
	if err := o.Parse(strings.NewReader("Host *\n  GSSAPIAuthentication yes\n"), "/etc/ssh/ssh_config", false); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 || !slices.Contains(debug, `/etc/ssh/ssh_config:2: Unsupported option "gssapiauthentication": ignored: GSSAPI is not supported`) {
		t.Errorf("system file: warnings %q debug %q", warnings, debug)
	}
	o = NewOptions(Context{Host: "h", LocalUser: "me", Home: t.TempDir(), Warn: func(m string) { warnings = append(warnings, m) }})
	if err := o.Parse(strings.NewReader("GSSAPIAuthentication yes\n"), "cfg", true); err != nil || len(warnings) != 1 {
		t.Errorf("user file: %q %v", warnings, err)
	}
}
