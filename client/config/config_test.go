package config

import (
	"github.com/pqssh/pqssh/kex"

	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, host, text string, opts ...string) (*Resolved, error) {
	t.Helper()
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	o := NewOptions(Context{Host: host, LocalUser: "me", Home: home})
	for _, s := range opts {
		if err := o.ParseOption(s); err != nil {
			return nil, err
		}
	}
	if err := o.Parse(strings.NewReader(text), "cfg", true); err != nil {
		return nil, err
	}
	return o.Resolve()
}

func TestHostPatternsFirstValueWins(t *testing.T) {
	text := `
# comment
Host web* !web3
  HostName %h.example.com
  User alice
  Port 2200
Host *
  User bob
  Port 22
  IdentityFile ~/.ssh/id_%r_%h
  IdentityFile "/keys/with space"
`
	r, err := load(t, "web1", text)
	if err != nil {
		t.Fatal(err)
	}
	if r.HostName != "web1.example.com" || r.User != "alice" || r.Port != 2200 {
		t.Errorf("web1: %+v", r)
	}
	want := []string{r.Home + "/.ssh/id_alice_web1.example.com", "/keys/with space"}
	if !slices.Equal(r.IdentityFiles, want) {
		t.Errorf("IdentityFiles %q, want %q", r.IdentityFiles, want)
	}
	r, _ = load(t, "web3", text)
	if r.HostName != "web3" || r.User != "bob" || r.Port != 22 {
		t.Errorf("negated web3: %+v", r)
	}
	// -o options come first and win.
	r, _ = load(t, "web1", text, "User=carol", "Port 7")
	if r.User != "carol" || r.Port != 7 {
		t.Errorf("-o precedence: %+v", r)
	}
}

func TestMatch(t *testing.T) {
	text := `
Match host *.internal user !root,*
  User deploy
Match originalhost short exec "exit 0"
  Port 2022
Match all
  Compression yes
`
	r, err := load(t, "db.internal", text)
	if err != nil {
		t.Fatal(err)
	}
	if r.User != "deploy" {
		t.Errorf("Match host/user: %q", r.User)
	}
	r, _ = load(t, "short", text)
	if r.Port != 2022 || r.User != "me" {
		t.Errorf("Match originalhost exec: %+v", r)
	}
	if _, err := load(t, "x", "Match all host y\n"); err == nil {
		t.Error("Match all combined with host accepted")
	}
	if _, err := load(t, "x", "Match frob y\n"); err == nil || !strings.Contains(err.Error(), "cfg:1:") {
		t.Errorf("unknown Match attribute: %v", err)
	}
}

func TestInclude(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".ssh", "conf.d"), 0o700)
	os.WriteFile(filepath.Join(home, ".ssh", "conf.d", "a.conf"), []byte("Host inc\n  Port 1234\n"), 0o600)
	os.WriteFile(filepath.Join(home, ".ssh", "conf.d", "b.conf"), []byte("Host *\n  Bogus 1\n"), 0o600)
	o := NewOptions(Context{Host: "inc", LocalUser: "me", Home: home})
	err := o.Parse(strings.NewReader("Include conf.d/a.conf\n"), "cfg", true)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := o.Resolve()
	if r.Port != 1234 {
		t.Errorf("Include: port %d", r.Port)
	}
	o = NewOptions(Context{Host: "inc", LocalUser: "me", Home: home})
	err = o.Parse(strings.NewReader("Include conf.d/*.conf\n"), "cfg", true)
	if err == nil || !strings.Contains(err.Error(), "b.conf:2: Bad configuration option: bogus") {
		t.Errorf("error in included file: %v", err)
	}
}

func TestErrorsHaveLineNumbers(t *testing.T) {
	for text, want := range map[string]string{
		"User a\nNoSuchOption x\n":          "cfg:2: Bad configuration option: nosuchoption",
		"\n\nPort 99999\n":                  "cfg:3: Badly formatted port number",
		"BatchMode maybe\n":                 "cfg:1: BatchMode",
		"KexAlgorithms foo-kex\n":           "cfg:1: Bad KexAlgorithms",
		"Ciphers +aes128-ctr,nope\n":        "cfg:1: Bad Ciphers",
		"LocalForward 80\n":                 "cfg:1: LocalForward",
		"StrictHostKeyChecking sometimes\n": "cfg:1: unsupported option",
		"User \"unterminated\n":             "cfg:1: unterminated quote",
		"Host\n":                            "cfg:1: Host directive requires an argument",
	} {
		_, err := load(t, "h", text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", text, err, want)
		}
	}
	// IgnoreUnknown makes matching unknown options acceptable.
	if _, err := load(t, "h", "IgnoreUnknown UseKeychain,Foo*\nUseKeychain yes\nFooBar 1\n"); err != nil {
		t.Errorf("IgnoreUnknown: %v", err)
	}
	// Ignored and deprecated OpenSSH options are accepted.
	if _, err := load(t, "h", "GSSAPIAuthentication yes\nProtocol 2\nControlPath ~/.ssh/cm-%r\n"); err != nil {
		t.Errorf("ignored options: %v", err)
	}
}

// TestAlgorithmModifiers: an algorithm list in a file reaches the
// resolved configuration (the grammar itself is tested in sshconf).
func TestAlgorithmModifiers(t *testing.T) {
	if def := DefaultAlgorithms("KexAlgorithms"); def[0] != kex.MCELIECE6688128SNTRUP761X25519SHA512 {
		t.Fatalf("default kex does not start post-quantum: %v", def)
	}
	r, err := load(t, "h", "KexAlgorithms ^curve25519-sha256\n")
	if err != nil || r.KexAlgorithms[0] != "curve25519-sha256" || !r.KexAlgorithmsSet {
		t.Errorf("resolved: %v %v", r, err)
	}
}

func TestForwardSpecs(t *testing.T) {
	for spec, want := range map[string]Forward{
		"8080:localhost:80":           {ListenPort: 8080, ConnectHost: "localhost", ConnectPort: 80},
		"127.0.0.1:8080:web:80":       {ListenHost: "127.0.0.1", ListenPort: 8080, ConnectHost: "web", ConnectPort: 80},
		"[::1]:8080:[2001:db8::1]:22": {ListenHost: "::1", ListenPort: 8080, ConnectHost: "2001:db8::1", ConnectPort: 22},
	} {
		got, err := ParseForward('L', spec)
		if err != nil || got != want {
			t.Errorf("%s: %+v %v", spec, got, err)
		}
	}
	if got, err := ParseForward('D', "*:1080"); err != nil || got.ListenHost != "*" || got.ListenPort != 1080 {
		t.Errorf("-D: %+v %v", got, err)
	}
	for _, bad := range []string{"80", "a:b:c", "1:2:3:4:5", "99999:h:1", "8080/web/80"} {
		if _, err := ParseForward('L', bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	r, err := load(t, "h", "LocalForward 1234 db:5432\nDynamicForward 1080\nRemoteForward 0 localhost:22\n")
	if err != nil || len(r.LocalForwards) != 1 || r.LocalForwards[0].ConnectHost != "db" || len(r.DynamicForwards) != 1 || len(r.RemoteForwards) != 1 {
		t.Errorf("forward keywords: %+v %v", r, err)
	}
}

func TestProxyJumpAndCommandFirstWins(t *testing.T) {
	r, err := load(t, "h", "ProxyCommand nc %h %p\nProxyJump j\n")
	if err != nil || r.ProxyCommand != "nc h 22" || r.ProxyJump != "" {
		t.Errorf("ProxyCommand first: %q %q %v", r.ProxyCommand, r.ProxyJump, err)
	}
	r, err = load(t, "h", "ProxyCommand nc %h %p\n", "ProxyJump=j")
	if err != nil || r.ProxyCommand != "" || r.ProxyJump != "j" {
		t.Errorf("-o ProxyJump first: %q %q %v", r.ProxyCommand, r.ProxyJump, err)
	}
	r, err = load(t, "h", "ProxyJump none\nProxyCommand nc %h %p\n")
	if err != nil || r.ProxyJump != "" || r.ProxyCommand != "" {
		t.Errorf("ProxyJump none first disables both: %q %q %v", r.ProxyCommand, r.ProxyJump, err)
	}
}

// TestControlPersistParsedOnce: ControlPersist is parsed when read, so a
// bad value is an error even in a block that does not apply, and yes, 0,
// no and a time give the durations the master uses (-1: for ever).
func TestControlPersistParsedOnce(t *testing.T) {
	if _, err := load(t, "h", "Host other\n  ControlPersist sometimes\n"); err == nil || !strings.Contains(err.Error(), "cfg:2") {
		t.Errorf("bad ControlPersist in an inactive block: err = %v, want an error at cfg:2", err)
	}
	for v, want := range map[string]time.Duration{"yes": -1, "0": -1, "no": 0, "false": 0, "10m": 10 * time.Minute, "90": 90 * time.Second} {
		r, err := load(t, "h", "ControlPersist "+v+"\n")
		if err != nil {
			t.Fatalf("ControlPersist %s: %v", v, err)
		}
		if r.ControlPersist != want {
			t.Errorf("ControlPersist %s = %v, want %v", v, r.ControlPersist, want)
		}
	}
	r, err := load(t, "h", "ControlPath none\n")
	if err != nil {
		t.Fatal(err)
	}
	if r.ControlPath != "" {
		t.Errorf("ControlPath none gave the path %q", r.ControlPath)
	}
}
