package server

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseShadowLine(t *testing.T) {
	none := int64(-1)
	for _, tc := range []struct {
		line string
		want shadowEntry // zero Name: the line is invalid
	}{
		{"alice:$6$salt$hash:19000:0:99999:7:::", shadowEntry{"alice", "$6$salt$hash", 19000, 0, 99999, 7, none, none}},
		{"bob:!*:20791:0:99999:7::1:", shadowEntry{"bob", "!*", 20791, 0, 99999, 7, none, 1}},
		{"carol:*:::::::", shadowEntry{"carol", "*", none, none, none, none, none, none}},
		{"dave:x:1:2:3:4:5:6:0", shadowEntry{"dave", "x", 1, 2, 3, 4, 5, 6}},
		{"erin:x:1:2:3:4:5:6", shadowEntry{"erin", "x", 1, 2, 3, 4, 5, 6}},      // no flag field
		{"old:x:1:2:3", shadowEntry{"old", "x", 1, 2, 3, none, none, none}},     // old format
		{"old2:x:1:2:3: ", shadowEntry{"old2", "x", 1, 2, 3, none, none, none}}, // old format, trailing colon
		{"neg:x:-1:4294967295:+5:7::-2:", shadowEntry{"neg", "x", none, none, 5, 7, none, none}},
		{"wrap:x:4294967294:0:1:::0:", shadowEntry{"wrap", "x", -2, 0, 1, none, none, 0}},
		{"sp:x: 12:0:9:::3:", shadowEntry{"sp", "x", 12, 0, 9, none, none, 3}},
		{"big:x:1:2:3:::99999999999999999999999:", shadowEntry{"big", "x", 1, 2, 3, none, none, none}}, // strtoul saturates
		{"empty::1:2:3::::", shadowEntry{"empty", "", 1, 2, 3, none, none, none}},
		{"x:y:1:2:3:::4:5:6", shadowEntry{}}, // more than 9 fields
		{"x:y:1:2", shadowEntry{}},           // too few fields
		{"x:y:1:2:", shadowEntry{}},          // max missing at the end of the line
		{"x:y:1:2:3:4", shadowEntry{}},       // cut in the middle of the current format
		{"x:y:1:2:3:4:5", shadowEntry{}},     // idem
		{"x:y:1:2:3:4:5:", shadowEntry{}},    // expire missing at the end of the line
		{"x:y:abc:2:3:::", shadowEntry{}},    // not a number
		{"x:y:12abc:2:3:::", shadowEntry{}},  // trailing garbage
		{"x:y: :2:3:::", shadowEntry{}},      // only a space
		{"x:y:-:2:3:::", shadowEntry{}},      // only a sign
		{"x:y:1:2:3:::5:z", shadowEntry{}},   // bad flag
		{"", shadowEntry{}},
	} {
		got, err := parseShadowLine(tc.line)
		if tc.want.Name == "" {
			if err == nil {
				t.Errorf("%q: parsed as %+v, want an error", tc.line, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v %v, want %+v", tc.line, got, err, tc.want)
		}
	}
}

func TestFindShadow(t *testing.T) {
	db := "bobby:!:1:0:99999:7:::\n" +
		"bob:garbage\n" + // skipped, as getspnam skips it
		"bob:*:1:0:99999:7:::\n" +
		"bob:!:1:0:99999:7:::\n"
	e, err := findShadow(strings.NewReader(db), "bob")
	if err != nil || e == nil || e.Name != "bob" || e.Password != "*" {
		t.Fatalf("bob: %+v %v", e, err)
	}
	// getspnam(3) skips leading white space, as in a hand-edited file:
	// the locked entry is the one that counts.
	e, err = findShadow(strings.NewReader("#alice:*:1:0:99999:7:::\n \talice:!:1:0:99999:7:::\nalice:*:1:0:99999:7:::\n"), "alice")
	if err != nil || e == nil || e.Name != "alice" || e.Password != "!" {
		t.Fatalf("alice after leading white space: %+v %v", e, err)
	}
	e, err = findShadow(strings.NewReader(db), "bo")
	if err != nil || e != nil {
		t.Fatalf("bo: %+v %v", e, err)
	}
	e, err = lookupShadow("/nonexistent/shadow", "bob")
	if err != nil || e != nil {
		t.Fatalf("missing file: %+v %v", e, err)
	}
}

func TestCheckAccountUsable(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	day := now.Unix() / secondsPerDay
	entry := func(pw string, expire, warn int64) *shadowEntry {
		return &shadowEntry{Name: "u", Password: pw, LastChange: day - 10, Min: 0, Max: 99999, Warn: warn, Inactive: -1, Expire: expire}
	}
	locked := []string{"User u not allowed because account is locked"}
	expired := []string{"Account u has expired", "User u not allowed because account is locked"}
	for _, tc := range []struct {
		name    string
		passwd  string // /etc/passwd's field
		sp      *shadowEntry
		lines   []string // nil: allowed
		warning string
	}{
		{"hash", "x", entry("$6$s$h", -1, 7), nil, ""},
		{"star", "x", entry("*", -1, 7), nil, ""},
		{"empty password", "x", entry("", -1, 7), nil, ""},
		{"solaris lock string is not a Linux lock", "x", entry("*LK*", -1, 7), nil, ""},
		{"usermod -L", "x", entry("!$6$s$h", -1, 7), locked, ""},
		{"useradd default", "x", entry("!", -1, 7), locked, ""},
		{"locked key-only", "x", entry("!*", -1, 7), locked, ""},
		{"passwd field without shadow entry", "!", nil, locked, ""},
		{"passwd field x without shadow entry", "x", nil, nil, ""},
		{"shadow decides over passwd", "!", entry("*", -1, 7), nil, ""},
		{"expired yesterday", "x", entry("*", day-1, 7), expired, ""},
		{"usermod -e 1", "x", entry("*", 1, 7), expired, ""},
		{"expire day 0", "x", entry("*", 0, 7), expired, ""},
		{"expired and locked", "x", entry("!", day-1, 7), expired, ""},
		{"last day", "x", entry("*", day, 7), nil, "Your account will expire in 0 days.\n"},
		{"tomorrow", "x", entry("*", day+1, 7), nil, "Your account will expire in 1 day.\n"},
		{"within warning", "x", entry("*", day+7, 7), nil, "Your account will expire in 7 days.\n"},
		{"before warning", "x", entry("*", day+8, 7), nil, ""},
		{"no warning period", "x", entry("*", day+1, -1), nil, ""},
		{"password change forced", "x", &shadowEntry{Name: "u", Password: "*", LastChange: 0, Max: 99999, Warn: 7, Inactive: -1, Expire: -1}, nil, ""},
		{"password aged", "x", &shadowEntry{Name: "u", Password: "*", LastChange: 1, Max: 1, Warn: 7, Inactive: 1, Expire: -1}, nil, ""},
	} {
		warning, err := checkAccountUsable("u", tc.passwd, tc.sp, now)
		var r *accountRefusal
		switch {
		case tc.lines == nil && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.lines != nil && !errors.As(err, &r):
			t.Errorf("%s: allowed (err %v)", tc.name, err)
		case tc.lines != nil && strings.Join(r.logLines, "|") != strings.Join(tc.lines, "|"):
			t.Errorf("%s: logged %q, want %q", tc.name, r.logLines, tc.lines)
		case warning != tc.warning:
			t.Errorf("%s: warning %q, want %q", tc.name, warning, tc.warning)
		}
	}
	// Names are logged escaped.
	_, err := checkAccountUsable("a\x1b[2Jb", "!", nil, now)
	if err == nil || !strings.Contains(err.Error(), `User a\033[2Jb not allowed`) {
		t.Errorf("escaped name: %v", err)
	}
}

// FuzzParseShadowLine checks that no line panics the parser, that an
// accepted line keeps its name and password, and that the day counts are
// 32-bit values as getspnam's are.
func FuzzParseShadowLine(f *testing.F) {
	for _, s := range []string{
		"alice:$6$salt$hash:19000:0:99999:7:::",
		"bob:!*:20791:0:99999:7::1:",
		"old:x:1:2:3",
		"neg:x:-1:4294967295:+5:7::-2:",
		"x:y:12abc:2:3:::",
		"big:x:1:2:3:::99999999999999999999999:",
		"::::::::",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		e, err := parseShadowLine(line)
		if err != nil {
			return
		}
		fields := strings.Split(line, ":")
		if e.Name != fields[0] || e.Password != fields[1] {
			t.Fatalf("%q: name/password %q %q", line, e.Name, e.Password)
		}
		for _, n := range []int64{e.LastChange, e.Min, e.Max, e.Warn, e.Inactive, e.Expire} {
			if n != int64(int32(n)) {
				t.Fatalf("%q: %d is not a 32-bit day count", line, n)
			}
		}
		if got, err := findShadow(strings.NewReader("junk\n"+line+"\n"), e.Name); e.Name != "" && !strings.ContainsAny(line, "\n\r") && strings.TrimLeft(line, shadowSpace) == line && line[0] != '#' && (err != nil || got == nil || *got != e) {
			t.Fatalf("%q: findShadow %+v %v, want %+v", line, got, err, e)
		}
	})
}
