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
