// Package sshconf is what pqssh's ssh_config and pqsshd's sshd_config
// parsers share with each other and with known_hosts and authorized_keys
// handling, each as OpenSSH 10 has it once for both programs: the line
// lexer (misc.c argv_split), the yes/no, time and size values, host and
// address pattern lists (match.c, addrmatch.c), algorithm lists with the
// +, - and ^ modifiers and wildcards (kex-names.c kex_assemble_names), and
// the algorithm names the SSH library knows.
package sshconf

import (
	"fmt"
	"strings"
)

// Line is one configuration line split into its keyword and arguments.
type Line struct {
	// Keyword is the keyword as written (callers fold its case).
	Keyword string
	// Raw is the rest of the line after the keyword and its separator,
	// verbatim, for keywords such as ProxyCommand that take it whole.
	Raw string
	// Args are the arguments, split as argv_split splits them.
	Args []string
}

// SplitLine splits a configuration line as OpenSSH's readconf.c and
// servconf.c do: trailing white space is dropped, the keyword ends at white
// space or '=', one '=' (with white space around it) may separate it from
// the arguments, and the arguments are split by SplitArgs. ok is false for
// a blank line or one holding only a comment.
func SplitLine(s string) (l Line, ok bool, err error) {
	s = strings.TrimRight(s, " \t\r\n\f")
	s = strings.TrimLeft(s, " \t\r\n")
	if s == "" || s[0] == '#' {
		return Line{}, false, nil
	}
	i := strings.IndexAny(s, " \t\r\n=")
	if i < 0 {
		return Line{Keyword: s}, true, nil
	}
	l.Keyword = s[:i]
	rest := strings.TrimLeft(s[i:], " \t\r\n")
	if strings.HasPrefix(rest, "=") {
		rest = strings.TrimLeft(rest[1:], " \t\r\n")
	}
	l.Raw = rest
	if l.Args, err = SplitArgs(rest); err != nil {
		return Line{}, false, err
	}
	return l, true, nil
}

// SplitArgs splits s into words as OpenSSH's argv_split with
// terminate_on_comment: words are separated by white space; double or
// single quotes group (and are removed); a backslash escapes a quote, a
// backslash, or (outside quotes) a space, and is kept before any other
// character; an unquoted '#' at the start of a word begins a comment. An
// unterminated quote is an error.
func SplitArgs(s string) ([]string, error) {
	var args []string
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" || s[0] == '#' {
			return args, nil
		}
		var b strings.Builder
		var quote byte
		i := 0
	word:
		for ; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '\\' && i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == '"' || s[i+1] == '\'' || (quote == 0 && s[i+1] == ' ')):
				i++
				b.WriteByte(s[i])
			case quote != 0 && c == quote:
				quote = 0
			case quote != 0:
				b.WriteByte(c)
			case c == '"' || c == '\'':
				quote = c
			case c == ' ' || c == '\t' || c == '\r' || c == '\n':
				break word
			default:
				b.WriteByte(c)
			}
		}
		if quote != 0 {
			return nil, fmt.Errorf("unterminated quote")
		}
		args = append(args, b.String())
		s = s[i:]
	}
}
