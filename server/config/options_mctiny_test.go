package config

import (
	"bytes"
	"strings"
	"testing"
)

func TestMcTinyOptions(t *testing.T) {
	c := mustParse(t, "")
	if c.McTiny != (McTinySettings{}) {
		t.Errorf("defaults %+v, want off, auto, 0", c.McTiny)
	}
	var b bytes.Buffer
	c.Dump(&b)
	for _, want := range []string{"mctiny no\n", "mctinystatedirectory auto\n", "mctinyport 0\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("-T output lacks %q", want)
		}
	}
	c = mustParse(t, "mctiny yes\nMcTinyStateDirectory /var/lib/x\nMcTinyPort 4022\nMcTiny no\n")
	if c.McTiny != (McTinySettings{Enabled: true, StateDirectory: "/var/lib/x", Port: 4022}) {
		t.Errorf("parsed %+v (first value wins)", c.McTiny)
	}
	for _, bad := range []string{"McTiny maybe", "McTinyPort 65536", "McTinyPort -1", "McTinyStateDirectory relative/dir", "McTinyStateDirectory"} {
		if _, err := Parse("cfg", []byte(bad+"\n")); err == nil || !strings.Contains(err.Error(), "cfg:1") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := Parse("cfg", []byte("Match User x\nMcTiny yes\n")); err == nil {
		t.Error("McTiny accepted inside Match")
	}
}

func TestMcTinyPuzzleAndFleetOptions(t *testing.T) {
	c := mustParse(t, "")
	if c.McTiny.EffectivePuzzleRate() != 200 {
		t.Errorf("default puzzle rate %d", c.McTiny.EffectivePuzzleRate())
	}
	if lo, hi := c.McTiny.EffectivePuzzleBits(); lo != 12 || hi != 24 {
		t.Errorf("default puzzle bits %d:%d", lo, hi)
	}
	var b bytes.Buffer
	c.Dump(&b)
	for _, want := range []string{"mctinypuzzlerate 200\n", "mctinypuzzlebits 12:24\n", "mctinycookiesecretfile none\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("-T output lacks %q", want)
		}
	}
	c = mustParse(t, "McTinyPuzzleRate 50\nMcTinyPuzzleBits 8:20\nMcTinyCookieSecretFile /etc/ssh/mctiny-master\n")
	if c.McTiny.EffectivePuzzleRate() != 50 || c.McTiny.PuzzleMinBits != 8 || c.McTiny.PuzzleMaxBits != 20 ||
		c.McTiny.CookieSecretFile != "/etc/ssh/mctiny-master" {
		t.Errorf("parsed %+v", c.McTiny)
	}
	c = mustParse(t, "McTinyPuzzleRate none\n")
	if c.McTiny.EffectivePuzzleRate() != 0 {
		t.Errorf("none: rate %d", c.McTiny.EffectivePuzzleRate())
	}
	b.Reset()
	c.Dump(&b)
	if !strings.Contains(b.String(), "mctinypuzzlerate none\n") {
		t.Error("-T does not show McTinyPuzzleRate none")
	}
	for _, bad := range []string{"McTinyPuzzleRate 0", "McTinyPuzzleRate fast", "McTinyPuzzleBits 12", "McTinyPuzzleBits 0:10",
		"McTinyPuzzleBits 20:10", "McTinyPuzzleBits 8:33", "McTinyCookieSecretFile relative", "McTinyCookieSecretFile"} {
		if _, err := Parse("cfg", []byte(bad+"\n")); err == nil || !strings.Contains(err.Error(), "cfg:1") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := Parse("cfg", []byte("Match User x\nMcTinyPuzzleRate 5\n")); err == nil {
		t.Error("McTiny accepted inside Match")
	}
}
