package server

import (
	"errors"
	"fmt"
	"os/user"
	"strconv"
	"strings"

	"github.com/pqssh/pqssh/server/nss"
)

// errNoSuchUser is the error of a user name that names no account.
var errNoSuchUser = errors.New("no such user")

// account is a local user account as sessions need it.
type account struct {
	Name       string
	UID        int
	GID        int
	Home       string
	Shell      string
	Groups     []int    // supplementary group ids, primary included
	GroupNames []string // names of Groups, for AllowGroups/DenyGroups and Match Group
	// Passwd is the password field of /etc/passwd ("x" when the hash is in
	// /etc/shadow), for the locked-account check when there is no shadow
	// entry.
	Passwd string
}

// lookupAccount finds a system account by name, through NSS (package
// nss): the login shell and home directory come from whichever source
// has the account (files, LDAP, sssd, extrausers), as for sshd. A missing
// or empty shell is /bin/sh, as in OpenSSH.
func lookupAccount(name string) (*account, error) {
	u, err := user.Lookup(name)
	var unknown user.UnknownUserError
	if errors.As(err, &unknown) {
		// os/user without cgo reads /etc/passwd only: ask NSS.
		return lookupNSSAccount(name)
	}
	if err != nil {
		return nil, fmt.Errorf("looking up user %q: %w", logSafe(name), err)
	}
	if u.Username != name {
		// The C library read the name only up to a NUL, or matched
		// another spelling: the account is not the one asked for.
		return nil, fmt.Errorf("%w %q (the lookup found %q)", errNoSuchUser, logSafe(name), u.Username)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return nil, fmt.Errorf("user %q: non-numeric uid %q", name, u.Uid)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return nil, fmt.Errorf("user %q: non-numeric gid %q", name, u.Gid)
	}
	a := &account{Name: u.Username, UID: uid, GID: gid, Home: u.HomeDir, Shell: "/bin/sh"}
	if pw, err := nss.Lookup(name); err == nil && pw.UID == uid {
		a.Passwd = pw.Passwd
		if pw.Shell != "" {
			a.Shell = pw.Shell
		}
	}
	if a.Home == "" {
		a.Home = "/"
	}
	gids, err := u.GroupIds()
	if err != nil {
		gids = []string{u.Gid}
	}
	for _, g := range gids {
		n, err := strconv.Atoi(g)
		if err != nil {
			continue
		}
		a.Groups = append(a.Groups, n)
		if gr, err := user.LookupGroupId(g); err == nil {
			a.GroupNames = append(a.GroupNames, gr.Name)
		}
	}
	return a, nil
}

// lookupNSSAccount finds an account that os/user does not know (a build
// without cgo, an account from another NSS source) with package nss.
func lookupNSSAccount(name string) (*account, error) {
	pw, err := nss.Lookup(name)
	if errors.Is(err, nss.ErrNotFound) {
		return nil, fmt.Errorf("%w %q", errNoSuchUser, logSafe(name))
	}
	if err != nil {
		return nil, fmt.Errorf("looking up user %q: %w", logSafe(name), err)
	}
	a := &account{Name: pw.Name, UID: pw.UID, GID: pw.GID, Home: pw.Home, Shell: pw.Shell, Passwd: pw.Passwd}
	if a.Shell == "" {
		a.Shell = "/bin/sh"
	}
	if a.Home == "" {
		a.Home = "/"
	}
	groups, err := nss.Groups(pw.Name, pw.GID)
	if err != nil {
		groups = []nss.Group{{GID: pw.GID}}
	}
	for _, g := range groups {
		a.Groups = append(a.Groups, g.GID)
		if g.Name != "" {
			a.GroupNames = append(a.GroupNames, g.Name)
		}
	}
	return a, nil
}

// logSafe escapes a client-supplied string for a log message as sshd's
// logging does (strnvis(3) with VIS_OCTAL): control characters, DEL and
// non-ASCII bytes become \ooo and a backslash \\, so that a name cannot
// forge log lines or hide characters.
func logSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
