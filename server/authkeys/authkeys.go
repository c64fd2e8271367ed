// Package authkeys parses OpenSSH authorized_keys files (sshd(8),
// "AUTHORIZED_KEYS FILE FORMAT") including the key options that restrict
// what a key may do: command=, from=, restrict, no-pty, no-port-forwarding,
// no-agent-forwarding, permitopen=, permitlisten=, environment=,
// expiry-time=, cert-authority and principals=.
package authkeys

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pqssh/pqssh/internal/sshconf"
	"golang.org/x/crypto/ssh"
)

// Options are the restrictions and settings of one authorized_keys line.
type Options struct {
	// Command is the forced command (command="..."); HasCommand tells an
	// empty forced command from none.
	Command    string
	HasCommand bool
	// From is the pattern list of from="..."; HasFrom tells from="" (which
	// admits no address, as in OpenSSH) from no from= option. FromAllows
	// evaluates it.
	From    string
	HasFrom bool
	// NoPTY, NoPortForwarding, NoAgentForwarding, NoX11Forwarding and
	// NoUserRC are the no-* options (all set by restrict).
	NoPTY             bool
	NoPortForwarding  bool
	NoAgentForwarding bool
	NoX11Forwarding   bool
	NoUserRC          bool
	// Restrict is set by the restrict option.
	Restrict bool
	// PermitOpen and PermitListen are the permitopen= and permitlisten=
	// entries as "host:port" ("[v6]:port" for IPv6 hosts; port "*" for any,
	// a service name resolved to its number; a bare permitlisten port
	// becomes "*:port"). Empty: no restriction beyond the server's.
	PermitOpen   []string
	PermitListen []string
	// Environment is the NAME=value list of environment= options; of
	// several values for one name the first is kept.
	Environment []string
	// Expiry is the earliest expiry-time= instant (zero: never).
	Expiry time.Time
	// CertAuthority marks the key as a CA for user certificates.
	CertAuthority bool
	// Principals is the principals= list; only valid with cert-authority.
	Principals []string
	// NoTouchRequired and VerifyRequired are the security-key options
	// (no-touch-required, verify-required and their negations).
	NoTouchRequired bool
	VerifyRequired  bool
	// Tunnel is the tunnel= device ("any" or a number). pqsshd has no tun
	// forwarding; the option is accepted and checked as OpenSSH does.
	Tunnel string
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

// Limits of OpenSSH's auth-options.h: how many permitopen/permitlisten and
// environment options one line may have.
const (
	maxPermits = 4096
	maxEnv     = 1024
)

// maxHost is NI_MAXHOST: a permitopen/permitlisten host must be shorter.
const maxHost = 1025

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
		e, err := parseLine(string(line))
		if err != nil {
			errs = append(errs, &LineError{n + 1, err})
			continue
		}
		e.Line = n + 1
		entries = append(entries, e)
	}
	return entries, errs
}

// parseLine parses one line as OpenSSH's auth_check_authkey_line does: a
// key at the start of the line, or else an options field (up to the first
// space or tab outside double quotes) followed by the key.
func parseLine(line string) (Entry, error) {
	if key, comment, err := parseKey(line); err == nil {
		return Entry{Key: key, Comment: comment}, nil
	}
	end, err := optionsEnd(line)
	if err != nil {
		return Entry{}, err
	}
	key, comment, err := parseKey(strings.TrimLeft(line[end:], " \t"))
	if err != nil {
		return Entry{}, fmt.Errorf("no key after the options: %w", err)
	}
	o, err := ParseOptions(line[:end])
	if err != nil {
		return Entry{}, err
	}
	return Entry{Key: key, Comment: comment, Options: o}, nil
}

// parseKey parses "type base64 [comment]" with no options before it.
func parseKey(s string) (ssh.PublicKey, string, error) {
	key, comment, opts, _, err := ssh.ParseAuthorizedKey([]byte(s))
	if err != nil {
		return nil, "", err
	}
	typ, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	typ, _, _ = strings.Cut(typ, "\t")
	if len(opts) > 0 || typ != key.Type() {
		return nil, "", fmt.Errorf("line does not start with a key")
	}
	return key, comment, nil
}

// optionsEnd returns the length of the options field at the start of line:
// up to the first space or tab outside double quotes, where \" does not
// open or close a quote (OpenSSH's sshkey_advance_past_options).
func optionsEnd(line string) (int, error) {
	quoted := false
	i := 0
	for ; i < len(line) && (quoted || (line[i] != ' ' && line[i] != '\t')); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '"':
			i++
		case line[i] == '"':
			quoted = !quoted
		}
	}
	if quoted && i >= len(line) {
		return 0, fmt.Errorf("invalid key option string: missing end quote")
	}
	return i, nil
}

// flagOptions are the options without a value, as OpenSSH's sshauthopt_parse
// knows them, and whether a "no-" prefix negates them.
var flagOptions = []struct {
	name      string
	negatable bool
}{
	{"restrict", false},
	{"cert-authority", false},
	{"port-forwarding", true},
	{"agent-forwarding", true},
	{"x11-forwarding", true},
	{"touch-required", true},
	{"verify-required", true},
	{"pty", true},
	{"user-rc", true},
}

// ParseOptions parses the options field of one line (the text before the
// key), exactly as OpenSSH's sshauthopt_parse does: option names are
// case-insensitive; values are always in double quotes, where \" stands
// for a quote; an option is followed by a comma or the end; empty options
// between commas are skipped. A line with an unknown, malformed or
// repeated command=, from= or principals= option is invalid, as is
// principals= without cert-authority (which OpenSSH refuses when the key
// is used).
func ParseOptions(s string) (Options, error) {
	var o Options
	hasPrincipals := false
	for s != "" && s[0] != ' ' && s[0] != '\t' {
		name, rest := optionName(s)
		lname := strings.ToLower(name)
		if on, ok := flagValue(lname); ok {
			o.setFlag(strings.TrimPrefix(lname, "no-"), on)
			s = rest
		} else if name == "" && s[0] == ',' {
			// OpenSSH skips an empty option (a comma where an option
			// would start).
		} else if !valueOption(lname) || rest == "" || rest[0] != '=' {
			return o, fmt.Errorf("unknown key option %q", name)
		} else {
			val, after, err := dequote(rest[1:])
			if err != nil {
				return o, fmt.Errorf("option %s: %w", lname, err)
			}
			s = after
			switch lname {
			case "command":
				if o.HasCommand {
					return o, fmt.Errorf("multiple \"command\" clauses")
				}
				o.Command, o.HasCommand = val, true
			case "principals":
				if hasPrincipals {
					return o, fmt.Errorf("multiple \"principals\" clauses")
				}
				o.Principals, hasPrincipals = strings.Split(val, ","), true
			case "from":
				if o.HasFrom {
					return o, fmt.Errorf("multiple \"from\" clauses")
				}
				o.From, o.HasFrom = val, true
			case "expiry-time":
				t, err := parseExpiry(val)
				if err != nil {
					return o, err
				}
				if o.Expiry.IsZero() || t.Before(o.Expiry) {
					o.Expiry = t
				}
			case "environment":
				if err := o.addEnv(val); err != nil {
					return o, err
				}
			case "permitopen", "permitlisten":
				list := &o.PermitOpen
				if lname == "permitlisten" {
					list = &o.PermitListen
				}
				if len(*list) > maxPermits {
					return o, fmt.Errorf("too many permission directives")
				}
				p, err := parsePermit(val, lname == "permitlisten")
				if err != nil {
					return o, fmt.Errorf("%s=%q: %w", lname, val, err)
				}
				*list = append(*list, p)
			case "tunnel":
				if !validTunnel(val) {
					return o, fmt.Errorf("tunnel=%q: invalid tun device", val)
				}
				o.Tunnel = val
			}
		}
		if s == "" || s[0] == ' ' || s[0] == '\t' {
			break
		}
		if s[0] != ',' {
			return o, fmt.Errorf("unknown key option: %q after %s", s[0], lname)
		}
		s = s[1:]
	}
	if hasPrincipals && !o.CertAuthority {
		return o, fmt.Errorf("principals on non-CA key")
	}
	return o, nil
}

// optionName splits s into the option name (up to '=', ',', space, tab
// or a quote) and the rest.
func optionName(s string) (name, rest string) {
	i := strings.IndexAny(s, "=, \t\"")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// flagValue reports whether lname is a flag option, and its value: false
// for a negated ("no-") form.
func flagValue(lname string) (on, ok bool) {
	for _, f := range flagOptions {
		if lname == f.name {
			return true, true
		}
		if f.negatable && lname == "no-"+f.name {
			return false, true
		}
	}
	return false, false
}

// valueOption reports whether lname is an option that takes a value.
func valueOption(lname string) bool {
	switch lname {
	case "command", "principals", "from", "expiry-time", "environment", "permitopen", "permitlisten", "tunnel":
		return true
	}
	return false
}

// setFlag applies the flag option name with value on.
func (o *Options) setFlag(name string, on bool) {
	switch name {
	case "restrict":
		o.Restrict = true
		o.NoPTY, o.NoPortForwarding, o.NoAgentForwarding, o.NoX11Forwarding, o.NoUserRC = true, true, true, true, true
	case "cert-authority":
		o.CertAuthority = true
	case "port-forwarding":
		o.NoPortForwarding = !on
	case "agent-forwarding":
		o.NoAgentForwarding = !on
	case "x11-forwarding":
		o.NoX11Forwarding = !on
	case "touch-required":
		o.NoTouchRequired = !on
	case "verify-required":
		o.VerifyRequired = on
	case "pty":
		o.NoPTY = !on
	case "user-rc":
		o.NoUserRC = !on
	}
}

// dequote reads a double-quoted value at the start of s, where \" stands
// for a quote (OpenSSH's opt_dequote), and returns it and what follows.
func dequote(s string) (val, rest string, err error) {
	if s == "" || s[0] != '"' {
		return "", "", fmt.Errorf("missing start quote")
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '"':
			return b.String(), s[i+1:], nil
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '"':
			i++
		}
		b.WriteByte(s[i])
	}
	return "", "", fmt.Errorf("missing end quote")
}

// addEnv records an environment="NAME=value" option: NAME must be
// letters, digits and underscores; the first value of a name wins.
func (o *Options) addEnv(val string) error {
	if len(o.Environment) > maxEnv {
		return fmt.Errorf("too many environment strings")
	}
	name, _, ok := strings.Cut(val, "=")
	if !ok || !validEnvName(name) {
		return fmt.Errorf("environment=%q: invalid environment string", val)
	}
	for _, e := range o.Environment {
		if strings.HasPrefix(e, name+"=") {
			return nil
		}
	}
	o.Environment = append(o.Environment, val)
	return nil
}

func validEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// parsePermit checks a permitopen/permitlisten value as OpenSSH's
// handle_permit does — host, then ':' or '/', then a port that is '*',
// 1-65535 or a service name; a host in brackets may hold colons; a bare
// port is allowed for permitlisten — and returns it as "host:port".
func parsePermit(v string, bareListenPort bool) (string, error) {
	if bareListenPort && !strings.Contains(v, ":") {
		v = "*:" + v
	}
	var host, port string
	if strings.HasPrefix(v, "[") {
		i := strings.IndexByte(v, ']')
		if i < 0 {
			return "", fmt.Errorf("invalid permission hostname")
		}
		// OpenSSH measures the host with its brackets.
		if i+1 >= maxHost {
			return "", fmt.Errorf("invalid permission hostname")
		}
		host, port = v[1:i], v[i+1:]
		if port == "" {
			return "", fmt.Errorf("invalid permission port")
		}
		if port[0] != ':' && port[0] != '/' {
			return "", fmt.Errorf("invalid permission hostname")
		}
		port = port[1:]
	} else {
		i := strings.IndexAny(v, ":/")
		if i < 0 {
			return "", fmt.Errorf("invalid permission port")
		}
		host, port = v[:i], v[i+1:]
	}
	if len(host) >= maxHost {
		return "", fmt.Errorf("invalid permission hostname")
	}
	if port != "*" {
		n, err := lookupPort(port)
		if err != nil || n <= 0 {
			return "", fmt.Errorf("invalid permission port")
		}
		port = strconv.Itoa(n)
	}
	return net.JoinHostPort(host, port), nil
}

// lookupPort is OpenSSH's a2port: a decimal number 0-65535 or a TCP
// service name.
func lookupPort(s string) (int, error) {
	if s != "" && strings.Trim(s, "0123456789") == "" {
		n, err := strconv.Atoi(s)
		if err != nil || n > 65535 {
			return 0, fmt.Errorf("port %q out of range", s)
		}
		return n, nil
	}
	if s == "" {
		return 0, fmt.Errorf("empty port")
	}
	n, err := net.LookupPort("tcp", s)
	if err != nil {
		return 0, fmt.Errorf("port %q: %w", s, err)
	}
	return n, nil
}

// validTunnel is OpenSSH's a2tun for tunnel=: "any" or 0 to 0x7ffffffd.
func validTunnel(s string) bool {
	if strings.EqualFold(s, "any") {
		return true
	}
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n <= 0x7fffffff-2
}

// parseExpiry parses expiry-time's YYYYMMDD[HHMM[SS]] with an optional Z or
// UTC suffix (any case) meaning UTC, else local time. As with OpenSSH's
// strptime, out-of-range days roll over (February 30th is March 2nd);
// instants before 1970 are refused.
func parseExpiry(v string) (time.Time, error) {
	loc := time.Local
	s := v
	switch {
	case len(s) > 1 && strings.EqualFold(s[len(s)-1:], "Z"):
		s, loc = s[:len(s)-1], time.UTC
	case len(s) > 3 && strings.EqualFold(s[len(s)-3:], "UTC"):
		s, loc = s[:len(s)-3], time.UTC
	}
	bad := fmt.Errorf("expiry-time %q: invalid expires time (YYYYMMDD[HHMM[SS]][Z])", v)
	if (len(s) != 8 && len(s) != 12 && len(s) != 14) || strings.Trim(s, "0123456789") != "" {
		return time.Time{}, bad
	}
	num := func(i, n int) int { x, _ := strconv.Atoi(s[i : i+n]); return x }
	year, month, day := num(0, 4), num(4, 2), num(6, 2)
	var hour, minute, sec int
	if len(s) >= 12 {
		hour, minute = num(8, 2), num(10, 2)
	}
	if len(s) == 14 {
		sec = num(12, 2)
	}
	// strptime's ranges: %m 1-12, %d 1-31, %H 0-23, %M 0-59, %S 0-60.
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, bad
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc)
	if t.Unix() <= 0 {
		return time.Time{}, bad
	}
	return t, nil
}

// Authorise checks the line's from= and expiry-time= options for a client
// at address ip at time now, as OpenSSH's auth_authorise_keyopts does; the
// error says why the line may not be used.
func (o *Options) Authorise(ip string, now time.Time) error {
	if !o.Expiry.IsZero() && now.After(o.Expiry) {
		return fmt.Errorf("key expired at %s (expiry-time)", o.Expiry.Format(time.RFC3339))
	}
	if !o.FromAllows(ip) {
		return fmt.Errorf("source %s not allowed by from=%q", ip, o.From)
	}
	return nil
}

// FromAllows reports whether a client at address ip may use the line,
// following its from= option as OpenSSH's match_host_and_ip does (pqsshd
// does no DNS, so the host name is the address): patterns are
// comma-separated, '!' negates one, an entry is a CIDR network or an
// address or name with '*' and '?' wildcards. A negated match, an empty
// entry (so also from=""), or a malformed network such as 192.0.2.1/24
// denies, as does an ip that is not an address. Without from=, every
// address is allowed.
func (o *Options) FromAllows(ip string) bool {
	if !o.HasFrom {
		return true
	}
	if _, err := netip.ParseAddr(ip); err != nil {
		// sshd always has the peer's address; without one, deny.
		return false
	}
	mip := sshconf.AddrMatchList(ip, o.From)
	if mip == -2 || mip == -1 {
		return false
	}
	mhost := sshconf.MatchList(strings.ToLower(ip), strings.ToLower(o.From))
	return mhost != -1 && (mhost == 1 || mip == 1)
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
