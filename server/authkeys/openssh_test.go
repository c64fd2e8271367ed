package authkeys

import (
	"strings"
	"testing"
	"time"
)

// optionCase is an options field and whether OpenSSH's sshauthopt_parse
// (with auth_authorise_keyopts' principals check) accepts it; check, if
// set, inspects the result.
type optionCase struct {
	opts  string
	ok    bool
	check func(Options) bool
}

// openSSHCases are options fields compared option by option with
// OpenSSH's auth-options.c.
var openSSHCases = []optionCase{
	// Values must be double-quoted.
	{`from=192.0.2.1`, false, nil},
	{`command=true`, false, nil},
	{`principals=alice`, false, nil},
	{`expiry-time=20300101`, false, nil},
	{`environment=A=b`, false, nil},
	{`permitopen=host:22`, false, nil},
	{`permitlisten=22`, false, nil},
	{`tunnel=1`, false, nil},
	{`command="unterminated`, false, nil},
	{`command="a"b`, false, nil},
	{`command="a"",pty`, false, nil},
	{`command="echo \"hi\" \\n"`, true, func(o Options) bool { return o.Command == `echo "hi" \\n` }},
	{`command=""`, true, func(o Options) bool { return o.HasCommand && o.Command == "" }},
	// Repeated options.
	{`command="a",command="b"`, false, nil},
	{`from="192.0.2.1",from="127.0.0.1"`, false, nil},
	{`cert-authority,principals="a",principals="b"`, false, nil},
	{`expiry-time="20300101Z",expiry-time="20290101Z",expiry-time="20310101Z"`, true,
		func(o Options) bool { return o.Expiry.Equal(time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)) }},
	{`environment="A=1",environment="A=2",environment="B=3"`, true,
		func(o Options) bool { return strings.Join(o.Environment, " ") == "A=1 B=3" }},
	{`permitopen="a:1",permitopen="b:2"`, true, func(o Options) bool { return len(o.PermitOpen) == 2 }},
	// principals= needs cert-authority, in either order.
	{`principals="alice"`, false, nil},
	{`principals="alice",cert-authority`, true, func(o Options) bool { return o.CertAuthority && o.Principals[0] == "alice" }},
	{`cert-authority,principals=""`, true, func(o Options) bool { return len(o.Principals) == 1 && o.Principals[0] == "" }},
	// from="" is accepted by the parser and admits no address.
	{`from=""`, true, func(o Options) bool { return o.HasFrom && o.From == "" && !o.FromAllows("127.0.0.1") }},
	// Flags: case-insensitive, no value, "no-" only where OpenSSH allows it.
	{`PTY,No-Agent-Forwarding`, true, func(o Options) bool { return !o.NoPTY && o.NoAgentForwarding }},
	{`restrict,pty,port-forwarding`, true, func(o Options) bool {
		return o.Restrict && !o.NoPTY && !o.NoPortForwarding && o.NoAgentForwarding && o.NoX11Forwarding && o.NoUserRC
	}},
	{`no-restrict`, false, nil},
	{`no-cert-authority`, false, nil},
	{`pty="yes"`, false, nil},
	{`restrict=1`, false, nil},
	{`restricted`, false, nil},
	{`touch-required,verify-required`, true, func(o Options) bool { return !o.NoTouchRequired && o.VerifyRequired }},
	{`no-touch-required,no-verify-required`, true, func(o Options) bool { return o.NoTouchRequired && !o.VerifyRequired }},
	{`no-user-rc,no-x11-forwarding,x11-forwarding`, true, func(o Options) bool { return o.NoUserRC && !o.NoX11Forwarding }},
	{`no-such-option`, false, nil},
	{`command`, false, nil},
	// Empty options between commas are skipped; a trailing comma ends
	// the field.
	{`,pty,,no-pty,`, true, func(o Options) bool { return o.NoPTY }},
	{`pty;no-pty`, false, nil},
	// expiry-time formats.
	{`expiry-time="203001011230"`, true, nil},
	{`expiry-time="20300101123059z"`, true, nil},
	{`expiry-time="20300101UTC"`, true, func(o Options) bool { return o.Expiry.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) }},
	{`expiry-time="20300230Z"`, true, func(o Options) bool { return o.Expiry.Equal(time.Date(2030, 3, 2, 0, 0, 0, 0, time.UTC)) }},
	{`expiry-time="2030"`, false, nil},
	{`expiry-time="20301301"`, false, nil},
	{`expiry-time="2030010a"`, false, nil},
	{`expiry-time="19700101Z"`, false, nil},
	{`expiry-time=""`, false, nil},
	// environment names are letters, digits and underscores.
	{`environment="A_1=x y"`, true, nil},
	{`environment="=x"`, false, nil},
	{`environment="A-B=x"`, false, nil},
	{`environment="NOVALUE"`, false, nil},
	// permitopen/permitlisten.
	{`permitopen="[::1]:22",permitopen="host/80",permitopen="*:*",permitopen="h:ssh"`, true, func(o Options) bool {
		return strings.Join(o.PermitOpen, " ") == "[::1]:22 host:80 *:* h:22"
	}},
	{`permitlisten="2222",permitlisten="localhost:*"`, true, func(o Options) bool {
		return strings.Join(o.PermitListen, " ") == "*:2222 localhost:*"
	}},
	{`permitopen="2222"`, false, nil},
	{`permitopen="host:0"`, false, nil},
	{`permitopen="host:65536"`, false, nil},
	{`permitopen="host:"`, false, nil},
	{`permitopen="[::1]"`, false, nil},
	{`permitopen="[::1]x22"`, false, nil},
	{`permitopen="host:no-such-service"`, false, nil},
	{`permitopen="` + strings.Repeat("h", maxHost) + `:22"`, false, nil},
	// tunnel is checked, then ignored.
	{`tunnel="any",tunnel="0"`, true, func(o Options) bool { return o.Tunnel == "0" }},
	{`tunnel="x"`, false, nil},
	{`tunnel="2147483646"`, false, nil},
}

func TestOptionsLikeOpenSSH(t *testing.T) {
	for _, c := range openSSHCases {
		o, err := ParseOptions(c.opts)
		if (err == nil) != c.ok {
			t.Errorf("ParseOptions(%s): err %v, want ok=%v", c.opts, err, c.ok)
			continue
		}
		if err == nil && c.check != nil && !c.check(o) {
			t.Errorf("ParseOptions(%s) = %+v", c.opts, o)
		}
		// The same through Parse, as a line before a key.
		entries, errs := Parse([]byte(c.opts + " " + key + " c"))
		if (len(entries) == 1) != c.ok || len(entries)+len(errs) != 1 {
			t.Errorf("Parse(%s ...): %d entries, errors %v; want ok=%v", c.opts, len(entries), errs, c.ok)
		}
	}
}

// fromCase is a from= list, a client address and whether OpenSSH's
// match_host_and_ip (with the address as host name) admits it.
type fromCase struct {
	from, ip string
	want     bool
}

var fromCases = []fromCase{
	{"", "127.0.0.1", false},
	{"127.0.0.1", "127.0.0.1", true},
	{"127.0.0.1", "127.0.0.2", false},
	{"127.0.0.0/8", "127.1.2.3", true},
	{"127.0.0.*", "127.0.0.9", true},
	{"127.0.0.?", "127.0.0.10", false},
	{"*", "192.0.2.1", true},
	{"*,!192.0.2.1", "192.0.2.1", false},
	{"!192.0.2.1,*", "192.0.2.2", true},
	{"!192.0.2.0/24,*", "192.0.2.7", false},
	{"!192.0.2.1", "192.0.2.2", false},
	// Empty entries and bad networks make the whole list deny.
	{"127.0.0.1,", "127.0.0.1", false},
	{",127.0.0.1", "127.0.0.1", false},
	{"127.0.0.1,,*", "127.0.0.1", false},
	{"!", "127.0.0.1", false},
	{"127.0.0.1/8", "127.0.0.1", false},
	{"127.0.0.0/33", "127.0.0.1", false},
	{"*,10.0.0.1/8", "127.0.0.1", false},
	// An unparsable mask is a wildcard pattern instead.
	{"127.0.0.0/x,127.0.0.1", "127.0.0.1", true},
	// IPv6 and IPv4-mapped clients.
	{"::1", "::1", true},
	{"2001:db8::/32", "2001:db8::5", true},
	{"2001:db8::1/32", "2001:db8::1", false},
	{"127.0.0.1", "::ffff:127.0.0.1", true},
	// Patterns compare without case (host names are addresses here).
	{"2001:DB8::*", "2001:db8::5", true},
	// Not an address: nothing matches, not even an empty pattern.
	{"", "", false},
	{"*", "not-an-address", false},
}

func TestFromLikeOpenSSH(t *testing.T) {
	for _, c := range fromCases {
		o := Options{From: c.from, HasFrom: true}
		if got := o.FromAllows(c.ip); got != c.want {
			t.Errorf("from=%q, client %s: %v, want %v", c.from, c.ip, got, c.want)
		}
	}
	if o := (Options{}); !o.FromAllows("192.0.2.1") {
		t.Error("no from= denied a client")
	}
}

func TestAuthorise(t *testing.T) {
	now := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	o := Options{Expiry: now.Add(-time.Second)}
	if err := o.Authorise("127.0.0.1", now); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired line: %v", err)
	}
	o = Options{HasFrom: true}
	if err := o.Authorise("127.0.0.1", now); err == nil || !strings.Contains(err.Error(), "not allowed by from=") {
		t.Errorf(`from="": %v`, err)
	}
	o = Options{From: "127.0.0.0/8", HasFrom: true, Expiry: now.Add(time.Hour)}
	if err := o.Authorise("127.0.0.1", now); err != nil {
		t.Errorf("allowed line refused: %v", err)
	}
}

func TestKeyLines(t *testing.T) {
	for _, c := range []struct {
		line string
		ok   bool
	}{
		{key, true},
		{key + "\tcomment with spaces", true},
		{"\t " + key + " c", true},
		{`command="a b c" ` + key, true},
		{`command="a \" b" ` + key, true},
		{`pty,  ` + key, true},
		{`command="unterminated ` + key, false},
		{`pty ` + "garbage", false},
		// A key type in the options position is an unknown option.
		{"ssh-ed25519 " + key, false},
		{`restrict ssh-rsa ` + strings.Fields(key)[1], false},
	} {
		entries, errs := Parse([]byte(c.line))
		if (len(entries) == 1) != c.ok || len(entries)+len(errs) != 1 {
			t.Errorf("Parse(%q): %d entries, errors %v; want ok=%v", c.line, len(entries), errs, c.ok)
		}
	}
}
