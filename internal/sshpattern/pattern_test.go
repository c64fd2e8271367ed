package sshpattern

import (
	"strings"
	"testing"
	"time"
)

// reference is OpenSSH's recursive match_pattern, transcribed to Go for
// comparison (exponential on hostile input; used on short strings only).
func reference(s, p string) bool {
	for {
		if p == "" {
			return s == ""
		}
		if p[0] == '*' {
			for p != "" && p[0] == '*' {
				p = p[1:]
			}
			if p == "" {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if reference(s[i:], p) {
					return true
				}
			}
			return false
		}
		if s == "" || (p[0] != '?' && p[0] != s[0]) {
			return false
		}
		s, p = s[1:], p[1:]
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		s, p string
		want bool
	}{
		{"", "", true}, {"", "*", true}, {"a", "", false}, {"", "?", false},
		{"host.example.com", "*.example.com", true},
		{"example.com", "*.example.com", false},
		{"abc", "a?c", true}, {"ac", "a?c", false},
		{"aXbXc", "a*b*c", true}, {"aXbXd", "a*b*c", false},
		{"Host", "host", false}, // case-sensitive
		{"10.0.0.1", "10.0.*", true},
		{"mississippi", "m*iss*ppi", true}, {"mississippi", "m*iss*ppj", false},
	} {
		if got := Match(c.s, c.p); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.s, c.p, got, c.want)
		}
	}
}

func TestMatchList(t *testing.T) {
	for _, c := range []struct {
		s, list string
		want    int
	}{
		{"alice", "alice,bob", 1}, {"carol", "alice,bob", 0},
		{"alice", "*,!alice", -1}, {"alice", "!alice,*", -1},
		{"bob", "*,!alice", 1}, {"", "", 1}, {"x", "", 0},
	} {
		if got := MatchCommaList(c.s, c.list); got != c.want {
			t.Errorf("MatchCommaList(%q, %q) = %d, want %d", c.s, c.list, got, c.want)
		}
	}
}

// A pattern with many stars against a long non-matching subject takes
// exponential time in a recursive matcher; here it must stay quadratic at
// worst. The bound is generous (a linear scan takes microseconds); the
// recursive matcher does not finish this input in hours.
func TestMatchPathologicalPattern(t *testing.T) {
	s := strings.Repeat("a", 4096)
	p := strings.Repeat("*a", 64) + "b"
	start := time.Now()
	if Match(s, p) {
		t.Fatal("pathological pattern matched")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("pathological pattern took %v", d)
	}
}

func FuzzMatch(f *testing.F) {
	for _, seed := range [][2]string{{"abc", "a*c"}, {"aaa", "*a*a"}, {"", "*"}, {"x?y", "x??"}, {"ab", "*?*?*"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, s, p string) {
		if len(s) > 24 || len(p) > 12 {
			return // keep the exponential reference fast
		}
		if got, want := Match(s, p), reference(s, p); got != want {
			t.Fatalf("Match(%q, %q) = %v, OpenSSH's match_pattern says %v", s, p, got, want)
		}
	})
}
