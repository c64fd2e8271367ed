// Package sshpattern is OpenSSH's wildcard pattern matching (match.c:
// match_pattern and match_pattern_list), shared by pqssh's ssh_config,
// pqsshd's sshd_config and authorized_keys parsing: '*' matches any run of
// characters (including none), '?' exactly one, every other byte itself.
// Matching is case-sensitive; callers that match host names lower-case
// both sides first, as OpenSSH does.
//
// Match runs in O(len(s) × len(pattern)) time at worst, whatever the
// number of '*' (OpenSSH's own matcher recurses and can take exponential
// time on hostile patterns; the result is the same).
package sshpattern

import "strings"

// Match reports whether s matches pattern.
func Match(s, pattern string) bool {
	// Greedy scan that, on a mismatch, backtracks only to the most recent
	// '*': an earlier '*' never needs revisiting, because the later one
	// can absorb anything the earlier one could have.
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && pattern[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(pattern) && (pattern[pi] == '?' || pattern[pi] == s[si]):
			si++
			pi++
		case star >= 0:
			mark++
			si, pi = mark, star+1
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}

// MatchList matches s against patterns, each possibly negated with a
// leading '!': 1 when a pattern matches, -1 when a negated pattern matches
// (which overrides any positive match), 0 when none does.
func MatchList(s string, patterns []string) int {
	result := 0
	for _, p := range patterns {
		negated := strings.HasPrefix(p, "!")
		if negated {
			p = p[1:]
		}
		if Match(s, p) {
			if negated {
				return -1
			}
			result = 1
		}
	}
	return result
}

// MatchCommaList is MatchList over a comma-separated list, as OpenSSH's
// match_pattern_list takes it.
func MatchCommaList(s, list string) int {
	return MatchList(s, strings.Split(list, ","))
}
