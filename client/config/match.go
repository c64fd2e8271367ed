package config

import (
	"strings"

	"github.com/pqssh/pqssh/internal/sshpattern"
)

// MatchPattern reports whether s matches the ssh_config wildcard pattern
// (ssh_config(5), PATTERNS: '*' matches zero or more characters, '?'
// exactly one). Matching is case-insensitive, as OpenSSH's host matching.
func MatchPattern(s, pattern string) bool {
	return sshpattern.Match(strings.ToLower(s), strings.ToLower(pattern))
}

// MatchCase is MatchPattern with case-sensitive matching (used for
// environment variable names in SendEnv).
func MatchCase(s, pattern string) bool { return sshpattern.Match(s, pattern) }

// MatchList matches s against a list of patterns, each possibly negated
// with a leading '!'. It returns 1 for a positive match, -1 when a negated
// pattern matches (which overrides any positive match) and 0 for no match.
// Like MatchPattern it ignores case.
func MatchList(s string, patterns []string) int {
	folded := make([]string, len(patterns))
	for i, p := range patterns {
		folded[i] = strings.ToLower(p)
	}
	return sshpattern.MatchList(strings.ToLower(s), folded)
}

// matchCommaList is MatchList over a comma-separated pattern list.
func matchCommaList(s, list string) bool {
	return MatchList(s, strings.Split(list, ",")) == 1
}
