package nss

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// TestLookupRoot: root's entry matches /etc/passwd's line (in this build:
// getpwnam_r with cgo, the files without), and an unknown name is
// ErrNotFound.
func TestLookupRoot(t *testing.T) {
	data, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	var want *Passwd
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "root:") {
			if want, err = parsePasswd(l); err != nil {
				t.Fatal(err)
			}
		}
	}
	if want == nil {
		t.Fatal("no root line in /etc/passwd")
	}
	got, err := Lookup("root")
	if err != nil || *got != *want {
		t.Fatalf("Lookup(root) = %+v, %v; want %+v", got, err, want)
	}
	if _, err := Lookup("pqsshd-no-such-user"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown user: %v, want ErrNotFound", err)
	}
	gs, err := Groups("root", 0)
	if err != nil || len(gs) == 0 || gs[0].GID != 0 || gs[0].Name != "root" {
		t.Fatalf("Groups(root) = %+v, %v", gs, err)
	}
}

func TestParsePasswd(t *testing.T) {
	p, err := parsePasswd("ann:x:1001:1002:Ann,,,:/home/ann:/bin/zsh\n")
	if err != nil || p.Name != "ann" || p.UID != 1001 || p.GID != 1002 || p.Home != "/home/ann" || p.Shell != "/bin/zsh" {
		t.Fatalf("%+v %v", p, err)
	}
	for _, bad := range []string{"ann:x:1001:1002:/home/ann:/bin/zsh", "ann:x:u:1002::/h:/s"} {
		if _, err := parsePasswd(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
