package config

import (
	"fmt"
	"strings"
)

// line is one ssh_config line split into its keyword, the raw remainder
// (for options such as ProxyCommand that take the rest of the line
// verbatim) and the remainder split into arguments.
type line struct {
	keyword string // as written
	raw     string
	args    []string
}

// splitLine splits an ssh_config line the way ssh_config(5) describes:
// "Keyword arguments" or "Keyword=arguments", arguments separated by
// whitespace, double or single quotes grouping an argument, and a word
// starting with '#' beginning a comment. It returns ok=false for blank and
// comment lines.
func splitLine(s string) (l line, ok bool, err error) {
	s = strings.TrimRight(s, " \t\r\n")
	s = strings.TrimLeft(s, " \t")
	if s == "" || s[0] == '#' {
		return line{}, false, nil
	}
	i := strings.IndexAny(s, " \t=")
	if i < 0 {
		return line{keyword: s}, true, nil
	}
	l.keyword = s[:i]
	rest := strings.TrimLeft(s[i:], " \t")
	if strings.HasPrefix(rest, "=") {
		rest = strings.TrimLeft(rest[1:], " \t")
	}
	l.raw = rest
	l.args, err = splitArgs(rest)
	if err != nil {
		return line{}, false, err
	}
	return l, true, nil
}

// splitArgs splits s into words, honouring double and single quotes and
// backslash escapes of quotes, and stopping at an unquoted word that
// begins with '#'.
func splitArgs(s string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(s) && (s[i+1] == quote || s[i+1] == '\\') {
				cur.WriteByte(s[i+1])
				i++
			} else if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == ' ' || c == '\t':
			if inWord {
				args = append(args, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '#' && !inWord:
			return args, nil
		case c == '"' || c == '\'':
			quote = c
			inWord = true
		case c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\'' || s[i+1] == '\\'):
			cur.WriteByte(s[i+1])
			i++
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	if inWord {
		args = append(args, cur.String())
	}
	return args, nil
}
