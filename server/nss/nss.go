// Package nss looks up accounts as the C library does, through the Name
// Service Switch (nsswitch.conf(5): files, LDAP, sssd, extrausers…), so
// that an account from any source gets its own login shell and home
// directory. With cgo it calls getpwnam_r(3) and getgrouplist(3); without
// cgo it reads /etc/passwd and /etc/group and falls back to getent(1) for
// names they do not have.
package nss

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrNotFound is the error of a name that no source knows.
var ErrNotFound = errors.New("nss: no such entry")

// Passwd is a passwd(5) entry.
type Passwd struct {
	Name   string
	Passwd string
	UID    int
	GID    int
	Gecos  string
	Home   string
	Shell  string
}

// Group is a group(5) entry's name and id.
type Group struct {
	Name string
	GID  int
}

// parsePasswd parses one passwd(5) line.
func parsePasswd(line string) (*Passwd, error) {
	f := strings.Split(strings.TrimRight(line, "\n"), ":")
	if len(f) != 7 {
		return nil, fmt.Errorf("nss: passwd entry with %d fields", len(f))
	}
	uid, err1 := strconv.Atoi(f[2])
	gid, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("nss: passwd entry %q: bad uid or gid", f[0])
	}
	return &Passwd{Name: f[0], Passwd: f[1], UID: uid, GID: gid, Gecos: f[4], Home: f[5], Shell: f[6]}, nil
}
