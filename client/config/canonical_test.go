package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeDNS resolves the names in its map (to their CNAME target, or to
// themselves when the target is "").
type fakeDNS map[string]string

func (d fakeDNS) resolve(name string) (string, error) {
	c, ok := d[name]
	if !ok {
		return "", fmt.Errorf("no such host %s", name)
	}
	if c == "" {
		return name, nil
	}
	return c + ".", nil
}

// loadCanon runs Load (both passes) on host with cfg as the -F file.
func loadCanon(t *testing.T, host, cfg string, dns fakeDNS, opts ...string) (*Resolved, []string, error) {
	t.Helper()
	home := t.TempDir()
	path := filepath.Join(home, "config")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var debug []string
	ctx := Context{Host: host, LocalUser: "me", Home: home, Resolve: dns.resolve,
		Debug: func(n int, m string) { debug = append(debug, fmt.Sprintf("debug%d: %s", n, m)) }}
	o, err := Load(ctx, opts, path)
	if err != nil {
		return nil, debug, err
	}
	r, err := o.Resolve()
	return r, debug, err
}

const canonConfig = `CanonicalizeHostname yes
CanonicalDomains example.com other.org
Host web
  User first
Host *.other.org
  User second
  Port 2200
Match canonical host *.other.org
  SetEnv CANON=1
Match final
  SetEnv FINAL=1
Match !canonical
  SetEnv FIRSTPASS=1
`

// TestCanonicalizeHostname: the name is tried with each CanonicalDomains
// suffix; the first that resolves becomes HostName and the files are read
// again with it: its Host block and "Match canonical"/"Match final"
// apply, values of the first pass keep winning, and "Match !canonical"
// applied on the first pass only (OpenSSH's re-parse semantics).
func TestCanonicalizeHostname(t *testing.T) {
	dns := fakeDNS{"web.other.org": ""}
	r, debug, err := loadCanon(t, "web", canonConfig, dns)
	if err != nil {
		t.Fatal(err)
	}
	if r.HostName != "web.other.org" || r.Port != 2200 || r.User != "first" {
		t.Errorf("HostName %q Port %d User %q, want web.other.org 2200 first", r.HostName, r.Port, r.User)
	}
	if got := strings.Join(r.SetEnv, " "); got != "FIRSTPASS=1 CANON=1 FINAL=1" {
		t.Errorf("SetEnv %q", got)
	}
	all := strings.Join(debug, "\n")
	for _, want := range []string{
		`debug3: resolve_canonicalize: attempting "web" => "web.example.com"`,
		`debug1: Canonicalized hostname "web" => "web.other.org"`,
		"debug1: re-parsing configuration",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("debug lacks %q:\n%s", want, all)
		}
	}

	// Not found anywhere: kept (CanonicalizeFallbackLocal yes), still a
	// final pass; with CanonicalizeFallbackLocal no it is an error.
	r, _, err = loadCanon(t, "db", canonConfig, dns)
	if err != nil || r.HostName != "db" || r.Port != 22 || !strings.Contains(strings.Join(r.SetEnv, " "), "FINAL=1") {
		t.Errorf("fallback: %+v %v", r, err)
	}
	if _, _, err = loadCanon(t, "db", "CanonicalizeFallbackLocal no\n"+canonConfig, dns); err == nil || !strings.Contains(err.Error(), `Could not resolve host "db"`) {
		t.Errorf("CanonicalizeFallbackLocal no: %v", err)
	}
	// More dots than CanonicalizeMaxDots (1): left alone.
	r, _, err = loadCanon(t, "a.b.c", canonConfig, fakeDNS{"a.b.c.other.org": ""})
	if err != nil || r.HostName != "a.b.c" {
		t.Errorf("max dots: %v %v", r.HostName, err)
	}
	r, _, err = loadCanon(t, "a.b.c", "CanonicalizeMaxDots 2\n"+canonConfig, fakeDNS{"a.b.c.other.org": ""})
	if err != nil || r.HostName != "a.b.c.other.org" {
		t.Errorf("CanonicalizeMaxDots 2: %v %v", r.HostName, err)
	}
	// A trailing dot: fully qualified, resolved as it is.
	r, _, err = loadCanon(t, "web.other.org.", canonConfig, dns)
	if err != nil || r.HostName != "web.other.org" || r.Port != 2200 {
		t.Errorf("trailing dot: %v %v", r, err)
	}
	// An address is never canonicalized.
	r, _, err = loadCanon(t, "192.0.2.7", canonConfig, dns)
	if err != nil || r.HostName != "192.0.2.7" {
		t.Errorf("address: %v %v", r.HostName, err)
	}
}

// TestCanonicalizeCNAMEsAndProxies: a CNAME is followed only when
// CanonicalizePermittedCNAMEs allows it; "yes" leaves proxied connections
// alone, "always" does not.
func TestCanonicalizeCNAMEsAndProxies(t *testing.T) {
	dns := fakeDNS{"web.other.org": "edge.cdn.net"}
	r, _, err := loadCanon(t, "web", canonConfig, dns)
	if err != nil || r.HostName != "web.other.org" {
		t.Errorf("CNAME not permitted: %v %v", r.HostName, err)
	}
	r, _, err = loadCanon(t, "web", "CanonicalizePermittedCNAMEs *.other.org:*.cdn.net\n"+canonConfig, dns)
	if err != nil || r.HostName != "edge.cdn.net" {
		t.Errorf("CNAME permitted: %v %v", r.HostName, err)
	}
	r, _, err = loadCanon(t, "web", canonConfig, dns, "ProxyJump=jump")
	if err != nil || r.HostName != "web" {
		t.Errorf("yes with ProxyJump: %v %v", r.HostName, err)
	}
	r, _, err = loadCanon(t, "web", canonConfig, dns, "ProxyJump=jump", "CanonicalizeHostname=always")
	if err != nil || r.HostName != "web.other.org" {
		t.Errorf("always with ProxyJump: %v %v", r.HostName, err)
	}
	if _, _, err := loadCanon(t, "web", "CanonicalizePermittedCNAMEs nocolon\n", dns); err == nil {
		t.Error("bad CanonicalizePermittedCNAMEs accepted")
	}
}

// TestMatchFinalWithoutCanonicalization: "Match final" alone asks for the
// second pass; without it "Match final" blocks never apply and nothing is
// read twice (no duplicated IdentityFile).
func TestMatchFinalWithoutCanonicalization(t *testing.T) {
	cfg := "IdentityFile ~/.ssh/a\nMatch final\n  User final-user\n"
	r, debug, err := loadCanon(t, "h", cfg, nil)
	if err != nil || r.User != "final-user" || len(r.IdentityFiles) != 1 {
		t.Errorf("Match final: user %q identities %q %v", r.User, r.IdentityFiles, err)
	}
	if !strings.Contains(strings.Join(debug, "\n"), "debug1: re-parsing configuration") {
		t.Errorf("no second pass: %q", debug)
	}
	r, debug, err = loadCanon(t, "h", "Match canonical\n  User canon\n", nil)
	if err != nil || r.User != "me" || strings.Contains(strings.Join(debug, "\n"), "re-parsing") {
		t.Errorf("Match canonical without canonicalization: %q %q %v", r.User, debug, err)
	}
}
