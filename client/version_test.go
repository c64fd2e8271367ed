package client

import (
	"runtime/debug"
	"testing"
)

// TestVersionString: -V shows the build's vcs.revision (12 hex digits,
// "modified" for a dirty tree), else the Makefile's -ldflags commit.
func TestVersionString(t *testing.T) {
	rev := "3549679abcdef0123456789abcdef0123456789a"
	for _, c := range []struct {
		settings []debug.BuildSetting
		commit   string
		want     string
	}{
		{[]debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}, "", Version + " (commit 3549679abcde)"},
		{[]debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}}, "ffff", Version + " (commit 3549679abcde, modified)"},
		{nil, rev, Version + " (commit 3549679abcde)"},
		{nil, rev + "-modified", Version + " (commit 3549679abcde, modified)"},
		{nil, "", Version + " (commit unknown)"},
	} {
		if got := versionWith(c.settings, c.commit); got != c.want {
			t.Errorf("versionWith(%v, %q) = %q, want %q", c.settings, c.commit, got, c.want)
		}
	}
}
