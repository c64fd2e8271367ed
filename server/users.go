package server

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
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

// lookupAccount finds a system account by name. The login shell comes from
// /etc/passwd (os/user does not report it); a missing or empty shell is
// /bin/sh, as in OpenSSH.
func lookupAccount(name string) (*account, error) {
	u, err := user.Lookup(name)
	if err != nil {
		var unknown user.UnknownUserError
		if errors.As(err, &unknown) {
			return nil, fmt.Errorf("%w %q", errNoSuchUser, logSafe(name))
		}
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
	passwd, shell := passwdFields(u.Username)
	a := &account{Name: u.Username, UID: uid, GID: gid, Home: u.HomeDir, Shell: shell, Passwd: passwd}
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

// passwdFields reads a user's password field and login shell from
// /etc/passwd (os/user reports neither). A missing or empty shell is
// /bin/sh, as in OpenSSH.
func passwdFields(name string) (passwd, shell string) {
	f, err := os.Open("/etc/passwd")
	if err != nil {
		return "", "/bin/sh"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) >= 7 && fields[0] == name {
			if fields[6] == "" {
				return fields[1], "/bin/sh"
			}
			return fields[1], fields[6]
		}
	}
	return "", "/bin/sh"
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
