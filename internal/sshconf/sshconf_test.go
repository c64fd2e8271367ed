package sshconf

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pqssh/pqssh/kex"
)

func TestSplitLine(t *testing.T) {
	for _, tc := range []struct {
		in      string
		kw, raw string
		args    []string
	}{
		{"Port 22", "Port", "22", []string{"22"}},
		{"  Port=2222  ", "Port", "2222", []string{"2222"}},
		{"Port = 2222", "Port", "2222", []string{"2222"}},
		{"Banner \"/etc/issue net\"   # comment", "Banner", "\"/etc/issue net\"   # comment", []string{"/etc/issue net"}},
		{"AcceptEnv a'b c'd \"\" e#f", "AcceptEnv", "a'b c'd \"\" e#f", []string{"ab cd", "", "e#f"}},
		{`X a\ b 'c\"d' "e\'f" \\ g\h`, "X", `a\ b 'c\"d' "e\'f" \\ g\h`, []string{"a b", `c"d`, "e'f", `\`, `g\h`}},
		{"ProxyCommand ssh -W %h:%p gw\t\r", "ProxyCommand", "ssh -W %h:%p gw", []string{"ssh", "-W", "%h:%p", "gw"}},
		{"Keyword", "Keyword", "", nil},
	} {
		l, ok, err := SplitLine(tc.in)
		if err != nil || !ok || l.Keyword != tc.kw || l.Raw != tc.raw || !slices.Equal(l.Args, tc.args) {
			t.Errorf("SplitLine(%q) = %q %q %q, %v %v; want %q %q %q", tc.in, l.Keyword, l.Raw, l.Args, ok, err, tc.kw, tc.raw, tc.args)
		}
	}
	for _, blank := range []string{"", "   ", "# comment", "\t#x y"} {
		if _, ok, err := SplitLine(blank); ok || err != nil {
			t.Errorf("SplitLine(%q): ok=%v err=%v, want a blank line", blank, ok, err)
		}
	}
	if _, _, err := SplitLine(`Banner "unterminated`); err == nil {
		t.Error("unterminated quote accepted")
	}
}

func TestValues(t *testing.T) {
	for s, want := range map[string]time.Duration{"30": 30 * time.Second, "1m30s": 90 * time.Second, "2H": 2 * time.Hour,
		"1w": 7 * 24 * time.Hour, "1h30": time.Hour + 30*time.Second, "0": 0} {
		if d, err := ParseTime(s); err != nil || d != want {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, d, err, want)
		}
	}
	for _, bad := range []string{"", "5x", "m", "-1", "1.5h", "2147483648", "3551w"} {
		if d, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", bad, d)
		}
	}
	for s, want := range map[string]uint64{"16": 16, "1K": 1024, "512m": 512 << 20, "1G": 1 << 30} {
		if n, err := ParseSize(s); err != nil || n != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", s, n, err, want)
		}
	}
	for _, bad := range []string{"", "15", "0", "K", "1T", "-5", "99999999999999999999G"} {
		if n, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, n)
		}
	}
	for s, want := range map[string]bool{"yes": true, "YES": true, "no": false, "No": false} {
		if v, err := ParseYesNo(s); err != nil || v != want {
			t.Errorf("ParseYesNo(%q) = %v, %v", s, v, err)
		}
	}
	if _, err := ParseYesNo("true"); err == nil {
		t.Error("sshd_config flag accepted true")
	}
	if v, err := ParseFlag("true"); err != nil || !v {
		t.Errorf("ssh_config flag true: %v %v", v, err)
	}
	if _, err := ParseFlag("maybe"); err == nil {
		t.Error("ssh_config flag accepted maybe")
	}
}

func TestMatchLists(t *testing.T) {
	if MatchHostList("Web1.Example.COM", []string{"*.example.com", "!web3*"}) != 1 ||
		MatchHostList("web3.example.com", []string{"*.example.com", "!web3*"}) != -1 ||
		MatchHostList("other", []string{"*.example.com"}) != 0 {
		t.Error("MatchHostList")
	}
	if MatchList("Alice", "alice") != 0 || MatchList("alice", "a*,!bob") != 1 {
		t.Error("MatchList is case-sensitive and honours negation")
	}
	for _, tc := range []struct {
		addr, list string
		want       int
	}{
		{"192.0.2.7", "192.0.2.0/24", 1},
		{"192.0.2.7", "198.51.100.0/24,192.0.2.*", 1},
		{"192.0.2.7", "192.0.2.0/24,!192.0.2.7", -1},
		{"::ffff:192.0.2.7", "192.0.2.0/24", 1},
		{"2001:db8::5", "2001:db8::/32", 1},
		{"192.0.2.7", "10.0.0.0/8", 0},
		{"192.0.2.7", "192.0.2.1/24", -2},
		{"192.0.2.7", "192.0.2.0/24,", -2},
		{"not-an-address", "*", 0},
	} {
		if got := AddrMatchList(tc.addr, tc.list); got != tc.want {
			t.Errorf("AddrMatchList(%q, %q) = %d, want %d", tc.addr, tc.list, got, tc.want)
		}
	}
}

// TestAssembleAlgorithms checks the grammar of OpenSSH 10's
// kex_assemble_names and the per-keyword name checks of readconf.c and
// servconf.c, which both programs share.
func TestAssembleAlgorithms(t *testing.T) {
	def := []string{"a-1", "a-2", "b-1", "c@x"}
	all := []string{"a-1", "a-2", "a-3", "b-1", "b-2", "c@x", "d-cert-v01@openssh.com"}
	for _, tc := range []struct {
		kind AlgoKind
		arg  string
		want string // comma-separated, or "error"
	}{
		{Ciphers, "b-2,a-1", "b-2,a-1"},
		{Ciphers, "a-1,a-1", "a-1"},
		{Ciphers, "+a-3,a-1", "a-1,a-2,b-1,c@x,a-3"},
		{Ciphers, "^b-2,c@x", "b-2,c@x,a-1,a-2,b-1"},
		{Ciphers, "-a-*", "b-1,c@x"},
		{Ciphers, "-a-*,!a-2", "a-2,b-1,c@x"},
		{Ciphers, "-unknown-name", "a-1,a-2,b-1,c@x"},
		{Ciphers, "-A-1", "a-1,a-2,b-1,c@x"}, // case-sensitive
		{Ciphers, "-*", "error"},
		{Ciphers, "a-*", "error"}, // no wildcards in cipher lists
		{Ciphers, "+a-*", "error"},
		{Ciphers, "A-1", "error"},
		{Ciphers, "made-up", "error"},
		{Ciphers, "a-1,,b-1", "error"},
		{Ciphers, "", "error"},
		{Ciphers, "!a-1", "error"},
		{HostKeyAlgorithms, "b-*,a-1", "b-1,b-2,a-1"},
		{HostKeyAlgorithms, "+*-cert-*", "a-1,a-2,b-1,c@x,d-cert-v01@openssh.com"},
		{HostKeyAlgorithms, "^?-2", "a-2,b-2,a-1,b-1,c@x"},
		{HostKeyAlgorithms, "z*", "error"},
		{HostKeyAlgorithms, "!a-1", "error"},
		{PubkeyAcceptedAlgorithms, "a-?", "a-1,a-2,a-3"},
	} {
		got, err := AssembleAlgorithms(tc.kind, tc.arg, def, all)
		if tc.want == "error" {
			if err == nil {
				t.Errorf("%d %q = %v, want an error", tc.kind, tc.arg, got)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != tc.want {
			t.Errorf("%d %q = %v, %v; want %s", tc.kind, tc.arg, got, err, tc.want)
		}
	}
}

func TestKnownNames(t *testing.T) {
	for _, k := range []AlgoKind{KexAlgorithms, Ciphers, MACs, HostKeyAlgorithms, PubkeyAcceptedAlgorithms} {
		all := KnownAlgorithms(k)
		for _, def := range [][]string{ClientDefaults(k), ServerDefaults(k)} {
			if len(def) == 0 {
				t.Errorf("kind %d: empty default", k)
			}
			for _, n := range def {
				if !slices.Contains(all, n) {
					t.Errorf("kind %d: default %s is not a known name", k, n)
				}
			}
		}
	}
	if d := ClientDefaults(KexAlgorithms); d[0] != kex.MCELIECE6688128SNTRUP761X25519SHA512 {
		t.Errorf("default kex does not start post-quantum: %v", d)
	}
	if !slices.Contains(KnownAlgorithms(KexAlgorithms), "curve25519-sha256@libssh.org") {
		t.Error("the libssh.org alias of curve25519-sha256 is not known")
	}
	hk := ClientDefaults(HostKeyAlgorithms)
	if i := slices.IndexFunc(hk, func(a string) bool { return !IsCertAlgorithm(a) }); i <= 0 || slices.ContainsFunc(hk[i:], IsCertAlgorithm) {
		t.Errorf("host key defaults are not certificates first: %v", hk)
	}
	if k, ok := AlgoKindOf("PubkeyAcceptedKeyTypes"); !ok || k != PubkeyAcceptedAlgorithms {
		t.Error("PubkeyAcceptedKeyTypes is not an algorithm keyword")
	}
}
