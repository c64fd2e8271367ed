// Package config reads ssh_config(5) files and -o options the way
// OpenSSH's ssh does: Host and Match blocks, first value wins, Include,
// tokens, and algorithm lists with the +, - and ^ modifiers.
//
// Parse errors name the file and line ("file:line: ..."), and keywords
// OpenSSH does not know are errors unless listed in IgnoreUnknown. Every
// keyword OpenSSH knows is accepted: the ones pqssh does not implement are
// ignored when that is safe (see docs/ssh-options.md).
package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxIncludeDepth bounds nested Include directives, as OpenSSH's
// READCONF_MAX_DEPTH.
const maxIncludeDepth = 16

// Context is the state Host and Match blocks are evaluated against.
type Context struct {
	// Host is the host name as given on the command line, lowercased.
	Host string
	// LocalUser and Home describe the user running pqssh.
	LocalUser, Home string
	// Command is the remote command, for "Match command".
	Command string
	// SessionType is "shell", "exec", "subsystem" or "none", for
	// "Match sessiontype".
	SessionType string
	// Version is pqssh's version string, for "Match version".
	Version string
	// Exec runs a "Match exec" command and reports whether it exited 0.
	// Nil runs it with /bin/sh -c.
	Exec func(cmd string) bool
	// Warn receives warnings such as deprecated options. Nil discards.
	Warn func(msg string)
}

// Options are the values read so far. The first value of a keyword wins,
// except for the keywords that accumulate (IdentityFile, LocalForward,
// SendEnv, ...).
type Options struct {
	ctx   Context
	vals  map[string][]string
	where map[string]string
	// ignoreUnknown is the IgnoreUnknown pattern list in force.
	ignoreUnknown string
	// order records when each single-valued keyword got its value.
	order map[string]int
	seq   int
}

// NewOptions returns empty Options evaluated against ctx.
func NewOptions(ctx Context) *Options {
	return &Options{ctx: ctx, vals: map[string][]string{}, where: map[string]string{}, order: map[string]int{}}
}

// Context returns the evaluation context.
func (o *Options) Context() Context { return o.ctx }

// Set reports whether key (lowercase) has a value.
func (o *Options) Set(key string) bool { _, ok := o.vals[key]; return ok }

// Values returns the stored arguments of key (lowercase).
func (o *Options) Values(key string) []string { return o.vals[key] }

// Value returns the first stored argument of key, or "".
func (o *Options) Value(key string) string {
	if v := o.vals[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Where returns "file:line" of the value of key, or "".
func (o *Options) Where(key string) string { return o.where[key] }

// ParseOption applies one -o option ("Keyword=value" or "Keyword value").
// Command-line options are applied before any file, so they win.
func (o *Options) ParseOption(s string) error {
	l, ok, err := splitLine(s)
	if err != nil {
		return fmt.Errorf("command-line: %v", err)
	}
	if !ok {
		return nil
	}
	switch strings.ToLower(l.keyword) {
	case "host", "match", "include":
		return fmt.Errorf("command-line: %s is not allowed in -o", l.keyword)
	}
	if err := o.apply(l, true, "command-line"); err != nil {
		return fmt.Errorf("command-line: %v", err)
	}
	return nil
}

// ParseFile reads an ssh_config file. user says whether it is a user file
// (relative Include paths are taken from ~/.ssh) or the system file (from
// /etc/ssh). A missing file is an error only when mustExist.
func (o *Options) ParseFile(path string, user, mustExist bool) error {
	f, err := os.Open(path)
	if err != nil {
		if !mustExist && errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("can't open user config file %s: %w", path, err)
	}
	defer f.Close()
	return o.parse(f, path, user, 0, true)
}

// Parse reads ssh_config text from r; name is used in error messages.
func (o *Options) Parse(r io.Reader, name string, user bool) error {
	return o.parse(r, name, user, 0, true)
}

func (o *Options) parse(r io.Reader, name string, user bool, depth int, outerActive bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	active := outerActive
	n := 0
	for sc.Scan() {
		n++
		where := fmt.Sprintf("%s:%d", name, n)
		l, ok, err := splitLine(sc.Text())
		if err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		if !ok {
			continue
		}
		switch strings.ToLower(l.keyword) {
		case "host":
			if len(l.args) == 0 {
				return fmt.Errorf("%s: Host directive requires an argument", where)
			}
			active = outerActive && MatchList(o.ctx.Host, l.args) == 1
		case "match":
			m, err := o.match(l.args)
			if err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			active = outerActive && m
		case "include":
			if len(l.args) == 0 {
				return fmt.Errorf("%s: Include directive requires an argument", where)
			}
			if depth+1 > maxIncludeDepth {
				return fmt.Errorf("%s: Include nested too deeply", where)
			}
			for _, pat := range l.args {
				if err := o.include(pat, user, depth+1, active); err != nil {
					return fmt.Errorf("%s: %v", where, err)
				}
			}
		default:
			if err := o.apply(l, active, where); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func (o *Options) include(pat string, user bool, depth int, active bool) error {
	pat = expandTilde(pat, o.ctx.Home)
	if !filepath.IsAbs(pat) {
		if user {
			pat = filepath.Join(o.ctx.Home, ".ssh", pat)
		} else {
			pat = filepath.Join("/etc/ssh", pat)
		}
	}
	files, err := filepath.Glob(pat)
	if err != nil {
		return fmt.Errorf("Include %q: %v", pat, err)
	}
	slices.Sort(files)
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return fmt.Errorf("Include: %w", err)
		}
		err = o.parse(fh, f, user, depth, active)
		fh.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// apply stores one keyword line, validating it even in inactive blocks so
// that a bad line is reported wherever it is (as OpenSSH does).
func (o *Options) apply(l line, active bool, where string) error {
	kw, key, ok := lookupKeyword(l.keyword)
	if !ok {
		if o.ignoreUnknown != "" && matchCommaList(strings.ToLower(l.keyword), strings.ToLower(o.ignoreUnknown)) {
			return nil
		}
		return fmt.Errorf("Bad configuration option: %s", strings.ToLower(l.keyword))
	}
	args := l.args
	switch kw.kind {
	case kRaw:
		if l.raw == "" {
			return fmt.Errorf("%s: missing argument", kw.name)
		}
		args = []string{l.raw}
	case kIgnored:
		return nil
	case kDeprecated:
		if o.ctx.Warn != nil {
			o.ctx.Warn(fmt.Sprintf("%s: Deprecated option \"%s\"", where, strings.ToLower(l.keyword)))
		}
		return nil
	default:
		if len(args) == 0 {
			return fmt.Errorf("%s: missing argument", kw.name)
		}
		if err := validate(kw, key, args); err != nil {
			return err
		}
	}
	if key == "ignoreunknown" && active && o.ignoreUnknown == "" {
		o.ignoreUnknown = args[0]
	}
	if !active {
		return nil
	}
	switch kw.kind {
	case kMulti, kMultiArgs, kForward:
		o.vals[key] = append(o.vals[key], args...)
		if kw.kind == kForward {
			// Keep each forward as one "listen connect" element.
			o.vals[key] = append(o.vals[key][:len(o.vals[key])-len(args)], strings.Join(args, " "))
		}
		if _, ok := o.where[key]; !ok {
			o.where[key] = where
		}
	default:
		if _, set := o.vals[key]; !set {
			o.vals[key] = args
			o.where[key] = where
			o.seq++
			o.order[key] = o.seq
		}
	}
	return nil
}

func validate(kw *keyword, key string, args []string) error {
	one := func() error {
		if len(args) != 1 {
			return fmt.Errorf("%s: garbage at end of line", kw.name)
		}
		return nil
	}
	switch kw.kind {
	case kFlag:
		if err := one(); err != nil {
			return err
		}
		if _, err := parseFlag(args[0]); err != nil {
			return fmt.Errorf("%s: %v", kw.name, err)
		}
	case kEnum:
		if err := one(); err != nil {
			return err
		}
		if !slices.Contains(kw.values, strings.ToLower(args[0])) {
			return fmt.Errorf("unsupported option %q for %s", args[0], kw.name)
		}
		if key == "tunnel" && strings.ToLower(args[0]) != "no" {
			return fmt.Errorf("Tunnel %s: tun forwarding is not supported by pqssh", args[0])
		}
	case kInt:
		if err := one(); err != nil {
			return err
		}
		v, err := strconv.Atoi(args[0])
		if err != nil || v < 0 {
			return fmt.Errorf("%s: invalid number %q", kw.name, args[0])
		}
		if key == "port" && (v < 1 || v > 65535) {
			return fmt.Errorf("Badly formatted port number %q", args[0])
		}
	case kTime:
		if err := one(); err != nil {
			return err
		}
		if _, err := ParseTime(args[0]); err != nil {
			return fmt.Errorf("%s: %v", kw.name, err)
		}
	case kString:
		if err := one(); err != nil {
			return err
		}
		switch key {
		case "escapechar":
			if _, err := ParseEscapeChar(args[0]); err != nil {
				return err
			}
		case "controlpersist":
			if _, err := ParseControlPersist(args[0]); err != nil {
				return err
			}
		}
	case kAlgos:
		if err := one(); err != nil {
			return err
		}
		if _, err := ApplyAlgorithms(args[0], DefaultAlgorithms(key), KnownAlgorithms(key)); err != nil {
			return fmt.Errorf("Bad %s %q: %v", kw.name, args[0], err)
		}
	case kMulti:
		if err := one(); err != nil {
			return err
		}
	case kForward:
		if len(args) != kw.min {
			if !(key == "remoteforward" && len(args) == 2) {
				return fmt.Errorf("%s: bad forwarding specification %q", kw.name, strings.Join(args, " "))
			}
		}
		if _, err := parseForwardArgs(key, args); err != nil {
			return fmt.Errorf("%s: %v", kw.name, err)
		}
	case kArgs:
		if key == "rekeylimit" {
			if _, err := ParseSize(args[0]); err != nil {
				return fmt.Errorf("%s: %v", kw.name, err)
			}
		}
	}
	return nil
}

func parseFlag(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "yes", "true":
		return true, nil
	case "no", "false":
		return false, nil
	}
	return false, fmt.Errorf("unsupported option %q (want yes or no)", s)
}

// ParseTime parses an ssh_config time interval: a plain number of seconds
// or a sequence of number+unit with units s, m, h, d, w (sshd_config(5),
// TIME FORMATS).
func ParseTime(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("invalid time %q", s)
	}
	if v, err := strconv.Atoi(s); err == nil {
		if v < 0 {
			return 0, fmt.Errorf("invalid time %q", s)
		}
		return time.Duration(v) * time.Second, nil
	}
	var total time.Duration
	rest := strings.ToLower(s)
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("invalid time %q", s)
		}
		v, err := strconv.Atoi(rest[:i])
		if err != nil {
			return 0, fmt.Errorf("invalid time %q", s)
		}
		unit := time.Second
		rest = rest[i:]
		if rest != "" {
			switch rest[0] {
			case 's':
			case 'm':
				unit = time.Minute
			case 'h':
				unit = time.Hour
			case 'd':
				unit = 24 * time.Hour
			case 'w':
				unit = 7 * 24 * time.Hour
			default:
				return 0, fmt.Errorf("invalid time %q", s)
			}
			rest = rest[1:]
		}
		total += time.Duration(v) * unit
	}
	return total, nil
}

// ParseSize parses a RekeyLimit size: a number with an optional K, M or G
// suffix, or "default" / "none" (0: the library default).
func ParseSize(s string) (int64, error) {
	switch strings.ToLower(s) {
	case "default", "none":
		return 0, nil
	}
	mult := int64(1)
	if s != "" {
		switch s[len(s)-1] {
		case 'k', 'K':
			mult = 1 << 10
		case 'm', 'M':
			mult = 1 << 20
		case 'g', 'G':
			mult = 1 << 30
		}
		if mult != 1 {
			s = s[:len(s)-1]
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 16 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return v * mult, nil
}

// ParseEscapeChar parses an EscapeChar value: a single character, "^X"
// for a control character, or "none". It returns -1 for none.
func ParseEscapeChar(s string) (int, error) {
	switch {
	case strings.EqualFold(s, "none"):
		return -1, nil
	case len(s) == 1:
		return int(s[0]), nil
	case len(s) == 2 && s[0] == '^':
		return int(s[1]) & 31, nil
	}
	return 0, fmt.Errorf("Bad escape character %q", s)
}

// match evaluates the criteria of a Match line (ssh_config(5), Match).
func (o *Options) match(args []string) (bool, error) {
	if len(args) == 0 {
		return false, fmt.Errorf("Match directive requires an argument")
	}
	result := true
	for i := 0; i < len(args); i++ {
		crit := strings.ToLower(args[i])
		neg := strings.HasPrefix(crit, "!")
		if neg {
			crit = crit[1:]
		}
		var m bool
		switch crit {
		case "all":
			for j, a := range args {
				a = strings.TrimPrefix(strings.ToLower(a), "!")
				if j != i && a != "canonical" && a != "final" {
					return false, fmt.Errorf("'all' cannot be combined with other Match attributes")
				}
			}
			m = true
		case "canonical":
			m = false // host names are never canonicalized
		case "final":
			m = true // a single pass is also the final one
		default:
			if i+1 >= len(args) {
				return false, fmt.Errorf("Missing Match criteria for %s", crit)
			}
			i++
			arg := args[i]
			switch crit {
			case "host":
				h, _ := o.expandHostName()
				m = matchCommaList(h, arg)
			case "originalhost":
				m = matchCommaList(o.ctx.Host, arg)
			case "user":
				u := o.Value("user")
				if u == "" {
					u = o.ctx.LocalUser
				}
				m = matchCommaList(u, arg)
			case "localuser":
				m = matchCommaList(o.ctx.LocalUser, arg)
			case "tagged":
				m = matchCommaList(o.Value("tag"), arg)
			case "command":
				m = matchCommaList(o.ctx.Command, arg)
			case "sessiontype":
				m = matchCommaList(o.ctx.SessionType, arg)
			case "version":
				m = matchCommaList(o.ctx.Version, arg)
			case "localnetwork":
				return false, fmt.Errorf("Match localnetwork is not supported by pqssh")
			case "exec":
				cmd, err := o.expandTokens(arg, tokensForMatch)
				if err != nil {
					return false, fmt.Errorf("Match exec: %v", err)
				}
				if o.ctx.Exec != nil {
					m = o.ctx.Exec(cmd)
				} else {
					m = exec.Command("/bin/sh", "-c", cmd).Run() == nil
				}
			default:
				return false, fmt.Errorf("Unsupported Match attribute %s", crit)
			}
		}
		if m == neg {
			result = false
		}
	}
	return result, nil
}

func expandTilde(p, home string) string {
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home, p[2:])
	}
	return p
}

// Tokens in ssh_config values, per keyword (ssh_config(5), TOKENS).
const (
	tokensForMatch = "%CdhiLlnpruj"
	tokensFull     = "%CdhiLlnpruj" + "k"
)
