package sshconf

import (
	"slices"
	"strings"
	"testing"
)

// FuzzSshconf feeds one input to every parser of the package: none
// panics, SplitLine's arguments never hold more bytes than the line, and
// an assembled algorithm list is non-empty, free of duplicates and made of
// known names only.
func FuzzSshconf(f *testing.F) {
	for _, s := range []string{
		"Port 22", "Banner=\"a b\" # c", `X 'a\"b' c\ d`, "KexAlgorithms +mlkem768x25519-sha256",
		"-curve25519*,!ecdh-*", "^ssh-ed25519*", "1h30m", "512M", "192.0.2.0/24,!192.0.2.7", "a\"",
	} {
		f.Add(s)
	}
	all := KnownAlgorithms(HostKeyAlgorithms)
	def := ServerDefaults(HostKeyAlgorithms)
	f.Fuzz(func(t *testing.T, s string) {
		if l, ok, err := SplitLine(s); err == nil && ok {
			n := len(l.Keyword)
			for _, a := range l.Args {
				n += len(a)
			}
			if n > len(s) {
				t.Fatalf("SplitLine(%q) grew the line: %q", s, l)
			}
		}
		ParseTime(s)
		ParseSize(s)
		MatchHostList(s, strings.Split(s, ","))
		AddrMatchList("192.0.2.7", s)
		AddrMatchList(s, s)
		for _, k := range []AlgoKind{Ciphers, HostKeyAlgorithms} {
			got, err := AssembleAlgorithms(k, s, def, all)
			if err != nil {
				continue
			}
			if len(got) == 0 {
				t.Fatalf("%q: empty list without an error", s)
			}
			for i, n := range got {
				if !slices.Contains(all, n) || slices.Contains(got[:i], n) {
					t.Fatalf("%q: %v holds an unknown or repeated name %s", s, got, n)
				}
			}
		}
	})
}
