package authkeys

import (
	"testing"
	"time"
)

// FuzzParse: any authorized_keys content parses without panicking, and
// every entry it returns has a key and options OpenSSH would accept.
func FuzzParse(f *testing.F) {
	f.Add([]byte(key + " c\n"))
	f.Add([]byte(`restrict,command="a\"b",from="x" ` + key))
	f.Add([]byte(`expiry-time="2030" ` + key))
	for _, c := range openSSHCases {
		f.Add([]byte(c.opts + " " + key + " c\n"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, _ := Parse(data)
		for _, e := range entries {
			if e.Key == nil {
				t.Fatal("entry without a key")
			}
			o := e.Options
			if len(o.Principals) > 0 && !o.CertAuthority {
				t.Fatalf("line %d: principals without cert-authority: %+v", e.Line, o)
			}
			if o.HasFrom && o.From == "" && o.FromAllows("127.0.0.1") {
				t.Fatalf("line %d: from=\"\" admits a client", e.Line)
			}
			o.Authorise("192.0.2.1", time.Now())
			o.Authorise("2001:db8::1", time.Now())
		}
	})
}

// FuzzFromAllows: any from= list and address are evaluated without
// panicking; a list with an empty entry admits nothing.
func FuzzFromAllows(f *testing.F) {
	for _, c := range fromCases {
		f.Add(c.from, c.ip)
	}
	f.Fuzz(func(t *testing.T, from, ip string) {
		o := Options{From: from, HasFrom: true}
		got := o.FromAllows(ip)
		if got && hasEmptyEntry(from) {
			t.Fatalf("from=%q with an empty entry admits %q", from, ip)
		}
	})
}

// hasEmptyEntry reports whether the comma-separated list has an empty
// entry (or one that is only "!").
func hasEmptyEntry(list string) bool {
	start := 0
	for i := 0; i <= len(list); i++ {
		if i == len(list) || list[i] == ',' {
			if e := list[start:i]; e == "" || e == "!" {
				return true
			}
			start = i + 1
		}
	}
	return false
}
