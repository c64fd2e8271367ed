package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestVerbosityLevels: -v prints debug1 lines only, -vv adds debug2 (the
// KEXINIT proposals), -vvv debug3; the first line is the version without
// a prefix, and the configuration lines name the file read and the Host
// block applied, with its line, as OpenSSH does.
func TestVerbosityLevels(t *testing.T) {
	f := newFixture(t)
	levels := regexp.MustCompile(`(?m)^debug([0-9]): `)
	maxLevel := func(s string) string {
		m := "0"
		for _, g := range levels.FindAllStringSubmatch(s, -1) {
			if g[1] > m {
				m = g[1]
			}
		}
		return m
	}
	for i, flag := range []string{"-v", "-vv", "-vvv"} {
		r := f.run(nil, flag, "test", "true")
		if r.code != 0 {
			t.Fatal(r)
		}
		if got, want := maxLevel(r.stderr), string(rune('1'+i)); got != want {
			t.Errorf("%s: highest level debug%s, want debug%s:\n%s", flag, got, want, r.stderr)
		}
		first, _, _ := strings.Cut(r.stderr, "\n")
		if !strings.HasPrefix(first, "pqssh_0.1 (commit ") {
			t.Errorf("%s: first line %q, want the version", flag, first)
		}
		for _, want := range []string{
			"debug1: Reading configuration data " + f.cfg + "\n",
			"debug1: " + f.cfg + " line 1: Applying options for test\n",
			"debug1: " + f.cfg + " line 4: Applying options for *\n",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s lacks %q:\n%s", flag, want, r.stderr)
			}
		}
		if i >= 1 && !strings.Contains(r.stderr, "debug2: local client KEXINIT proposal\ndebug2: KEX algorithms: ") {
			t.Errorf("%s lacks the KEXINIT proposal:\n%s", flag, r.stderr)
		}
	}
	// Without -v nothing of this is printed.
	if r := f.run(nil, "test", "true"); r.code != 0 || strings.Contains(r.stderr, "debug") || strings.Contains(r.stderr, "pqssh_0.1") {
		t.Errorf("no -v: %v", r)
	}
}

// TestConfigDebugIncludeAndMatch: Include and Match lines are reported
// at OpenSSH's levels.
func TestConfigDebugIncludeAndMatch(t *testing.T) {
	f := newFixture(t)
	inc := filepath.Join(f.home, "inc.conf")
	os.WriteFile(inc, []byte("Match host test\n  SetEnv FROM_MATCH=1\n"), 0o600)
	cfg, _ := os.ReadFile(f.cfg)
	os.WriteFile(f.cfg, append([]byte("Include "+inc+"\nInclude "+f.home+"/none-*.conf\n"), cfg...), 0o600)
	r := f.run(nil, "-vvv", "test", "true")
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{
		"debug2: " + f.cfg + " line 1: including " + inc + "\n",
		"debug1: Reading configuration data " + inc + "\n",
		"debug2: checking match for 'host test' host test originally test\n",
		"debug3: match found\n",
		"debug1: " + f.cfg + " line 2: include " + f.home + "/none-*.conf matched no files\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("-vvv lacks %q:\n%s", want, r.stderr)
		}
	}
}

// TestPasswordRetryMessage: after a refused password OpenSSH's
// "Permission denied, please try again." comes before the next prompt.
func TestPasswordRetryMessage(t *testing.T) {
	f := newFixture(t)
	os.Remove(f.keyPath)
	f.srv.SetPassword("hunter2")
	f.prompt.answers = []string{"wrong", "hunter2"}
	r := f.run(nil, "-o", "BatchMode=no", "test", "echo pw")
	if r.code != 0 || r.stdout != "pw\n" || len(f.prompt.asked) != 2 {
		t.Fatalf("password: %v %q", r, f.prompt.asked)
	}
	if strings.Count(r.stderr, "Permission denied, please try again.\n") != 1 {
		t.Errorf("stderr %q, want one retry message", r.stderr)
	}
	// A first-time success prints no such line.
	f.prompt.answers, f.prompt.asked = []string{"hunter2"}, nil
	if r := f.run(nil, "-o", "BatchMode=no", "test", "true"); r.code != 0 || strings.Contains(r.stderr, "Permission denied") {
		t.Errorf("first password right: %v", r)
	}
}

// TestVersionFlag: -V prints the version with the commit.
func TestVersionFlag(t *testing.T) {
	f := newFixture(t)
	r := f.run(nil, "-V")
	if r.code != 0 || !regexp.MustCompile(`^pqssh_0\.1 \(commit [^)]+\)`).MatchString(r.stderr) {
		t.Errorf("-V: %v", r)
	}
}

// TestCanonicalizeWithSystemResolver: pqssh -G with CanonicalizeHostname
// resolves a fully qualified name ("localhost.", from /etc/hosts) with
// the system resolver and re-reads the configuration with it.
func TestCanonicalizeWithSystemResolver(t *testing.T) {
	f := newFixture(t)
	cfg, _ := os.ReadFile(f.cfg)
	os.WriteFile(f.cfg, append([]byte("CanonicalizeHostname yes\nHost localhost\n  Port 2345\n"), cfg...), 0o600)
	r := f.run(nil, "-vvv", "-G", "localhost.")
	if r.code != 0 || !strings.Contains(r.stdout, "\nhostname localhost\n") || !strings.Contains(r.stdout, "\nport 2345\n") {
		t.Fatalf("-G localhost.: %v", r)
	}
	if !strings.Contains(r.stderr, `debug1: Canonicalized hostname "localhost" => "localhost"`) || !strings.Contains(r.stderr, "debug1: re-parsing configuration") {
		t.Errorf("debug lines: %s", r.stderr)
	}
}
