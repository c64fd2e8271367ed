package config

import (
	"bytes"
	"strings"
	"testing"
)

// notDumped are the keywords pqssh implements that -G does not print, and
// why; every other implemented keyword must appear in -G output.
var notDumped = map[string]string{
	"ignoreunknown":     "read while parsing only",
	"revokedhostkeys":   "checked when connecting; not printed",
	"versionaddendum":   "not printed",
	"forwardx11trusted": "accepted only: X11 forwarding is not supported",
	"tunnel":            "only no is accepted: tun forwarding is not supported",
}

// TestDumpFollowsKeywordTable: every line -G prints is a keyword of the
// table (or "host"), and every keyword the table says pqssh implements
// is printed, unless notDumped says why not.
func TestDumpFollowsKeywordTable(t *testing.T) {
	o := NewOptions(Context{Host: "h", LocalUser: "u", Home: "/home/u"})
	err := o.Parse(strings.NewReader(`HostKeyAlias a
IdentityAgent /a
IdentityFile /k
CertificateFile /c
ProxyJump j
RemoteCommand r
LocalCommand l
LocalForward 1 h:2
RemoteForward 3 h:4
DynamicForward 5
SendEnv A
SetEnv B=c
RekeyLimit 1M
Tag t
BindAddress 192.0.2.1
PreferredAuthentications publickey
CanonicalDomains example.org
CanonicalizePermittedCNAMEs *.example.org:*.example.net
PermitRemoteOpen localhost:80
ControlPath /tmp/cm-%r
`), "cfg", true)
	if err != nil {
		t.Fatal(err)
	}
	r, err := o.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r.Dump(&out)
	// ProxyCommand is printed when no ProxyJump came first.
	o = NewOptions(Context{Host: "h", LocalUser: "u", Home: "/home/u"})
	if err := o.ParseOption("ProxyCommand nc %h %p"); err != nil {
		t.Fatal(err)
	}
	if r, err = o.Resolve(); err != nil {
		t.Fatal(err)
	}
	r.Dump(&out)
	printed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		k, _, _ := strings.Cut(line, " ")
		printed[k] = true
		if _, _, ok := lookupKeyword(k); !ok && k != "host" {
			t.Errorf("-G prints %q, which is not in the keyword table", k)
		}
	}
	for _, k := range keywords {
		key := strings.ToLower(k.name)
		if k.kind == kIgnored || k.kind == kDeprecated || k.kind == kBlock || k.alias != "" {
			continue
		}
		if _, ok := notDumped[key]; ok {
			if printed[key] {
				t.Errorf("%s is printed by -G but listed in notDumped", k.name)
			}
			continue
		}
		if !printed[key] {
			t.Errorf("the table implements %s, but -G does not print it", k.name)
		}
	}
}
