package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// complete runs bash completion for the command line words (the last is
// the word being completed) with the completion script loaded, HOME set to
// home and the programs on PATH, and returns COMPREPLY.
func complete(t *testing.T, home string, words ...string) []string {
	t.Helper()
	script := `source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
fn=$(complete -p "$1" | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
[ -n "$fn" ] || { echo "no completion for $1" >&2; exit 1; }
"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"`
	cmd := exec.Command("bash", append([]string{"--norc", "--noprofile", "-c", script, "bash",
		filepath.Join("completion", "bash", words[0])}, words...)...)
	cmd.Env = []string{"HOME=" + home, "PATH=" + programs(t) + ":/usr/bin:/bin"}
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("completing %q: %v\n%s", words, err, stderr)
	}
	var reply []string
	for l := range strings.Lines(string(out)) {
		if l = strings.TrimSuffix(l, "\n"); l != "" {
			reply = append(reply, l)
		}
	}
	slices.Sort(reply)
	return reply
}

// TestBashCompletion runs the bash completion of the three programs for a
// few command lines: hosts from ~/.ssh/config and ~/.ssh/known_hosts
// (hashed and wildcard entries left out), user@host, -o keywords, -Q
// queries from the program itself, flags after an option's argument, and
// the key types of pqssh-keygen.
func TestBashCompletion(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	config := "Host alpha alpine *.wild !neg\n\tHostName 192.0.2.1\nMatch host albatross\n\tUser x\nhost=aldebaran\n"
	knownHosts := "alfa.example.org,192.0.2.9 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n" +
		"[alias.example.org]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n" +
		"|1|JfKTdBh7rNbXkVAQCRp4OQoPfmI=|USECr3SWf1JUPsms5AqfD5QfxkM= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n" +
		"@cert-authority *.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n" +
		"# all about al\n"
	for name, data := range map[string]string{"config": config, "known_hosts": knownHosts} {
		if err := os.WriteFile(filepath.Join(home, ".ssh", name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The host's /etc/ssh files may add names; the checks look at names
	// only the test files could give.
	for _, tc := range []struct {
		words     []string
		want, not []string
		exactly   bool
	}{
		{words: []string{"pqssh", "al"}, want: []string{"alfa.example.org", "alias.example.org", "alpha", "alpine"},
			not: []string{"*.wild", "albatross", "!neg"}},
		{words: []string{"pqssh", "root@alp"}, want: []string{"root@alpha", "root@alpine"}},
		{words: []string{"pqssh", "-p", "2222", "-l", "me", "alf"}, want: []string{"alfa.example.org"}},
		{words: []string{"pqssh", "-oUser=bob", "alf"}, want: []string{"alfa.example.org"}},
		// After the destination comes the remote command: no hosts.
		{words: []string{"pqssh", "alpha", "al"}, exactly: true},
		{words: []string{"pqssh", "-p", "al"}, exactly: true},
		{words: []string{"pqssh", "-J", "alp"}, want: []string{"alpha", "alpine"}, exactly: true},
		{words: []string{"pqssh", "-o", "Kex"}, want: []string{"KexAlgorithms="}, exactly: true},
		{words: []string{"pqssh", "-o", "Strict"}, want: []string{"StrictHostKeyChecking="}, exactly: true},
		{words: []string{"pqssh", "-Q", "ke"}, want: []string{"kex", "key", "key-cert", "key-plain"}, exactly: true},
		{words: []string{"pqssh", "-c", "chacha"}, want: []string{"chacha20-poly1305@openssh.com"}, exactly: true},
		{words: []string{"pqssh", "-v"}, want: []string{"-v"}, exactly: true},
		{words: []string{"pqssh", "-"}, want: []string{"-4", "-L", "-o", "-v", "-W"}},
		{words: []string{"pqsshd", "-"}, want: []string{"-C", "-D", "-d", "-e", "-f", "-h", "-o", "-p", "-T", "-t", "-V"}, exactly: true},
		{words: []string{"pqsshd", "-C", "us"}, want: []string{"user="}, exactly: true},
		{words: []string{"pqssh-keygen", "-t", "mldsa"}, want: []string{"mldsa-44", "mldsa-65", "mldsa-87", "mldsa44-ed25519"}, exactly: true},
		{words: []string{"pqssh-keygen", "-Y", ""}, want: []string{"check-novalidate", "sign"}, exactly: true},
	} {
		got := complete(t, home, tc.words...)
		if tc.exactly {
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Errorf("completing %q: got %q, want %q", tc.words, got, want)
			}
			continue
		}
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("completing %q: got %q, want %q among them", tc.words, got, w)
			}
		}
		for _, n := range tc.not {
			if slices.Contains(got, n) {
				t.Errorf("completing %q: got %q, which should not be among %q", tc.words, n, got)
			}
		}
		if len(tc.want) > 0 && len(got) == 0 {
			t.Errorf("completing %q: nothing", tc.words)
		}
	}
}

// TestCompletionKeywordsAreSSHConfigKeywords checks that -o completes
// only keywords docs/ssh-options.md lists, in bash and zsh alike.
func TestCompletionKeywordsAreSSHConfigKeywords(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "ssh-options.md"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\| ([A-Za-z0-9]+) \|`).FindAllStringSubmatch(string(doc), -1) {
		known[m[1]] = true
	}
	home := t.TempDir()
	bash := complete(t, home, "pqssh", "-o", "")
	zshSrc, err := os.ReadFile(filepath.Join("completion", "zsh", "_pqssh"))
	if err != nil {
		t.Fatal(err)
	}
	zshList, ok := strings.CutPrefix(regexp.MustCompile(`(?s)kw=\(([^)]*)\)`).FindString(string(zshSrc)), "kw=(")
	if !ok {
		t.Fatal("_pqssh: no kw=( list")
	}
	zsh := strings.Fields(strings.TrimSuffix(zshList, ")"))
	if len(bash) < 50 || len(zsh) != len(bash) {
		t.Fatalf("bash completes %d keywords, zsh %d", len(bash), len(zsh))
	}
	for _, kw := range bash {
		kw = strings.TrimSuffix(kw, "=")
		if !known[kw] {
			t.Errorf("bash completes -o %s, not a keyword of docs/ssh-options.md", kw)
		}
		if !slices.Contains(zsh, kw) {
			t.Errorf("bash completes -o %s, zsh does not", kw)
		}
	}
}

// TestZshCompletionParses checks the zsh completion's syntax (zsh -n) and
// that it names the three programs.
func TestZshCompletionParses(t *testing.T) {
	zsh, err := exec.LookPath("zsh")
	if err != nil {
		t.Fatal("zsh is needed to check the zsh completion (make test installs it)")
	}
	f := filepath.Join("completion", "zsh", "_pqssh")
	if out, err := exec.Command(zsh, "-n", f).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n %s: %v\n%s", f, err, out)
	}
	src, _ := os.ReadFile(f)
	if first, _, _ := strings.Cut(string(src), "\n"); first != "#compdef pqssh pqsshd pqssh-keygen" {
		t.Errorf("%s: first line %q", f, first)
	}
}
