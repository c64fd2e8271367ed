package sshconf

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/pqssh/pqssh/internal/sshpattern"
)

// MatchList is OpenSSH's match_pattern_list over a comma-separated list:
// 1 when a pattern matches s, -1 when a negated ("!pattern") one does
// (whatever else matches), 0 when none does. Matching is case-sensitive.
func MatchList(s, list string) int { return sshpattern.MatchCommaList(s, list) }

// MatchHostList is MatchList for host names, which OpenSSH matches
// without regard to case (match_hostname): patterns are the elements of
// patterns, each possibly negated.
func MatchHostList(host string, patterns []string) int {
	folded := make([]string, len(patterns))
	for i, p := range patterns {
		folded[i] = strings.ToLower(p)
	}
	return sshpattern.MatchList(strings.ToLower(host), folded)
}

// AddrMatchList is OpenSSH's addr_match_list: addr against a
// comma-separated list whose entries are addresses, CIDR networks
// (192.0.2.0/24, 2001:db8::/32) or wildcard patterns, each possibly
// negated. It returns 1 on a match, 0 on none (also when addr is not an
// address), -1 when a negated entry matches and -2 when the list holds an
// empty entry or a network with host bits set or too long a mask.
func AddrMatchList(addr, list string) int {
	a, aerr := netip.ParseAddr(addr)
	if aerr != nil {
		return 0
	}
	a = a.Unmap()
	ret := 0
	for _, p := range strings.Split(list, ",") {
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if p == "" {
			return -2
		}
		pfx, r := parseCIDR(p)
		var m bool
		switch r {
		case -2:
			return -2
		case 0:
			m = pfx.Contains(a)
		default:
			m = sshpattern.Match(addr, p)
		}
		if m {
			if neg {
				return -1
			}
			ret = 1
		}
	}
	return ret
}

// parseCIDR is OpenSSH's addr_pton_cidr: 0 with the network for an address
// or address/len, -1 for something else (a wildcard pattern), -2 for a
// mask length too long for the family or with host bits set.
func parseCIDR(p string) (netip.Prefix, int) {
	addr, mask, hasMask := strings.Cut(p, "/")
	bits := -1
	if hasMask {
		if mask == "" || mask[0] < '0' || mask[0] > '9' || strings.Trim(mask, "0123456789") != "" {
			return netip.Prefix{}, -1
		}
		n, err := strconv.Atoi(mask)
		if err != nil || n > 128 {
			return netip.Prefix{}, -1
		}
		bits = n
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, -1
	}
	a = a.Unmap()
	if bits < 0 {
		bits = a.BitLen()
	}
	if bits > a.BitLen() {
		return netip.Prefix{}, -2
	}
	pfx := netip.PrefixFrom(a, bits)
	if pfx.Masked().Addr() != a {
		return netip.Prefix{}, -2
	}
	return pfx, 0
}
