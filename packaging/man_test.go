package packaging

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// manPages are the manual pages make deb installs.
var manPages = []string{"pqssh.1", "pqssh-keygen.1", "pqsshd_config.5", "pqsshd.8"}

// TestManPagesLint runs mandoc's checker on every page: a warning or an
// error (bad macro, wrong section order, broken list) fails.
func TestManPagesLint(t *testing.T) {
	mandoc, err := exec.LookPath("mandoc")
	if err != nil {
		t.Fatal("mandoc is needed to check the manual pages (Debian package mandoc; make test installs it)")
	}
	for _, p := range manPages {
		out, err := exec.Command(mandoc, "-Tlint", "-Wwarning", filepath.Join("man", p)).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("mandoc -Tlint %s: %v\n%s", p, err, out)
		}
	}
}

// manFlags returns the single-letter flags a page documents in its
// OPTIONS list (".It Fl x" lines).
func manFlags(t *testing.T, page string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("man", page))
	if err != nil {
		t.Fatal(err)
	}
	_, opts, ok := strings.Cut(string(src), "\n.Sh OPTIONS\n")
	if !ok {
		t.Fatalf("%s has no OPTIONS section", page)
	}
	opts, _, _ = strings.Cut(opts, "\n.Sh ")
	var flags []byte
	for _, m := range regexp.MustCompile(`(?m)^\.It Fl ([0-9A-Za-z])\b`).FindAllStringSubmatch(opts, -1) {
		flags = append(flags, m[1][0])
	}
	slices.Sort(flags)
	return slices.Compact(flags)
}

// probeFlags returns the letters and digits the program accepts as flags:
// it runs the program with each as the last argument (after prefix) and
// takes a flag as accepted unless the program says unknownFmt (a format
// with one %c). The prefixes keep every probe from doing anything: pqssh
// without a destination stops at its usage, pqsshd with a missing -f file
// stops at the configuration.
func probeFlags(t *testing.T, prog string, prefix []string, unknownFmt string) []byte {
	t.Helper()
	home := t.TempDir()
	var accepted []byte
	for _, c := range []byte("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, prog, append(slices.Clone(prefix), "-"+string(c))...)
		cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "XDG_CONFIG_HOME=" + home}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.Run()
		timedOut := ctx.Err() != nil
		cancel()
		if timedOut {
			t.Fatalf("%s -%c did not return: %s", prog, c, out.String())
		}
		if !strings.Contains(out.String(), strings.ReplaceAll(unknownFmt, "%c", string(c))) {
			accepted = append(accepted, c)
		}
	}
	if len(accepted) == 0 {
		t.Fatalf("%s: no flag accepted: the probe is wrong", prog)
	}
	return accepted
}

// keygenFlags lists the flags pqssh-keygen's usage synopsis names (printed
// for an unknown option, as ssh-keygen's). Probing each letter as for the
// other programs would run key generation for flags such as -q.
func keygenFlags(t *testing.T, prog string) []byte {
	t.Helper()
	out, _ := exec.Command(prog, "-?").CombinedOutput()
	if !strings.Contains(string(out), "usage:") {
		t.Fatalf("pqssh-keygen -? printed no usage:\n%s", out)
	}
	var flags []byte
	for _, m := range regexp.MustCompile(`(?:^|[\s\[|])-([0-9A-Za-z])\b`).FindAllStringSubmatch(string(out), -1) {
		if !slices.Contains(flags, m[1][0]) {
			flags = append(flags, m[1][0])
		}
	}
	if len(flags) == 0 {
		t.Fatalf("pqssh-keygen's usage lists no flags:\n%s", out)
	}
	slices.Sort(flags)
	return flags
}

// TestManPagesListEveryFlag checks each program's manual page against the
// flags the program accepts, both ways: a flag the program takes is in
// the page's OPTIONS, and the page documents no flag the program refuses.
func TestManPagesListEveryFlag(t *testing.T) {
	bin := programs(t)
	for _, tc := range []struct {
		page  string
		flags func(t *testing.T) []byte
	}{
		{"pqssh.1", func(t *testing.T) []byte {
			return probeFlags(t, filepath.Join(bin, "pqssh"), nil, "unknown option -- %c")
		}},
		{"pqsshd.8", func(t *testing.T) []byte {
			return probeFlags(t, filepath.Join(bin, "pqsshd"), []string{"-f", filepath.Join(t.TempDir(), "missing_config")}, "unknown option -%c")
		}},
		{"pqssh-keygen.1", func(t *testing.T) []byte {
			return keygenFlags(t, filepath.Join(bin, "pqssh-keygen"))
		}},
	} {
		t.Run(tc.page, func(t *testing.T) {
			prog, doc := tc.flags(t), manFlags(t, tc.page)
			for _, c := range prog {
				if !slices.Contains(doc, c) {
					t.Errorf("%s does not document -%c, which the program accepts", tc.page, c)
				}
			}
			for _, c := range doc {
				if !slices.Contains(prog, c) {
					t.Errorf("%s documents -%c, which the program refuses", tc.page, c)
				}
			}
			t.Logf("program: %s; page: %s", prog, doc)
		})
	}
}
