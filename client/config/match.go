package config

import "strings"

// MatchPattern reports whether s matches the ssh_config wildcard pattern
// (ssh_config(5), PATTERNS: '*' matches zero or more characters, '?'
// exactly one). Matching is case-insensitive, as OpenSSH's host matching.
func MatchPattern(s, pattern string) bool {
	return wildcard(strings.ToLower(s), strings.ToLower(pattern))
}

// MatchCase is MatchPattern with case-sensitive matching (used for
// environment variable names in SendEnv).
func MatchCase(s, pattern string) bool { return wildcard(s, pattern) }

func wildcard(s, p string) bool {
	// Iterative matcher with single-star backtracking: linear in practice
	// and never exponential.
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			si++
			pi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// MatchList matches s against a list of patterns, each possibly negated
// with a leading '!'. It returns 1 for a positive match, -1 when a negated
// pattern matches (which overrides any positive match) and 0 for no match.
func MatchList(s string, patterns []string) int {
	result := 0
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if MatchPattern(s, p) {
			if neg {
				return -1
			}
			result = 1
		}
	}
	return result
}

// matchCommaList is MatchList over a comma-separated pattern list.
func matchCommaList(s, list string) bool {
	return MatchList(s, strings.Split(list, ",")) == 1
}
