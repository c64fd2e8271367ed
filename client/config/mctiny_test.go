package config

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestMcTinyKeywords(t *testing.T) {
	r, err := load(t, "h", "")
	if err != nil {
		t.Fatal(err)
	}
	if r.McTiny || r.McTinyPort != 0 || r.McTinyHostsFile != filepath.Join(r.Home, ".ssh", "pqssh_mctiny_hosts") {
		t.Errorf("defaults: %v %d %q", r.McTiny, r.McTinyPort, r.McTinyHostsFile)
	}
	r, err = load(t, "h", "Host h\n  McTiny yes\n  McTinyPort 4022\n", "McTiny=no")
	if err != nil {
		t.Fatal(err)
	}
	if r.McTiny || r.McTinyPort != 4022 {
		t.Errorf("-o McTiny=no first wins, port from file: %v %d", r.McTiny, r.McTinyPort)
	}
	r, err = load(t, "h", "McTiny yes\n")
	if err != nil || !r.McTiny {
		t.Fatalf("McTiny yes: %v %v", r, err)
	}
	var b bytes.Buffer
	r.Dump(&b)
	if !strings.Contains(b.String(), "mctiny yes\n") || !strings.Contains(b.String(), "mctinyport 0\n") {
		t.Errorf("-G output:\n%s", b.String())
	}
	for _, bad := range []string{"McTiny sometimes\n", "McTinyPort 70000\n", "McTinyPort x\n"} {
		if _, err := load(t, "h", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
