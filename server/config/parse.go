package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/pqssh/pqssh/internal/sshconf"
)

// maxIncludeDepth bounds Include recursion, as OpenSSH does.
const maxIncludeDepth = 16

// Load reads the configuration file at path. overrides are "Keyword=value"
// settings from the command line (-o); like OpenSSH they take precedence
// over the file because the first value obtained wins. A missing file is an
// error only if mustExist.
func Load(path string, overrides []string, mustExist bool) (*Config, error) {
	c := Default()
	p := &parser{c: c, baseDir: filepath.Dir(path)}
	for _, o := range overrides {
		if err := p.parseLine("command line (-o "+o+")", 0, o, nil); err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := p.parse(path, data, nil, 0); err != nil {
			return nil, err
		}
	case errors.Is(err, os.ErrNotExist) && !mustExist:
	default:
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// Parse parses configuration text; name is used in error messages and
// relative Include paths are resolved against its directory.
func Parse(name string, data []byte) (*Config, error) {
	c := Default()
	p := &parser{c: c, baseDir: filepath.Dir(name)}
	if err := p.parse(name, data, nil, 0); err != nil {
		return nil, err
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

type parser struct {
	c       *Config
	baseDir string
}

// parse parses one file. match is the Match block in force where the file
// is included (nil at top level); a Match inside the file ends with it.
func (p *parser) parse(name string, data []byte, match *matchBlock, depth int) error {
	if depth > maxIncludeDepth {
		return &Error{File: name, Err: fmt.Errorf("Include nested too deeply")}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if err := p.parseLineDepth(name, line, sc.Text(), &match, depth); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil && err != io.EOF {
		return &Error{File: name, Line: line, Err: err}
	}
	return nil
}

func (p *parser) parseLine(file string, line int, text string, match *matchBlock) error {
	return p.parseLineDepth(file, line, text, &match, 0)
}

func (p *parser) parseLineDepth(file string, line int, text string, match **matchBlock, depth int) error {
	l, ok, err := sshconf.SplitLine(text)
	if err != nil {
		return &Error{File: file, Line: line, Err: err}
	}
	if !ok {
		return nil
	}
	kw, args := l.Keyword, l.Args
	fail := func(err error) error { return &Error{File: file, Line: line, Err: err} }
	switch strings.ToLower(kw) {
	case "match":
		crit, err := parseMatch(args)
		if err != nil {
			return fail(err)
		}
		m := &matchBlock{file: file, line: line, criteria: crit}
		p.c.matches = append(p.c.matches, m)
		*match = m
		return nil
	case "include":
		if len(args) == 0 {
			return fail(fmt.Errorf("Include: missing argument"))
		}
		for _, pat := range args {
			if !filepath.IsAbs(pat) && !strings.HasPrefix(pat, "~") {
				pat = filepath.Join(p.baseDir, pat)
			}
			files, err := filepath.Glob(pat)
			if err != nil {
				return fail(fmt.Errorf("Include %q: %w", pat, err))
			}
			sort.Strings(files)
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					return fail(fmt.Errorf("Include: %w", err))
				}
				if err := p.parse(f, data, *match, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	d := directive{file: file, line: line, keyword: kw, args: args}
	if *match != nil {
		if err := p.c.check(d, true); err != nil {
			return err
		}
		(*match).body = append((*match).body, d)
		return nil
	}
	return p.c.apply(d, false)
}

// lookup finds the option for a keyword or explains why there is none.
func lookup(d directive, inMatch bool) (*option, error) {
	k := strings.ToLower(d.keyword)
	o, ok := byKeyword[k]
	if !ok {
		if why, ok := unsupported[k]; ok {
			return nil, &Error{File: d.file, Line: d.line, Err: fmt.Errorf("unsupported option %q: %s", d.keyword, why)}
		}
		return nil, &Error{File: d.file, Line: d.line, Err: fmt.Errorf("unknown option %q", d.keyword)}
	}
	if inMatch && !o.match {
		return nil, &Error{File: d.file, Line: d.line, Err: fmt.Errorf("option %q is not allowed inside Match", o.name)}
	}
	return o, nil
}

// check validates a directive without applying it.
func (c *Config) check(d directive, inMatch bool) error {
	o, err := lookup(d, inMatch)
	if err != nil {
		return err
	}
	if err := o.set(Default(), d.args); err != nil {
		return &Error{File: d.file, Line: d.line, Err: err}
	}
	c.addNotice(o, d)
	return nil
}

// addNotice records the notice, if any, that directive d earns.
func (c *Config) addNotice(o *option, d directive) {
	if o.notice == nil {
		return
	}
	if n := o.notice(d.args); n != "" {
		where := d.file
		if d.line > 0 {
			where += ":" + strconv.Itoa(d.line)
		}
		c.Notices = append(c.Notices, where+": "+n)
	}
}

// apply applies a directive with first-wins semantics.
func (c *Config) apply(d directive, inMatch bool) error {
	o, err := lookup(d, inMatch)
	if err != nil {
		return err
	}
	key := strings.ToLower(o.name)
	target := c
	if c.set[key] && !o.multi {
		target = Default() // validate only: the first value wins
	} else if o.multi && inMatch && !c.set[key] && o.reset != nil {
		o.reset(c) // a Match block's list replaces the global one
	}
	if err := o.set(target, d.args); err != nil {
		return &Error{File: d.file, Line: d.line, Err: err}
	}
	if target == c {
		c.addNotice(o, d)
	}
	c.set[key] = true
	return nil
}

// finish fills in defaults that depend on what was set.
func (c *Config) finish() error {
	if len(c.Ports) == 0 {
		c.Ports = []int{22}
	}
	return nil
}

// IsSet reports whether the configuration gave a value for keyword.
func (c *Config) IsSet(keyword string) bool { return c.set[strings.ToLower(keyword)] }

// Dump writes the effective configuration in the style of sshd -T: one
// "keyword value" line per setting, keywords in lower case.
func (c *Config) Dump(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, o := range options {
		k := strings.ToLower(o.name)
		vals := o.dump(c)
		if o.multi {
			for _, v := range vals {
				fmt.Fprintf(bw, "%s %s\n", k, v)
			}
			continue
		}
		if len(vals) == 0 {
			continue
		}
		fmt.Fprintf(bw, "%s %s\n", k, strings.Join(vals, " "))
	}
	return bw.Flush()
}
