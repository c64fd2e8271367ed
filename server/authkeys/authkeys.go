// Package authkeys parses OpenSSH authorized_keys files (sshd(8),
// "AUTHORIZED_KEYS FILE FORMAT") including the key options that restrict
// what a key may do: command=, from=, restrict, no-pty, no-port-forwarding,
// no-agent-forwarding, permitopen=, permitlisten=, environment=,
// expiry-time=, cert-authority and principals=.
package authkeys

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Options are the restrictions and settings of one authorized_keys line.
type Options struct {
	// Command is the forced command (command="..."); HasCommand tells an
	// empty forced command from none.
	Command    string
	HasCommand bool
	// From is the pattern list of from="..." (empty: any source).
	From string
	// NoPTY, NoPortForwarding, NoAgentForwarding, NoX11Forwarding and
	// NoUserRC are the no-* options (all set by restrict).
	NoPTY             bool
	NoPortForwarding  bool
	NoAgentForwarding bool
	NoX11Forwarding   bool
	NoUserRC          bool
	// PermitOpen and PermitListen are the permitopen= and permitlisten=
	// host:port entries (empty: no restriction beyond the server's).
	PermitOpen   []string
	PermitListen []string
	// Environment is the NAME=value list of environment= options.
	Environment []string
	// Expiry is the expiry-time= instant (zero: never).
	Expiry time.Time
	// CertAuthority marks the key as a CA for user certificates.
	CertAuthority bool
	// Principals is the principals= list for cert-authority lines.
	Principals []string
}

// Entry is one usable authorized_keys line.
type Entry struct {
	Key     ssh.PublicKey
	Comment string
	Options Options
	Line    int
}

// LineError is a line that could not be parsed; it grants nothing.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// maxLine bounds the length of a line, as OpenSSH's SSH_MAX_PUBKEY_BYTES does.
const maxLine = 16384 * 2

// Parse parses an authorized_keys file. Lines that are empty or comments
// are skipped; lines with errors are returned as LineErrors and grant
// nothing.
func Parse(data []byte) ([]Entry, []*LineError) {
	var entries []Entry
	var errs []*LineError
	for n, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if len(line) > maxLine {
			errs = append(errs, &LineError{n + 1, fmt.Errorf("line too long")})
			continue
		}
		key, comment, opts, _, err := ssh.ParseAuthorizedKey(line)
		if err != nil {
			errs = append(errs, &LineError{n + 1, err})
			continue
		}
		o, err := ParseOptions(opts)
		if err != nil {
			errs = append(errs, &LineError{n + 1, err})
			continue
		}
		entries = append(entries, Entry{Key: key, Comment: comment, Options: o, Line: n + 1})
	}
	return entries, errs
}

// ParseOptions parses the options of one line as returned by
// ssh.ParseAuthorizedKey. An unknown option makes the whole line invalid,
// as in OpenSSH.
func ParseOptions(raw []string) (Options, error) {
	var o Options
	for _, r := range raw {
		name, val, hasVal := strings.Cut(r, "=")
		name = strings.ToLower(name)
		if hasVal {
			v, err := unquote(val)
			if err != nil {
				return o, fmt.Errorf("option %s: %w", name, err)
			}
			val = v
		}
		need := func() error {
			if !hasVal {
				return fmt.Errorf("option %s needs a value", name)
			}
			return nil
		}
		switch name {
		case "restrict":
			o.NoPTY, o.NoPortForwarding, o.NoAgentForwarding, o.NoX11Forwarding, o.NoUserRC = true, true, true, true, true
		case "no-pty":
			o.NoPTY = true
		case "pty":
			o.NoPTY = false
		case "no-port-forwarding":
			o.NoPortForwarding = true
		case "port-forwarding":
			o.NoPortForwarding = false
		case "no-agent-forwarding":
			o.NoAgentForwarding = true
		case "agent-forwarding":
			o.NoAgentForwarding = false
		case "no-x11-forwarding":
			o.NoX11Forwarding = true
		case "x11-forwarding":
			o.NoX11Forwarding = false
		case "no-user-rc":
			o.NoUserRC = true
		case "user-rc":
			o.NoUserRC = false
		case "no-touch-required", "verify-required":
			// Security-key flags: pqsshd does not accept sk keys' relaxed
			// modes, so these change nothing.
		case "cert-authority":
			o.CertAuthority = true
		case "command":
			if err := need(); err != nil {
				return o, err
			}
			if o.HasCommand {
				return o, fmt.Errorf("duplicate command= option")
			}
			o.Command, o.HasCommand = val, true
		case "from":
			if err := need(); err != nil {
				return o, err
			}
			o.From = val
		case "permitopen", "permitlisten":
			if err := need(); err != nil {
				return o, err
			}
			if !strings.Contains(val, ":") {
				return o, fmt.Errorf("%s=%q: expected host:port", name, val)
			}
			if name == "permitopen" {
				o.PermitOpen = append(o.PermitOpen, val)
			} else {
				o.PermitListen = append(o.PermitListen, val)
			}
		case "environment":
			if err := need(); err != nil {
				return o, err
			}
			k, _, ok := strings.Cut(val, "=")
			if !ok || k == "" {
				return o, fmt.Errorf("environment=%q: expected NAME=value", val)
			}
			o.Environment = append(o.Environment, val)
		case "expiry-time":
			if err := need(); err != nil {
				return o, err
			}
			t, err := parseExpiry(val)
			if err != nil {
				return o, err
			}
			o.Expiry = t
		case "principals":
			if err := need(); err != nil {
				return o, err
			}
			o.Principals = strings.Split(val, ",")
		default:
			return o, fmt.Errorf("unsupported option %q", name)
		}
	}
	return o, nil
}

// unquote strips the double quotes of an option value and its \" escapes.
func unquote(v string) (string, error) {
	if !strings.HasPrefix(v, `"`) {
		return v, nil
	}
	if len(v) < 2 || !strings.HasSuffix(v, `"`) {
		return "", fmt.Errorf("unterminated quote")
	}
	return strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`), nil
}

// parseExpiry parses expiry-time's YYYYMMDD[HHMM[SS]][Z] (local time unless
// Z, meaning UTC).
func parseExpiry(v string) (time.Time, error) {
	loc := time.Local
	if strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
		v, loc = v[:len(v)-1], time.UTC
	}
	layouts := map[int]string{8: "20060102", 12: "200601021504", 14: "20060102150405"}
	l, ok := layouts[len(v)]
	if !ok {
		return time.Time{}, fmt.Errorf("expiry-time %q: expected YYYYMMDD[HHMM[SS]][Z]", v)
	}
	t, err := time.ParseInLocation(l, v, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("expiry-time %q: %w", v, err)
	}
	return t, nil
}

// ExpandPath expands the tokens of AuthorizedKeysFile: %h (home), %u (user
// name), %U (numeric uid), %% (a percent sign). A relative result is taken
// relative to the home directory.
func ExpandPath(pattern, user, home string, uid int) (string, error) {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(pattern) {
			return "", fmt.Errorf("%q: trailing %%", pattern)
		}
		i++
		switch pattern[i] {
		case 'h':
			b.WriteString(home)
		case 'u':
			b.WriteString(user)
		case 'U':
			fmt.Fprint(&b, uid)
		case '%':
			b.WriteByte('%')
		default:
			return "", fmt.Errorf("%q: unknown token %%%c", pattern, pattern[i])
		}
	}
	p := b.String()
	if !strings.HasPrefix(p, "/") {
		p = strings.TrimSuffix(home, "/") + "/" + p
	}
	return p, nil
}
