package authkeys

import (
	"strings"
	"testing"
	"time"
)

const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"

func TestParseOptions(t *testing.T) {
	data := strings.Join([]string{
		"# comment",
		key + " plain",
		`restrict,pty,command="echo \"hi\"",from="192.0.2.0/24,!192.0.2.9" ` + key + " restricted",
		`permitopen="localhost:80",permitopen="[::1]:22",environment="A=b c",expiry-time="20300101Z" ` + key,
		`no-such-option ` + key,
		`cert-authority,principals="alice,bob" ` + key,
		"garbage",
	}, "\n")
	entries, errs := Parse([]byte(data))
	if len(entries) != 4 || len(errs) != 2 || errs[0].Line != 5 || errs[1].Line != 7 {
		t.Fatalf("entries %d errs %v", len(entries), errs)
	}
	if e := entries[0]; e.Comment != "plain" || e.Options.NoPTY || e.Line != 2 {
		t.Errorf("plain: %+v", e)
	}
	o := entries[1].Options
	if o.NoPTY || !o.NoPortForwarding || !o.NoAgentForwarding || !o.NoX11Forwarding || !o.HasCommand ||
		o.Command != `echo "hi"` || o.From != "192.0.2.0/24,!192.0.2.9" {
		t.Errorf("restrict line: %+v", o)
	}
	o = entries[2].Options
	if len(o.PermitOpen) != 2 || o.PermitOpen[1] != "[::1]:22" || o.Environment[0] != "A=b c" ||
		!o.Expiry.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("permitopen line: %+v", o)
	}
	if o := entries[3].Options; !o.CertAuthority || len(o.Principals) != 2 {
		t.Errorf("cert-authority line: %+v", o)
	}
}

func TestExpandPath(t *testing.T) {
	p, err := ExpandPath("/etc/keys/%u-%U-%%", "alice", "/home/alice", 1001)
	if err != nil || p != "/etc/keys/alice-1001-%" {
		t.Fatalf("%q %v", p, err)
	}
	p, _ = ExpandPath(".ssh/authorized_keys", "alice", "/home/alice", 1001)
	if p != "/home/alice/.ssh/authorized_keys" {
		t.Fatalf("relative: %q", p)
	}
	p, _ = ExpandPath("%h/k", "alice", "/home/alice", 1001)
	if p != "/home/alice/k" {
		t.Fatalf("%%h: %q", p)
	}
	if _, err := ExpandPath("%x", "a", "/", 0); err == nil {
		t.Fatal("unknown token accepted")
	}
}
