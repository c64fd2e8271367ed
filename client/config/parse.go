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
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pqssh/pqssh/internal/sshconf"
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
	// Debug receives OpenSSH's debug lines about reading the files
	// ("Reading configuration data", "Applying options for") at their
	// level (1 to 3). Nil discards.
	Debug func(level int, msg string)
	// Resolve looks names up for CanonicalizeHostname. Nil uses the
	// system's resolver.
	Resolve Resolver
}

func (o *Options) debug(level int, format string, args ...any) {
	if o.ctx.Debug != nil {
		o.ctx.Debug(level, fmt.Sprintf(format, args...))
	}
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
	// typed holds the parsed value of a single-valued keyword (see
	// parseValue), forwards the parsed Local/Remote/DynamicForward lines.
	typed    map[string]any
	forwards map[string][]Forward
	// order records when each single-valued keyword got its value.
	order map[string]int
	seq   int
	// warned records the unimplemented keywords already warned about.
	warned map[string]bool
	// final is set on the pass after hostname canonicalization (or
	// requested by "Match final"), when canonHost is the host name Host
	// lines match; wantFinal records a "Match final" seen on the first
	// pass.
	final     bool
	wantFinal bool
	canonHost string
	// system is set while the system-wide file (or one it includes) is
	// read.
	system bool
}

// NewOptions returns empty Options evaluated against ctx.
func NewOptions(ctx Context) *Options {
	return &Options{ctx: ctx, vals: map[string][]string{}, where: map[string]string{}, order: map[string]int{},
		typed: map[string]any{}, forwards: map[string][]Forward{}}
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
	l, ok, err := sshconf.SplitLine(s)
	if err != nil {
		return fmt.Errorf("command-line: %v", err)
	}
	if !ok {
		return nil
	}
	switch strings.ToLower(l.Keyword) {
	case "host", "match", "include":
		return fmt.Errorf("command-line: %s is not allowed in -o", l.Keyword)
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
	o.debug(1, "Reading configuration data %s", path)
	return o.parse(f, path, user, 0, true)
}

// Parse reads ssh_config text from r; name is used in error messages.
func (o *Options) Parse(r io.Reader, name string, user bool) error {
	return o.parse(r, name, user, 0, true)
}

func (o *Options) parse(r io.Reader, name string, user bool, depth int, outerActive bool) error {
	defer func(prev bool) { o.system = prev }(o.system)
	o.system = !user
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	active := outerActive
	n := 0
	for sc.Scan() {
		n++
		where := fmt.Sprintf("%s:%d", name, n)
		l, ok, err := sshconf.SplitLine(sc.Text())
		if err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		if !ok {
			continue
		}
		switch strings.ToLower(l.Keyword) {
		case "host":
			if len(l.Args) == 0 {
				return fmt.Errorf("%s: Host directive requires an argument", where)
			}
			active = outerActive && o.matchHost(l.Args, name, n)
		case "match":
			o.debug(2, "checking match for '%s' host %s originally %s", strings.Join(l.Args, " "), o.hostForMatch(), o.ctx.Host)
			m, err := o.match(l.Args)
			if err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			if m {
				o.debug(3, "match found")
			} else {
				o.debug(3, "match not found")
			}
			active = outerActive && m
		case "include":
			if len(l.Args) == 0 {
				return fmt.Errorf("%s: Include directive requires an argument", where)
			}
			if depth+1 > maxIncludeDepth {
				return fmt.Errorf("%s: Include nested too deeply", where)
			}
			for _, pat := range l.Args {
				if err := o.include(pat, user, depth+1, active, fmt.Sprintf("%s line %d", name, n)); err != nil {
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

func (o *Options) include(pat string, user bool, depth int, active bool, where string) error {
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
	if len(files) == 0 {
		o.debug(1, "%s: include %s matched no files", where, pat)
	}
	for _, f := range files {
		o.debug(2, "%s: including %s", where, f)
		fh, err := os.Open(f)
		if err != nil {
			return fmt.Errorf("Include: %w", err)
		}
		o.debug(1, "Reading configuration data %s", f)
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
func (o *Options) apply(l sshconf.Line, active bool, where string) error {
	kw, key, ok := lookupKeyword(l.Keyword)
	if !ok {
		if o.ignoreUnknown != "" && matchCommaList(strings.ToLower(l.Keyword), strings.ToLower(o.ignoreUnknown)) {
			return nil
		}
		return fmt.Errorf("Bad configuration option: %s", strings.ToLower(l.Keyword))
	}
	args := l.Args
	var value any
	var err error
	switch kw.kind {
	case kRaw:
		if l.Raw == "" {
			return fmt.Errorf("%s: missing argument", kw.name)
		}
		args = []string{l.Raw}
	case kIgnored:
		if active {
			o.warnUnsupported(kw, args, where)
		}
		return nil
	case kDeprecated:
		if o.ctx.Warn != nil && !o.final {
			o.ctx.Warn(fmt.Sprintf("%s: Deprecated option \"%s\"", where, strings.ToLower(l.Keyword)))
		}
		return nil
	default:
		if len(args) == 0 {
			return fmt.Errorf("%s: missing argument", kw.name)
		}
		if value, err = parseValue(kw, key, args); err != nil {
			return err
		}
	}
	if key == "ignoreunknown" && active && o.ignoreUnknown == "" {
		o.ignoreUnknown = args[0]
	}
	if !active {
		return nil
	}
	if len(kw.inert) > 0 {
		o.warnUnsupported(kw, args, where)
	}
	switch kw.kind {
	case kMulti, kMultiArgs, kForward:
		if o.final && slices.Contains(o.vals[key], strings.Join(args, " ")) {
			return nil // read again on the final pass
		}
		if kw.kind == kForward {
			// Keep each forward as one "listen connect" element.
			o.vals[key] = append(o.vals[key], strings.Join(args, " "))
			o.forwards[key] = append(o.forwards[key], value.(Forward))
		} else {
			o.vals[key] = append(o.vals[key], args...)
		}
		if _, ok := o.where[key]; !ok {
			o.where[key] = where
		}
	default:
		if _, set := o.vals[key]; !set {
			o.vals[key] = args
			if value != nil {
				o.typed[key] = value
			}
			o.where[key] = where
			o.seq++
			o.order[key] = o.seq
		}
	}
	return nil
}

// warnUnsupported warns, once per keyword, that a keyword pqssh does not
// implement has a value that would change what OpenSSH does: pqssh never
// ignores a setting silently.
func (o *Options) warnUnsupported(kw *keyword, args []string, where string) {
	if len(args) > 0 && slices.Contains(kw.inert, strings.ToLower(strings.Join(args, " "))) {
		return
	}
	key := strings.ToLower(kw.name)
	if o.warned[key] {
		return
	}
	if o.warned == nil {
		o.warned = map[string]bool{}
	}
	o.warned[key] = true
	msg := fmt.Sprintf("%s: Unsupported option \"%s\": %s", where, key, kw.status)
	if o.system {
		// The system file is the distribution's, written for OpenSSH
		// (Debian's sets GSSAPIAuthentication yes): say it with -v only.
		o.debug(1, "%s", msg)
		return
	}
	if o.ctx.Warn != nil {
		o.ctx.Warn(msg)
	}
}

// parseValue checks a keyword's arguments and returns them parsed into
// the typed value Resolve uses: bool (kFlag), int (kInt, EscapeChar),
// time.Duration (kTime, ControlPersist), []string (kAlgos: the assembled list), Forward
// (kForward), int64 (RekeyLimit), or nil where the arguments are used as
// strings. It validates even in inactive blocks, so that a bad line is
// reported wherever it is (as OpenSSH does).
func parseValue(kw *keyword, key string, args []string) (any, error) {
	if kw.kind != kForward && kw.kind != kArgs && kw.kind != kMultiArgs && len(args) != 1 {
		return nil, fmt.Errorf("%s: garbage at end of line", kw.name)
	}
	switch kw.kind {
	case kFlag:
		v, err := sshconf.ParseFlag(args[0])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", kw.name, err)
		}
		return v, nil
	case kEnum:
		if !slices.Contains(kw.values, strings.ToLower(args[0])) {
			return nil, fmt.Errorf("unsupported option %q for %s", args[0], kw.name)
		}
		if key == "tunnel" && strings.ToLower(args[0]) != "no" {
			return nil, fmt.Errorf("Tunnel %s: tun forwarding is not supported by pqssh", args[0])
		}
	case kInt:
		v, err := strconv.Atoi(args[0])
		if err != nil || v < 0 {
			return nil, fmt.Errorf("%s: invalid number %q", kw.name, args[0])
		}
		if key == "port" && (v < 1 || v > 65535) {
			return nil, fmt.Errorf("Badly formatted port number %q", args[0])
		}
		return v, nil
	case kTime:
		d, err := sshconf.ParseTime(args[0])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", kw.name, err)
		}
		return d, nil
	case kString:
		switch key {
		case "escapechar":
			return ParseEscapeChar(args[0])
		case "streamlocalbindmask":
			v, err := strconv.ParseUint(args[0], 8, 32)
			if err != nil || v > 0o777 {
				return nil, fmt.Errorf("StreamLocalBindMask: bad mask %q", args[0])
			}
			return os.FileMode(v), nil
		case "controlpersist":
			return parseControlPersist(args[0])
		}
	case kAlgos:
		list, err := applyAlgorithms(key, args[0])
		if err != nil {
			return nil, fmt.Errorf("Bad %s %q: %v", kw.name, args[0], err)
		}
		return list, nil
	case kForward:
		f, err := parseForwardArgs(key, args)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", kw.name, err)
		}
		return f, nil
	case kArgs:
		if key == "canonicalizepermittedcnames" {
			for _, a := range args {
				if _, _, ok := strings.Cut(a, ":"); !ok && !strings.EqualFold(a, "none") {
					return nil, fmt.Errorf("CanonicalizePermittedCNAMEs: bad rule %q (want source_domains:target_domains)", a)
				}
			}
		}
		if key == "rekeylimit" {
			n, err := parseRekeyLimit(args[0])
			if err != nil {
				return nil, fmt.Errorf("%s: %v", kw.name, err)
			}
			return n, nil
		}
	}
	return nil, nil
}

// parseRekeyLimit parses RekeyLimit's data limit: a size
// (sshconf.ParseSize), or "default" or "none" for the library's default
// (0).
func parseRekeyLimit(s string) (int64, error) {
	switch strings.ToLower(s) {
	case "default", "none":
		return 0, nil
	}
	n, err := sshconf.ParseSize(s)
	if err != nil || n > math.MaxInt64 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(n), nil
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

// parseControlPersist parses a ControlPersist value: yes (or a time of
// 0) keeps the master for ever (-1), no is 0, else the idle time.
func parseControlPersist(v string) (time.Duration, error) {
	switch strings.ToLower(v) {
	case "yes", "true":
		return -1, nil
	case "no", "false":
		return 0, nil
	}
	d, err := sshconf.ParseTime(v)
	if err != nil {
		return 0, fmt.Errorf("ControlPersist: bad value %q", v)
	}
	if d == 0 {
		return -1, nil
	}
	return d, nil
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
		case "canonical", "final":
			// Both match on the pass after canonicalization only
			// (OpenSSH's post_canon); "Match final" asks for that pass.
			if crit == "final" && !neg {
				o.wantFinal = true
			}
			m = o.final
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

// matchHost evaluates a Host line's patterns against the host name and
// logs, as OpenSSH, which pattern applied.
func (o *Options) matchHost(patterns []string, file string, line int) bool {
	if sshconf.MatchHostList(o.hostForMatch(), patterns) != 1 {
		for _, p := range patterns {
			if neg, ok := strings.CutPrefix(p, "!"); ok && sshconf.MatchHostList(o.hostForMatch(), []string{neg}) == 1 {
				o.debug(1, "%s line %d: Skipping Host block because of negated match for %s", file, line, neg)
				break
			}
		}
		return false
	}
	matched := ""
	for _, p := range patterns {
		if !strings.HasPrefix(p, "!") && sshconf.MatchHostList(o.hostForMatch(), []string{p}) == 1 {
			matched = p
			break
		}
	}
	o.debug(1, "%s line %d: Applying options for %s", file, line, matched)
	return true
}

// hostForMatch is the name Host lines are matched against: the host as
// given, or its canonical name on the canonicalization pass.
func (o *Options) hostForMatch() string {
	if o.final && o.canonHost != "" {
		return o.canonHost
	}
	return o.ctx.Host
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
