package client

import (
	"runtime/debug"
	"strings"
	"sync"
)

// Commit is the source revision pqssh was built from, for builds that
// carry no version-control information (go build -buildvcs=false, or a
// tree without .git): the Makefile sets it with
// -ldflags "-X github.com/pqssh/pqssh/client.Commit=REV" (REV-modified
// for a tree with uncommitted changes).
var Commit string

var versionOnce = sync.OnceValue(func() string {
	info, _ := debug.ReadBuildInfo()
	var settings []debug.BuildSetting
	if info != nil {
		settings = info.Settings
	}
	return versionWith(settings, Commit)
})

// VersionString is pqssh's version for -V and -v: Version and the commit
// it was built from (the build's vcs.revision, else Commit), with
// "modified" when the tree had uncommitted changes.
func VersionString() string { return versionOnce() }

func versionWith(settings []debug.BuildSetting, commit string) string {
	rev, modified := "", false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		rev, modified = strings.CutSuffix(commit, "-modified")
	}
	if rev == "" {
		return Version + " (commit unknown)"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		return Version + " (commit " + rev + ", modified)"
	}
	return Version + " (commit " + rev + ")"
}
