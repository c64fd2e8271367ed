package config

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pqssh/pqssh/internal/sshconf"
)

// option describes one keyword: how its arguments are parsed into typed
// fields of Config, and how -T prints them.
type option struct {
	name  string // canonical spelling, for messages and -T
	match bool   // allowed inside Match
	multi bool   // values accumulate instead of first-wins
	// set parses args into c. Multi options append.
	set func(c *Config, args []string) error
	// reset empties a multi option's value, for a Match block that
	// replaces the global list.
	reset func(c *Config)
	dump  func(c *Config) []string // lines for -T, without the keyword
	// notice, if set, returns the notice a valid value earns (see
	// Config.Notices), or "".
	notice func(args []string) string
	// aliases are other names of the keyword (PubkeyAcceptedKeyTypes).
	aliases []string
}

// listenDump is ListenAddress as sshd -T prints it: one host:port per
// address and port, the wildcard addresses of AddressFamily when the
// configuration names none.
func (c *Config) listenDump() []string {
	addrs := c.ListenAddresses
	if len(addrs) == 0 {
		switch c.AddressFamily {
		case "inet":
			addrs = []string{"0.0.0.0"}
		case "inet6":
			addrs = []string{"::"}
		default:
			addrs = []string{"::", "0.0.0.0"}
		}
	}
	var out []string
	for _, a := range addrs {
		if h, p, err := net.SplitHostPort(a); err == nil {
			out = append(out, net.JoinHostPort(h, p))
			continue
		}
		for _, p := range c.Ports {
			out = append(out, net.JoinHostPort(strings.Trim(a, "[]"), strconv.Itoa(p)))
		}
	}
	return out
}

// fixedValue is a keyword pqsshd accepts only with the value that
// describes its behaviour (so that common configurations load); any other
// value is refused with the reason why.
func fixedValue(name, value, why string) *option {
	return &option{name: name, match: true,
		set: func(_ *Config, a []string) error {
			if len(a) != 1 || !strings.EqualFold(a[0], value) {
				return fmt.Errorf("%s %s is not supported: %s (only %q is accepted)", name, strings.Join(a, " "), why, value)
			}
			return nil
		},
		dump: func(*Config) []string { return []string{strings.ToLower(value)} }}
}

// noticedFlag is a yes/no keyword that pqsshd accepts with either value so
// that stock configurations load (Debian's sets UsePAM yes and
// X11Forwarding yes), although "yes" has no effect yet: a "yes" adds the
// notice to Config.Notices, which pqsshd logs at start-up and -t prints.
func noticedFlag(name string, get func(*Config) *bool, notice string) *option {
	return &option{name: name, match: true,
		set: func(c *Config, a []string) error {
			v, err := parseYesNo(a)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			*get(c) = v
			return nil
		},
		notice: func(a []string) string {
			if v, err := parseYesNo(a); err == nil && v {
				return name + " yes: " + notice
			}
			return ""
		},
		dump: func(c *Config) []string {
			if *get(c) {
				return []string{"yes"}
			}
			return []string{"no"}
		}}
}

// withAliases gives o other names it is also known by.
func withAliases(o *option, names ...string) *option {
	o.aliases = names
	return o
}

// DefaultPenalties are OpenSSH 9.8's PerSourcePenalties defaults.
func DefaultPenalties() Penalties {
	return Penalties{Enabled: true, Crash: 90 * time.Second, AuthFail: 5 * time.Second, NoAuth: time.Second, GraceExceeded: 10 * time.Second,
		Min: 15 * time.Second, Max: 600 * time.Second, MaxSources: 65536}
}

// parsePenalties parses PerSourcePenalties: yes, no, or key:value
// settings (authfail, noauth, grace-exceeded, crash, min, max as times;
// max-sources4, max-sources6 as counts; overflow and overflow6 only
// "permissive").
func parsePenalties(a []string) (Penalties, error) {
	p := DefaultPenalties()
	if len(a) == 1 && (strings.EqualFold(a[0], "yes") || strings.EqualFold(a[0], "no")) {
		p.Enabled = strings.EqualFold(a[0], "yes")
		return p, nil
	}
	if len(a) == 0 {
		return p, fmt.Errorf("PerSourcePenalties: missing argument")
	}
	for _, kv := range a {
		k, v, ok := strings.Cut(kv, ":")
		if !ok {
			return p, fmt.Errorf("PerSourcePenalties: expected key:value, not %q", kv)
		}
		var d *time.Duration
		switch strings.ToLower(k) {
		case "authfail":
			d = &p.AuthFail
		case "noauth":
			d = &p.NoAuth
		case "grace-exceeded":
			d = &p.GraceExceeded
		case "crash":
			d = &p.Crash
		case "min":
			d = &p.Min
		case "max":
			d = &p.Max
		case "max-sources4", "max-sources6":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return p, fmt.Errorf("PerSourcePenalties: bad %s %q", k, v)
			}
			p.MaxSources = n
			continue
		case "overflow", "overflow6":
			if v != "permissive" {
				return p, fmt.Errorf("PerSourcePenalties: %s:%s is not supported (only permissive)", k, v)
			}
			continue
		default:
			return p, fmt.Errorf("PerSourcePenalties: unknown setting %q", k)
		}
		t, err := sshconf.ParseTime(v)
		if err != nil {
			return p, fmt.Errorf("PerSourcePenalties %s: %w", k, err)
		}
		*d = t
	}
	return p, nil
}

// parseYesNo parses the one argument of a yes/no keyword.
func parseYesNo(a []string) (bool, error) {
	if len(a) != 1 {
		return false, fmt.Errorf("expected yes or no")
	}
	return sshconf.ParseYesNo(a[0])
}

func parseMaxStartups(s string) (MaxStartups, error) {
	parts := strings.Split(s, ":")
	var n []int
	for _, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return MaxStartups{}, fmt.Errorf("MaxStartups: bad value %q", s)
		}
		n = append(n, v)
	}
	switch len(n) {
	case 1:
		return MaxStartups{n[0], 100, n[0]}, nil
	case 3:
		if n[0] > n[2] || n[1] > 100 || n[1] < 1 {
			return MaxStartups{}, fmt.Errorf("MaxStartups: need start <= full and 1 <= rate <= 100 in %q", s)
		}
		return MaxStartups{n[0], n[1], n[2]}, nil
	}
	return MaxStartups{}, fmt.Errorf("MaxStartups: expected start or start:rate:full, not %q", s)
}

// SplitHostPort splits a PermitOpen-style "host:port" (or "[v6]:port") where
// port may be '*'.
func SplitHostPort(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		i := strings.Index(s, "]:")
		if i < 0 {
			return "", "", fmt.Errorf("bad host:port %q", s)
		}
		return s[1:i], s[i+2:], nil
	}
	i := strings.LastIndex(s, ":")
	if i <= 0 || i == len(s)-1 {
		return "", "", fmt.Errorf("bad host:port %q", s)
	}
	host, port = s[:i], s[i+1:]
	if port != "*" {
		if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			return "", "", fmt.Errorf("bad port in %q", s)
		}
	}
	return host, port, nil
}

// The constructors of the common kinds of option in the keyword table.

// dumpString prints a string field.
func dumpString(get func(*Config) *string) func(*Config) []string {
	return func(c *Config) []string { return []string{*get(c)} }
}

// dumpList prints a list field.
func dumpList(get func(*Config) *[]string) func(*Config) []string {
	return func(c *Config) []string { return *get(c) }
}

// yesno is a yes/no keyword stored in a bool field.
func yesno(name string, match bool, get func(*Config) *bool) *option {
	return &option{name: name, match: match,
		set: func(c *Config, a []string) error {
			v, err := parseYesNo(a)
			*get(c) = v
			return err
		},
		dump: func(c *Config) []string {
			if *get(c) {
				return []string{"yes"}
			}
			return []string{"no"}
		}}
}

// choice is a keyword taking one of allowed (any case), stored lower-case.
func choice(name string, match bool, get func(*Config) *string, allowed ...string) *option {
	return &option{name: name, match: match,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("%s takes one argument", name)
			}
			v := strings.ToLower(a[0])
			if !slices.Contains(allowed, v) {
				return fmt.Errorf("%s: unsupported value %q (one of %s)", name, a[0], strings.Join(allowed, ", "))
			}
			*get(c) = v
			return nil
		},
		dump: dumpString(get)}
}

// integer is a keyword taking a non-negative decimal number.
func integer(name string, match bool, get func(*Config) *int) *option {
	return &option{name: name, match: match,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("%s takes one argument", name)
			}
			n, err := strconv.Atoi(a[0])
			if err != nil || n < 0 {
				return fmt.Errorf("%s: bad number %q", name, a[0])
			}
			*get(c) = n
			return nil
		},
		dump: func(c *Config) []string { return []string{strconv.Itoa(*get(c))} }}
}

// duration is a keyword taking a time (sshconf.ParseTime).
func duration(name string, match bool, get func(*Config) *time.Duration) *option {
	return &option{name: name, match: match,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("%s takes one argument", name)
			}
			d, err := sshconf.ParseTime(a[0])
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			*get(c) = d
			return nil
		},
		dump: func(c *Config) []string { return []string{strconv.Itoa(int(get(c).Seconds()))} }}
}

// accumulate is a list keyword whose lines add to the list; in a Match
// block the list replaces the global one.
func accumulate(name string, match bool, get func(*Config) *[]string) *option {
	return &option{name: name, match: match, multi: true,
		reset: func(c *Config) { *get(c) = nil },
		set: func(c *Config, a []string) error {
			if len(a) == 0 {
				return fmt.Errorf("%s: missing argument", name)
			}
			*get(c) = append(*get(c), a...)
			return nil
		},
		dump: dumpList(get)}
}

// algos is an algorithm-list keyword of the kind (sshconf.AssembleAlgorithms
// over pqsshd's defaults).
func algos(name string, kind sshconf.AlgoKind, get func(*Config) *[]string) *option {
	return &option{name: name,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("%s takes one comma-separated list", name)
			}
			v, err := sshconf.AssembleAlgorithms(kind, a[0], sshconf.ServerDefaults(kind), sshconf.KnownAlgorithms(kind))
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			*get(c) = v
			return nil
		},
		dump: func(c *Config) []string { return []string{strings.Join(*get(c), ",")} }}
}

// onlyNo is a yes/no keyword of which pqsshd supports only no, for why.
func onlyNo(name, why string, get func(*Config) *bool) *option {
	return &option{name: name, match: true,
		set: func(c *Config, a []string) error {
			v, err := parseYesNo(a)
			if err != nil {
				return err
			}
			if v {
				return fmt.Errorf("%s yes is not supported: %s", name, why)
			}
			return nil
		},
		dump: func(c *Config) []string { return []string{"no"} }}
}

// permitList is PermitOpen or PermitListen: host:port entries, any or none.
func permitList(name string, get func(*Config) *[]string) *option {
	return &option{name: name, match: true,
		set: func(c *Config, a []string) error {
			if len(a) == 0 {
				return fmt.Errorf("%s: missing argument", name)
			}
			for _, v := range a {
				if (v == "any" || v == "none") && len(a) > 1 {
					return fmt.Errorf("%s: %q must stand alone", name, v)
				}
				if name == "PermitListen" && !strings.Contains(v, ":") {
					if _, err := strconv.Atoi(v); err != nil && v != "*" {
						return fmt.Errorf("%s: bad port %q", name, v)
					}
					continue
				}
				if v != "any" && v != "none" {
					if _, _, err := SplitHostPort(v); err != nil {
						return fmt.Errorf("%s: %w", name, err)
					}
				}
			}
			*get(c) = slices.Clone(a)
			return nil
		},
		dump: func(c *Config) []string { return []string{strings.Join(*get(c), " ")} }}
}

// single is a keyword taking one argument, stored as it is.
func single(name string, match bool, get func(*Config) *string) *option {
	return &option{name: name, match: match,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("%s takes one argument", name)
			}
			*get(c) = a[0]
			return nil
		},
		dump: dumpString(get)}
}

// command is AuthorizedKeysCommand or AuthorizedPrincipalsCommand: none,
// or an absolute path and its arguments.
func command(name string, get func(*Config) *string) *option {
	return &option{name: name, match: true,
		set: func(c *Config, a []string) error {
			if len(a) == 0 {
				return fmt.Errorf("%s: missing argument", name)
			}
			if a[0] != "none" && !strings.HasPrefix(a[0], "/") {
				return fmt.Errorf("%s %q must be an absolute path", name, a[0])
			}
			*get(c) = strings.Join(a, " ")
			return nil
		},
		dump: dumpString(get)}
}
