package config

import (
	"github.com/pqssh/pqssh/kex"
	"github.com/pqssh/pqssh/server/pam"

	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, text string) *Config {
	t.Helper()
	c, err := Parse("/etc/pqssh/sshd_config", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSyntax(t *testing.T) {
	c := mustParse(t, `
# comment
  port 2222
Port=2223
LOGLEVEL   verbose
Banner "/etc/issue net"   # trailing comment
AcceptEnv LANG LC_*
AcceptEnv=TZ
LoginGraceTime 1m30s
PermitRootLogin no
PermitRootLogin yes
`)
	if !slices.Equal(c.Ports, []int{2222, 2223}) {
		t.Errorf("Ports %v", c.Ports)
	}
	if c.LogLevel != "VERBOSE" {
		t.Errorf("LogLevel %q", c.LogLevel)
	}
	if c.Banner != "/etc/issue net" {
		t.Errorf("Banner %q", c.Banner)
	}
	if !slices.Equal(c.AcceptEnv, []string{"LANG", "LC_*", "TZ"}) {
		t.Errorf("AcceptEnv %v", c.AcceptEnv)
	}
	if c.LoginGraceTime != 90*time.Second {
		t.Errorf("LoginGraceTime %v", c.LoginGraceTime)
	}
	if c2 := mustParse(t, "RekeyLimit 512M none"); c2.RekeyLimit != 512<<20 {
		t.Errorf("RekeyLimit %d", c2.RekeyLimit)
	}
	if c.PermitRootLogin != "no" {
		t.Errorf("PermitRootLogin %q: the first value must win", c.PermitRootLogin)
	}
}

func TestFixedValuesAccepted(t *testing.T) {
	// The settings of a typical distribution sshd_config that describe what
	// pqsshd does anyway load without error.
	mustParse(t, "UsePAM no\nX11Forwarding no\nPrintMotd no\nKbdInteractiveAuthentication no\nAcceptEnv LANG LC_* COLORTERM NO_COLOR\nPrintLastLog no\n")
}

func TestPerSourcePenalties(t *testing.T) {
	c := mustParse(t, "PerSourcePenalties authfail:1m noauth:0 max:1h max-sources4:10 overflow:permissive")
	p := c.PerSourcePenalties
	if !p.Enabled || p.AuthFail != time.Minute || p.NoAuth != 0 || p.Max != time.Hour || p.Min != 15*time.Second || p.MaxSources != 10 {
		t.Fatalf("%+v", p)
	}
	if mustParse(t, "PerSourcePenalties no").PerSourcePenalties.Enabled {
		t.Fatal("no")
	}
	for _, bad := range []string{"PerSourcePenalties bogus:1", "PerSourcePenalties authfail", "PerSourcePenalties overflow:deny-all"} {
		if _, err := Parse("x", []byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDefaults(t *testing.T) {
	c := mustParse(t, "")
	if !slices.Equal(c.Ports, []int{22}) || c.MaxStartups != (MaxStartups{10, 30, 100}) ||
		c.LoginGraceTime != 120*time.Second || c.MaxAuthTries != 6 || c.PermitRootLogin != "prohibit-password" ||
		!slices.Equal(c.AuthorizedKeysFiles, []string{".ssh/authorized_keys", ".ssh/authorized_keys2"}) {
		t.Fatalf("defaults: %+v", c)
	}
	if len(c.KexAlgorithms) == 0 || c.KexAlgorithms[0] != kex.MCELIECE6688128SNTRUP761X25519SHA512 {
		t.Fatalf("default KexAlgorithms %v: post-quantum must come first", c.KexAlgorithms)
	}
}

func TestErrorsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"Port 22\nNoSuchOption yes\n", "sshd_config:2: unknown option \"NoSuchOption\""},
		{"\n\nPasswordAuthentication maybe", "sshd_config:3: expected yes or no"},
		{"UsePAM maybe", "sshd_config:1: UsePAM: expected yes or no"},
		{"AuthenticationMethods publickey,hostbased", "sshd_config:1: AuthenticationMethods publickey,hostbased is not supported: host-based"},
		{"AuthenticationMethods publickey,pasword", `sshd_config:1: AuthenticationMethods: unknown method "pasword"`},
		{"AuthenticationMethods any publickey", `sshd_config:1: AuthenticationMethods: "any" must be the only argument`},
		{"AuthenticationMethods keyboard-interactive:bsdauth", `only keyboard-interactive:pam names a device`},
		{"ChannelTimeout session=5m", "sshd_config:1: unsupported option \"ChannelTimeout\": per-channel idle timeouts"},
		{"ModuliFile /etc/ssh/moduli", "sshd_config:1: unsupported option \"ModuliFile\": diffie-hellman-group-exchange"},
		{"AuthorizedKeysCommand bin/x", "sshd_config:1: AuthorizedKeysCommand \"bin/x\" must be an absolute path"},
		{"AuthorizedPrincipalsCommand bin/x", "sshd_config:1: AuthorizedPrincipalsCommand \"bin/x\" must be an absolute path"},
		{"SetEnv NOEQUALS", "sshd_config:1: SetEnv: expected NAME=VALUE"},
		{"RekeyLimit 1G 1h", "sshd_config:1: RekeyLimit: time-based rekeying"},
		{"RekeyLimit 1X", "sshd_config:1: RekeyLimit: bad size"},
		{"Port 99999", "sshd_config:1: Port: bad port number"},
		{"KexAlgorithms curve25519-sha256,foo-kex", `sshd_config:1: KexAlgorithms: unsupported algorithm "foo-kex"`},
		{"KexAlgorithms +sntrup-typo", `unsupported algorithm "sntrup-typo"`},
		{"Ciphers aes128-ctr,rot13", `sshd_config:1: Ciphers: unsupported algorithm "rot13"`},
		{"MACs hmac-md5000", `unsupported algorithm "hmac-md5000"`},
		{"Banner \"unterminated", "sshd_config:1: unterminated quote"},
		{"Match User bob\nHostKey /x", "sshd_config:2: option \"HostKey\" is not allowed inside Match"},
		{"Match Colour red", "sshd_config:1: Match: unsupported criterion"},
		{"PermitRootLogin maybe", "sshd_config:1: PermitRootLogin: unsupported value"},
		{"Subsystem sftp a\nSubsystem sftp b", "sshd_config:2: Subsystem \"sftp\" already defined"},
		{"MaxStartups 10:30", "sshd_config:1: MaxStartups"},
		{"PermitOpen nohost", "sshd_config:1: PermitOpen: bad host:port"},
	} {
		_, err := Parse("/etc/pqssh/sshd_config", []byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.text, err, tc.want)
		}
	}
}

// TestNotices: settings accepted without effect (UsePAM yes, X11Forwarding
// yes, also in a Match block) are listed with file and line in
// Config.Notices; "no" and unrelated settings add nothing.
func TestNotices(t *testing.T) {
	c, err := Parse("/etc/ssh/sshd_config", []byte("UsePAM yes\nX11Forwarding no\nPrintMotd no\nMatch User bob\n\tX11Forwarding yes\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/etc/ssh/sshd_config:5: X11Forwarding yes: X11 forwarding is not offered"}
	if !pam.Available {
		// Only a build without cgo lacks PAM.
		want = append([]string{"/etc/ssh/sshd_config:1: UsePAM yes: this pqsshd was built without cgo, so PAM is unavailable"}, want...)
	}
	if len(c.Notices) != len(want) {
		t.Fatalf("notices %q, want %d", c.Notices, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(c.Notices[i], w) {
			t.Errorf("notice %q, want %q…", c.Notices[i], w)
		}
	}
	if !c.UsePAM || c.X11Forwarding {
		t.Errorf("UsePAM %v X11Forwarding %v", c.UsePAM, c.X11Forwarding)
	}
	for _, text := range []string{"AuthenticationMethods any", "AuthenticationMethods publickey", "AuthenticationMethods publickey publickey,publickey",
		"AuthenticationMethods publickey,keyboard-interactive:pam password"} {
		if _, err := Parse("x", []byte(text)); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
}

func TestAlgorithmModifiers(t *testing.T) {
	def := DefaultKexAlgorithms()
	c := mustParse(t, "KexAlgorithms -ecdh-sha2-*")
	for _, k := range c.KexAlgorithms {
		if strings.HasPrefix(k, "ecdh-sha2-") {
			t.Fatalf("-ecdh-sha2-* left %s", k)
		}
	}
	c = mustParse(t, "KexAlgorithms ^curve25519-sha256")
	if c.KexAlgorithms[0] != "curve25519-sha256" || len(c.KexAlgorithms) != len(def) {
		t.Fatalf("^: %v", c.KexAlgorithms)
	}
	c = mustParse(t, "KexAlgorithms +diffie-hellman-group14-sha1")
	if c.KexAlgorithms[len(c.KexAlgorithms)-1] != "diffie-hellman-group14-sha1" || !slices.Equal(c.KexAlgorithms[:len(def)], def) {
		t.Fatalf("+: %v", c.KexAlgorithms)
	}
	c = mustParse(t, "KexAlgorithms curve25519-sha256,mlkem768x25519-sha256")
	if !slices.Equal(c.KexAlgorithms, []string{"curve25519-sha256", "mlkem768x25519-sha256"}) {
		t.Fatalf("list: %v", c.KexAlgorithms)
	}
}

func TestMatch(t *testing.T) {
	c := mustParse(t, `
AllowTcpForwarding yes
PermitTTY yes
Match User alice,bob Address 192.0.2.0/24
	AllowTcpForwarding no
	AcceptEnv FOO
Match Group admins
	PermitTTY no
Match User !carol,*
	MaxSessions 2
`)
	alice := c.ForConnection(ConnInfo{User: "alice", Address: "192.0.2.7"})
	if alice.AllowTCPForwarding != "no" || !slices.Equal(alice.AcceptEnv, []string{"FOO"}) || alice.MaxSessions != 2 {
		t.Errorf("alice: %s %v %d", alice.AllowTCPForwarding, alice.AcceptEnv, alice.MaxSessions)
	}
	elsewhere := c.ForConnection(ConnInfo{User: "alice", Address: "198.51.100.1"})
	if elsewhere.AllowTCPForwarding != "yes" {
		t.Errorf("Address criterion ignored")
	}
	admin := c.ForConnection(ConnInfo{User: "carol", Groups: []string{"users", "admins"}, Address: "198.51.100.1"})
	if admin.PermitTTY || admin.MaxSessions != 10 {
		t.Errorf("carol (admins): PermitTTY %v MaxSessions %d", admin.PermitTTY, admin.MaxSessions)
	}
	if c.AllowTCPForwarding != "yes" || c.MaxSessions != 10 {
		t.Errorf("ForConnection modified the global configuration")
	}
}

func TestIncludeAndOverrides(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "conf.d"), 0o755)
	os.WriteFile(filepath.Join(dir, "conf.d", "10-a.conf"), []byte("LogLevel DEBUG\nMaxAuthTries 3\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "conf.d", "20-b.conf"), []byte("MaxAuthTries 4\nBogus 1\n"), 0o644)
	main := filepath.Join(dir, "sshd_config")
	os.WriteFile(main, []byte("Include conf.d/10-*.conf\nMaxAuthTries 5\n"), 0o644)
	c, err := Load(main, []string{"LogLevel=ERROR"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if c.LogLevel != "ERROR" || c.MaxAuthTries != 3 {
		t.Fatalf("LogLevel %s MaxAuthTries %d", c.LogLevel, c.MaxAuthTries)
	}
	os.WriteFile(main, []byte("Include conf.d/*.conf\n"), 0o644)
	_, err = Load(main, nil, true)
	if err == nil || !strings.Contains(err.Error(), "20-b.conf:2: unknown option \"Bogus\"") {
		t.Fatalf("error in included file: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing"), nil, true); err == nil {
		t.Fatal("missing -f file accepted")
	}
}

func TestDump(t *testing.T) {
	c := mustParse(t, "Port 2222\nKexAlgorithms curve25519-sha256\nAcceptEnv A B\nSubsystem sftp internal-sftp\n")
	var b bytes.Buffer
	c.Dump(&b)
	for _, want := range []string{"port 2222\n", "kexalgorithms curve25519-sha256\n", "acceptenv A\n", "acceptenv B\n",
		"subsystem sftp internal-sftp\n", "permitrootlogin prohibit-password\n", "maxstartups 10:30:100\n", "logingracetime 120\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("-T output lacks %q", want)
		}
	}
}

func TestPatterns(t *testing.T) {
	for _, tc := range []struct {
		s, list string
		want    bool
	}{
		{"alice", "a*", true}, {"alice", "b*,al?ce", true}, {"alice", "*,!alice", false},
		{"bob", "!alice,*", true}, {"bob", "!alice", false},
	} {
		if got := MatchPatternList(tc.s, tc.list); got != tc.want {
			t.Errorf("MatchPatternList(%q, %q) = %v", tc.s, tc.list, got)
		}
	}
	if !MatchAddressList("192.0.2.9", "198.51.100.0/24,192.0.2.0/28") || MatchAddressList("192.0.2.99", "192.0.2.0/28") ||
		MatchAddressList("192.0.2.9", "*,!192.0.2.0/24") {
		t.Error("MatchAddressList")
	}
}

// TestMatchAddressIsAddrMatchList: Match Address follows OpenSSH's
// addr_match_list (sshconf.AddrMatchList): networks, wildcards and
// negation match; a network with host bits set matches no connection.
func TestMatchAddressIsAddrMatchList(t *testing.T) {
	c := mustParse(t, "Match Address 192.0.2.0/24,!192.0.2.9\n\tBanner /a\nMatch Address 198.51.100.1/24\n\tBanner /b\nMatch Address 2001:db8::*\n\tBanner /c\n")
	for addr, want := range map[string]string{"192.0.2.7": "/a", "192.0.2.9": "none", "198.51.100.1": "none", "2001:db8::5": "/c"} {
		if got := c.ForConnection(ConnInfo{User: "u", Address: addr, Host: addr}).Banner; got != want {
			t.Errorf("%s: Banner %q, want %q", addr, got, want)
		}
	}
}

// TestAuthMethodLists: AuthenticationMethods keeps its lists in order;
// keyboard-interactive:pam is keyboard-interactive; "any" has none.
func TestAuthMethodLists(t *testing.T) {
	c := mustParse(t, "AuthenticationMethods publickey,keyboard-interactive:pam password")
	got := c.AuthMethodLists()
	want := [][]string{{"publickey", "keyboard-interactive"}, {"password"}}
	if len(got) != len(want) || !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
		t.Fatalf("lists %q, want %q", got, want)
	}
	if l := mustParse(t, "").AuthMethodLists(); l != nil {
		t.Fatalf("default lists %q, want none", l)
	}
	if d := mustParse(t, "AuthenticationMethods publickey,password").AuthenticationMethods; d != "publickey,password" {
		t.Fatalf("-T value %q", d)
	}
}
