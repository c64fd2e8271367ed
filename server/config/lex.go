package config

import (
	"fmt"
	"strings"
)

// splitLine splits one sshd_config line into its keyword and arguments, the
// way OpenSSH's argv_split does for sshd_config(5): the keyword ends at white
// space or '=', one '=' may separate it from the first argument, arguments
// are separated by white space, double or single quotes group words, a
// backslash escapes a quote or backslash, and an unquoted '#' at the start
// of an argument starts a comment. A line holding only a comment or
// white space gives an empty keyword.
func splitLine(line string) (keyword string, args []string, err error) {
	s := strings.TrimLeft(line, " \t\r\n")
	if s == "" || s[0] == '#' {
		return "", nil, nil
	}
	i := strings.IndexAny(s, " \t\r\n=")
	if i < 0 {
		return s, nil, nil
	}
	keyword, s = s[:i], s[i:]
	s = strings.TrimLeft(s, " \t\r\n")
	if strings.HasPrefix(s, "=") {
		s = strings.TrimLeft(s[1:], " \t\r\n")
	}
	args, err = splitArgs(s)
	return keyword, args, err
}

// splitArgs splits the argument part of a line.
func splitArgs(s string) ([]string, error) {
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

// SplitArgs splits a command line the way sshd_config arguments are split
// (white space, quotes, backslash escapes), for AuthorizedKeysCommand.
func SplitArgs(s string) ([]string, error) { return splitArgs(s) }
