package termtext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	for _, c := range []struct {
		in, ascii, utf8 string
	}{
		{"plain text\n", "plain text\n", "plain text\n"},
		{"tab\tand space", "tab\tand space", "tab\tand space"},
		{"\x1b[31mred\x1b[0m", `\033[31mred\033[0m`, `\033[31mred\033[0m`},
		{"\x1b]52;c;ZXZpbA==\x07", `\033]52;c;ZXZpbA==\007`, `\033]52;c;ZXZpbA==\007`},
		{"bell\a backspace\b del\x7f nul\x00", `bell\007 backspace\010 del\177 nul\000`, `bell\007 backspace\010 del\177 nul\000`},
		{"line\r\nnext\r\n", "line\r\nnext\r\n", "line\r\nnext\r\n"},
		{"fake\rPassword: ", `fake\015Password: `, `fake\015Password: `},
		{"end\r", `end\015`, `end\015`},
		{`back\slash`, `back\slash`, `back\slash`},
		{"caf\u00e9", `caf\303\251`, "caf\u00e9"},
		{"\u00a0nbsp", `\302\240nbsp`, "\u00a0nbsp"},
		// C1 control CSI, as a UTF-8 sequence and as a lone byte.
		{"\u009b31m", `\302\23331m`, `\302\23331m`},
		{"\x9b31m", `\23331m`, `\23331m`},
		// Invalid and truncated UTF-8.
		{"\xff\xfe", `\377\376`, `\377\376`},
		{"x\xe2\x82", `x\342\202`, `x\342\202`},
		// Bidirectional override, zero-width joiner, line separator,
		// private use.
		{"a\u202eb", `a\342\200\256b`, `a\342\200\256b`},
		{"a\u200db", `a\342\200\215b`, `a\342\200\215b`},
		{"a\u2028b", `a\342\200\250b`, `a\342\200\250b`},
		{"\ue000", `\356\200\200`, `\356\200\200`},
		{"日本語 ✓", `\346\227\245\346\234\254\350\252\236 \342\234\223`, "日本語 ✓"},
	} {
		if got := Sanitize(c.in, false); got != c.ascii {
			t.Errorf("Sanitize(%q, ascii) = %q, want %q", c.in, got, c.ascii)
		}
		if got := Sanitize(c.in, true); got != c.utf8 {
			t.Errorf("Sanitize(%q, utf8) = %q, want %q", c.in, got, c.utf8)
		}
	}
}

func TestUTF8Locale(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{nil, false},
		{map[string]string{"LANG": "en_US.UTF-8"}, true},
		{map[string]string{"LANG": "C.utf8"}, true},
		{map[string]string{"LANG": "de_DE.UTF-8@euro"}, true},
		{map[string]string{"LANG": "C"}, false},
		{map[string]string{"LANG": "en_US.ISO-8859-1"}, false},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_CTYPE": "C"}, false},
		{map[string]string{"LANG": "C", "LC_CTYPE": "en_US.UTF-8"}, true},
		{map[string]string{"LC_ALL": "POSIX", "LC_CTYPE": "en_US.UTF-8"}, false},
		{map[string]string{"LC_ALL": "C.UTF-8", "LANG": "C"}, true},
	} {
		got := UTF8Locale(func(k string) string { return c.env[k] })
		if got != c.want {
			t.Errorf("UTF8Locale(%v) = %v, want %v", c.env, got, c.want)
		}
	}
}

// checkSafe fails unless out, the result of Sanitize, holds only what may
// reach a terminal.
func checkSafe(t *testing.T, in, out string, utf8Locale bool) {
	t.Helper()
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case c == '\n' || c == '\t':
		case c == '\r':
			if i+1 >= len(out) || out[i+1] != '\n' {
				t.Fatalf("Sanitize(%q) = %q: lone CR at %d", in, out, i)
			}
		case c < ' ' || c == 0x7f:
			t.Fatalf("Sanitize(%q) = %q: control byte %#x at %d", in, out, c, i)
		case c >= utf8.RuneSelf && !utf8Locale:
			t.Fatalf("Sanitize(%q) = %q: non-ASCII byte %#x in an ASCII locale", in, out, c)
		}
	}
	if !utf8.ValidString(out) {
		t.Fatalf("Sanitize(%q) = %q: invalid UTF-8", in, out)
	}
	for _, r := range out {
		if r >= utf8.RuneSelf && !unicode.IsGraphic(r) {
			t.Fatalf("Sanitize(%q) = %q: non-printable %U", in, out, r)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"", "banner\n", "\x1b]52;c;ZXZpbA==\x07", "a\rb\r\n", "caf\u00e9 \u009b \u202e",
		"\xff\xe2\x82", `\033`, "\x00\x7f\x80\xc0\xaf",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, u := range []bool{false, true} {
			out := Sanitize(s, u)
			checkSafe(t, s, out, u)
			if again := Sanitize(out, u); again != out {
				t.Fatalf("Sanitize not idempotent: %q -> %q -> %q", s, out, again)
			}
			// Only escapes are added: the text without its escapes is
			// what was kept of the input.
			if strings.Count(out, `\`) < strings.Count(s, `\`) {
				t.Fatalf("Sanitize(%q) = %q lost a backslash", s, out)
			}
		}
	})
}
