package config

import (
	"fmt"
	"strings"

	"github.com/pqssh/pqssh/internal/sshconf"
)

// MatchPatternList evaluates a comma-separated OpenSSH pattern list against
// s: true if some pattern matches and no negated ("!pattern") one does.
func MatchPatternList(s, list string) bool { return sshconf.MatchList(s, list) == 1 }

// MatchAddressList is OpenSSH's addr_match_list for Match Address and
// LocalAddress: true if an entry (an address, a CIDR network such as
// 192.0.2.0/24 or 2001:db8::/32, or a wildcard pattern) matches addr and
// no negated one does. A list with an invalid network matches nothing.
func MatchAddressList(addr string, list string) bool { return sshconf.AddrMatchList(addr, list) == 1 }

// ConnInfo is what a Match block can test about a connection.
type ConnInfo struct {
	User      string
	Groups    []string // the user's group names
	Address   string   // client address, without port
	Host      string   // client host name (the address: pqsshd does no DNS)
	LocalAddr string
	LocalPort int
}

// matchBlock is one Match line and the directives under it.
type matchBlock struct {
	file     string
	line     int
	criteria [][2]string // (criterion, pattern list); criterion "all" has none
	body     []directive
}

type directive struct {
	file    string
	line    int
	keyword string
	args    []string
}

func parseMatch(args []string) ([][2]string, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("Match: missing criteria")
	}
	var crit [][2]string
	for i := 0; i < len(args); i++ {
		c := strings.ToLower(args[i])
		switch c {
		case "all":
			if len(args) != 1 {
				return nil, fmt.Errorf("Match all must stand alone")
			}
			crit = append(crit, [2]string{"all", ""})
		case "user", "group", "address", "host", "localaddress", "localport":
			if i+1 >= len(args) {
				return nil, fmt.Errorf("Match %s: missing argument", args[i])
			}
			i++
			crit = append(crit, [2]string{c, args[i]})
		default:
			return nil, fmt.Errorf("Match: unsupported criterion %q (supported: All, User, Group, Address, Host, LocalAddress, LocalPort)", args[i])
		}
	}
	return crit, nil
}

func (m *matchBlock) matches(ci ConnInfo) bool {
	for _, c := range m.criteria {
		switch c[0] {
		case "all":
		case "user":
			if !MatchPatternList(ci.User, c[1]) {
				return false
			}
		case "group":
			ok := false
			for _, g := range ci.Groups {
				if MatchPatternList(g, c[1]) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		case "address":
			if !MatchAddressList(ci.Address, c[1]) {
				return false
			}
		case "host":
			if !MatchPatternList(ci.Host, c[1]) {
				return false
			}
		case "localaddress":
			if !MatchAddressList(ci.LocalAddr, c[1]) {
				return false
			}
		case "localport":
			if !MatchPatternList(fmt.Sprint(ci.LocalPort), c[1]) {
				return false
			}
		}
	}
	return true
}

// ForConnection returns the configuration in force for one connection: the
// global settings overridden by the Match blocks that match it (within the
// Match blocks, the first value obtained wins, as in OpenSSH).
func (c *Config) ForConnection(ci ConnInfo) *Config {
	if len(c.matches) == 0 {
		return c
	}
	out := c.clone()
	out.set = map[string]bool{}
	for _, m := range c.matches {
		if !m.matches(ci) {
			continue
		}
		for _, d := range m.body {
			// Errors were reported when parsing; apply cannot fail here.
			_ = out.apply(d, true)
		}
	}
	return out
}

// HasMatch reports whether the configuration has Match blocks, so that a
// caller knows whether group membership needs to be looked up.
func (c *Config) HasMatch() bool { return len(c.matches) > 0 }
