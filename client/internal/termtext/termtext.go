// Package termtext makes strings that a server controls safe to print on
// the user's terminal: server banners, version strings, disconnect and
// channel-failure messages, keyboard-interactive texts and anything else
// the client logs.
//
// The rules follow OpenSSH's utf8.c (fmprintf, used for banners and
// keyboard-interactive texts) and log.c (strnvis with VIS_SAFE|VIS_OCTAL,
// used for every log line): a byte that is not a printable character is
// shown as a backslash and three octal digits, so ESC becomes \033 and BEL
// \007. Printable characters, including a backslash, are kept as they are.
// Valid printable UTF-8 is kept when the locale's character set is UTF-8;
// otherwise every byte outside printable ASCII is escaped, because a
// terminal in another character set may read bytes 0x80-0x9f of a UTF-8
// sequence as C1 control codes.
//
// Where OpenSSH differs between its two paths, Sanitize takes the stricter
// choice: newline and tab are kept; a carriage return is kept only as part
// of a CR LF line end (a lone CR moves the cursor back over text already
// shown, which lets a server disguise a line); BEL and backspace are
// escaped (OpenSSH's log lines keep them). Unicode format characters such
// as bidirectional overrides and zero-width joiners, line and paragraph
// separators, private-use and unassigned code points are escaped too,
// where glibc's wcwidth would let some of them through.
package termtext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sanitize returns s with every byte that is not part of a printable
// character replaced by OpenSSH's octal escape \ooo. utf8Locale selects
// whether valid printable UTF-8 beyond ASCII is kept (see UTF8Locale).
func Sanitize(s string, utf8Locale bool) string {
	if clean(s, utf8Locale) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if keep(s, i, r, n, utf8Locale) {
			b.WriteString(s[i : i+n])
		} else {
			for _, c := range []byte(s[i : i+n]) {
				b.WriteByte('\\')
				b.WriteByte('0' + c>>6)
				b.WriteByte('0' + c>>3&7)
				b.WriteByte('0' + c&7)
			}
		}
		i += n
	}
	return b.String()
}

// clean reports whether Sanitize would return s unchanged.
func clean(s string, utf8Locale bool) bool {
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if !keep(s, i, r, n, utf8Locale) {
			return false
		}
		i += n
	}
	return true
}

// keep reports whether the character r, n bytes at s[i:], is printed as it
// is.
func keep(s string, i int, r rune, n int, utf8Locale bool) bool {
	switch {
	case r == '\n' || r == '\t':
		return true
	case r == '\r':
		return i+1 < len(s) && s[i+1] == '\n'
	case r < utf8.RuneSelf:
		return r >= ' ' && r != 0x7f
	case !utf8Locale:
		return false
	case r == utf8.RuneError && n == 1:
		// An invalid or truncated sequence: each byte is escaped.
		return false
	}
	return unicode.IsGraphic(r)
}

// UTF8Locale reports whether the character set of the locale that getenv's
// environment selects for LC_CTYPE is UTF-8: the first set of LC_ALL,
// LC_CTYPE and LANG names it, as in "en_US.UTF-8" or "C.utf8". No locale
// (the C locale) is ASCII.
func UTF8Locale(getenv func(string) string) bool {
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		loc := getenv(v)
		if loc == "" {
			continue
		}
		// The code set follows the dot and precedes any @modifier.
		_, cs, _ := strings.Cut(loc, ".")
		cs, _, _ = strings.Cut(cs, "@")
		cs = strings.ToLower(cs)
		return cs == "utf-8" || cs == "utf8"
	}
	return false
}
