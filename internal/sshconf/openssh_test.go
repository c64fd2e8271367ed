package sshconf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	clientconfig "github.com/pqssh/pqssh/client/config"
	"github.com/pqssh/pqssh/internal/sshconf"
)

// The differential tests run OpenSSH's own parsers, the installed ssh -G
// (here) and sshd -T (openssh_root_test.go), on the same input as pqssh's
// and pqsshd's. make test installs openssh-client and openssh-server.

// dump is -G or -T output by keyword.
type dump map[string][]string

func parseDump(s string) dump {
	m := dump{}
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		k, v, _ := strings.Cut(l, " ")
		m[k] = append(m[k], v)
	}
	return m
}

// algorithmCase is one algorithm-list line; stricter marks the lines pqssh
// refuses although OpenSSH accepts them (docs/ssh-options.md).
type algorithmCase struct {
	line     string
	stricter bool
}

// checkAlgorithmLists runs each case through OpenSSH (run) and through the
// shared grammar, sshconf.AssembleAlgorithms, given OpenSSH's own default
// list (defaults) and "all" list: both must accept the same lines (a list
// OpenSSH cannot assemble is missing from its output) and yield the same
// list, name for name and in order.
func checkAlgorithmLists(t *testing.T, cases []algorithmCase, run func(line string) (dump, bool), defaults dump, all func(keyword string) []string) {
	t.Helper()
	for _, tc := range cases {
		keyword, arg, _ := strings.Cut(tc.line, " ")
		kind, ok := sshconf.AlgoKindOf(keyword)
		if !ok {
			t.Fatalf("%s: not an algorithm keyword", tc.line)
		}
		if keyword == "PubkeyAcceptedKeyTypes" {
			keyword = "PubkeyAcceptedAlgorithms"
		}
		key := strings.ToLower(keyword)
		m, theirsOK := run(tc.line + "\n")
		theirsOK = theirsOK && len(m[key]) == 1
		ours, err := sshconf.AssembleAlgorithms(kind, arg, strings.Split(defaults[key][0], ","), all(keyword))
		switch {
		case tc.stricter:
			if !theirsOK || err == nil {
				t.Errorf("%s: OpenSSH accepts=%v, pqssh error=%v; want OpenSSH to accept and pqssh to refuse", tc.line, theirsOK, err)
			}
		case theirsOK != (err == nil):
			t.Errorf("%s: OpenSSH accepts=%v, the shared grammar's error=%v", tc.line, theirsOK, err)
		case theirsOK && !slices.Equal(ours, strings.Split(m[key][0], ",")):
			t.Errorf("%s:\n OpenSSH: %s\n pqssh:   %s", tc.line, m[key][0], strings.Join(ours, ","))
		}
	}
}

// checkCommonKeywords compares, for every keyword config sets bar those in
// skip, OpenSSH's printed value with pqssh's, word by word after format
// (which undoes differences of presentation only); it returns how many it
// compared.
func checkCommonKeywords(t *testing.T, config string, theirs, ours dump, skip []string, format func(key, word string) string) int {
	t.Helper()
	n := 0
	for _, line := range strings.Split(config, "\n") {
		l, ok, err := sshconf.SplitLine(line)
		if err != nil || !ok || slices.Contains(skip, strings.ToLower(l.Keyword)) {
			continue
		}
		key := strings.ToLower(l.Keyword)
		words := func(vals []string) []string {
			var w []string
			for _, v := range vals {
				for _, f := range strings.Fields(v) {
					w = append(w, format(key, f))
				}
			}
			return w
		}
		if a, b := words(theirs[key]), words(ours[key]); len(a) == 0 || !slices.Equal(a, b) {
			t.Errorf("%s: OpenSSH prints %q, pqssh %q", key, theirs[key], ours[key])
		}
		n++
	}
	return n
}

// sshG runs the installed ssh -G for host h on the configuration text; ok
// is false when ssh refuses it.
func sshG(t *testing.T, text string) (dump, bool) {
	t.Helper()
	ssh, err := exec.LookPath("ssh")
	if err != nil {
		t.Fatalf("%v: install openssh-client (make test does)", err)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "config")
	if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(ssh, "-F", f, "-G", "h")
	cmd.Env = []string{"HOME=" + dir, "USER=alice", "PATH=/usr/bin:/bin"}
	out, err := cmd.Output()
	if err != nil {
		return nil, false
	}
	return parseDump(string(out)), true
}

// sshQuery is ssh -Q what, OpenSSH's "all" list of a kind.
func sshQuery(t *testing.T, what string) []string {
	t.Helper()
	out, err := exec.Command("ssh", "-Q", what).Output()
	if err != nil {
		t.Fatalf("ssh -Q %s: %v", what, err)
	}
	return strings.Fields(string(out))
}

// algorithmCases are the lines both differential tests run: +, - and ^,
// wildcards, negation, case and unknown names.
var algorithmCases = []algorithmCase{
	{line: "Ciphers aes128-ctr,aes256-gcm@openssh.com"}, {line: "Ciphers aes256-ctr,aes256-ctr"}, {line: "Ciphers +aes128-cbc"},
	{line: "Ciphers +aes128-ctr"}, {line: "Ciphers -aes*"}, {line: "Ciphers -aes*,!aes256-ctr"}, {line: "Ciphers -AES*"},
	{line: "Ciphers -made-up"}, {line: "Ciphers ^aes256-ctr"}, {line: "Ciphers ^aes256-ctr,chacha20-poly1305@openssh.com"},
	{line: "Ciphers aes*"}, {line: "Ciphers +aes*"}, {line: "Ciphers ^aes*"}, {line: "Ciphers AES128-CTR"}, {line: "Ciphers made-up"},
	{line: "Ciphers !aes128-ctr"}, {line: "Ciphers +!aes128-ctr"}, {line: "Ciphers aes128-ctr,made-up"},
	{line: "Ciphers aes128-ctr,,aes256-ctr", stricter: true}, {line: "Ciphers -*", stricter: true},
	{line: "MACs hmac-sha2-256"}, {line: "MACs -*-etm@openssh.com"}, {line: "MACs +hmac-md5"}, {line: "MACs ^hmac-sha1"},
	{line: "MACs umac*"}, {line: "MACs -umac*,hmac-sha1*"},
	{line: "KexAlgorithms curve25519-sha256,diffie-hellman-group14-sha1"}, {line: "KexAlgorithms +diffie-hellman-group1-sha1"},
	{line: "KexAlgorithms -curve25519*,ecdh-*"}, {line: "KexAlgorithms ^curve25519-sha256@libssh.org"},
	{line: "KexAlgorithms curve*"}, {line: "KexAlgorithms -sntrup*"}, {line: "KexAlgorithms Curve25519-sha256"},
	{line: "HostKeyAlgorithms ssh-ed25519*"}, {line: "HostKeyAlgorithms ssh-ed25519*,rsa-sha2-*"}, {line: "HostKeyAlgorithms +ssh-rsa"},
	{line: "HostKeyAlgorithms -*-cert-v01@openssh.com"}, {line: "HostKeyAlgorithms ^ecdsa-sha2-*"},
	{line: "HostKeyAlgorithms rsa-sha2-512,ssh-ed25519-cert-v01@openssh.com"}, {line: "HostKeyAlgorithms nomatch*"},
	{line: "HostKeyAlgorithms !ssh-rsa"}, {line: "HostKeyAlgorithms +ssh-rsa*"}, {line: "HostKeyAlgorithms SSH-ED25519"},
	{line: "HostKeyAlgorithms ?sh-ed25519"},
	{line: "PubkeyAcceptedAlgorithms +ssh-rsa"}, {line: "PubkeyAcceptedAlgorithms ^ssh-ed25519"}, {line: "PubkeyAcceptedAlgorithms sk-*"},
	{line: "PubkeyAcceptedAlgorithms *,!ssh-rsa"}, {line: "PubkeyAcceptedAlgorithms -*", stricter: true},
	{line: "PubkeyAcceptedKeyTypes -ssh-rsa*"},
}

// TestOpenSSHAlgorithmLists: ssh -G and the shared grammar agree on every
// line of algorithmCases (checkAlgorithmLists).
func TestOpenSSHAlgorithmLists(t *testing.T) {
	defaults, ok := sshG(t, "")
	if !ok {
		t.Fatal("ssh -G refuses an empty configuration")
	}
	all := func(keyword string) []string {
		switch keyword {
		case "HostKeyAlgorithms", "PubkeyAcceptedAlgorithms": // the list "*" expands to
			m, ok := sshG(t, keyword+" *\n")
			if !ok {
				t.Fatalf("ssh -G refuses %s *", keyword)
			}
			return strings.Split(m[strings.ToLower(keyword)][0], ",")
		}
		return sshQuery(t, map[string]string{"Ciphers": "cipher", "MACs": "mac", "KexAlgorithms": "kex"}[keyword])
	}
	checkAlgorithmLists(t, algorithmCases, func(line string) (dump, bool) { return sshG(t, line) }, defaults, all)
}

// sshCommonConfig sets keywords both ssh and pqssh implement, with the
// lexer's quoting, '=' and comments.
const sshCommonConfig = `# comment
Host h
  HostName real.example.com
  User = "bob"
  Port=2222
  BatchMode true
  ConnectTimeout 1m30s
  ConnectionAttempts 3
  ServerAliveInterval 1h
  ServerAliveCountMax 7
  TCPKeepAlive no
  LogLevel debug2
  RequestTTY force
  AddressFamily inet6
  IdentityFile "/keys/with space" # comment
  IdentityFile /keys/second
  IdentitiesOnly yes
  CertificateFile /keys/c-cert.pub
  StrictHostKeyChecking accept-new
  UserKnownHostsFile /kh/one '/kh/t w o'
  GlobalKnownHostsFile /kh/global
  HostKeyAlias alias.example
  NumberOfPasswordPrompts 1
  PasswordAuthentication no
  KbdInteractiveAuthentication no
  ExitOnForwardFailure yes
  GatewayPorts yes
  ClearAllForwardings no
  PermitLocalCommand yes
  LocalForward 8080 localhost:80
  LocalForward [::1]:8443 [2001:db8::1]:443
  RemoteForward 9090 localhost:90
  DynamicForward 1080
  ProxyJump bastion
  SendEnv LANG LC_*
  SendEnv TZ
  SetEnv FOO=bar "BAZ=qu ux"
  RekeyLimit 1G
  EscapeChar ^A
  FingerprintHash md5
  ForwardAgent yes
  HashKnownHosts yes
  NoHostAuthenticationForLocalhost yes
  RequiredRSASize 2048
  SessionType default
  StdinNull no
  ForkAfterAuthentication no
  BindAddress 192.0.2.10
  PreferredAuthentications publickey,password
  Compression no
  RemoteCommand echo %n %p
  Ciphers ^aes256-ctr
Host *
  Port 1
  User nobody
`

// TestOpenSSHCommonKeywords: every keyword sshCommonConfig sets (bar the
// algorithm lists, whose defaults differ by design) reads the same in
// ssh -G and pqssh -G. ssh prints FingerprintHash and LogLevel in capitals,
// escapes EscapeChar's caret and brackets a forward's host name.
func TestOpenSSHCommonKeywords(t *testing.T) {
	theirs, ok := sshG(t, sshCommonConfig)
	if !ok {
		t.Fatal("ssh -G refuses the configuration")
	}
	f := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(f, []byte(sshCommonConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := clientconfig.Load(clientconfig.Context{Host: "h", LocalUser: "alice", Home: t.TempDir()}, nil, f)
	if err != nil {
		t.Fatal(err)
	}
	r, err := o.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r.Dump(&out)
	n := checkCommonKeywords(t, sshCommonConfig, theirs, parseDump(out.String()), []string{"host", "ciphers"},
		func(key, w string) string {
			switch key {
			case "fingerprinthash", "loglevel":
				return strings.ToLower(w)
			case "escapechar":
				return strings.TrimPrefix(w, `\`)
			case "localforward", "remoteforward":
				return strings.Replace(w, "[localhost]", "localhost", 1)
			}
			return w
		})
	if n < 50 {
		t.Fatalf("only %d keywords compared", n)
	}
}
