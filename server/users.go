package server

import (
	"bufio"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
)

// account is a local user account as sessions need it.
type account struct {
	Name       string
	UID        int
	GID        int
	Home       string
	Shell      string
	Groups     []int    // supplementary group ids, primary included
	GroupNames []string // names of Groups, for AllowGroups/DenyGroups and Match Group
}

// lookupAccount finds a system account by name. The login shell comes from
// /etc/passwd (os/user does not report it); a missing or empty shell is
// /bin/sh, as in OpenSSH.
func lookupAccount(name string) (*account, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("no such user %q: %w", name, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return nil, fmt.Errorf("user %q: non-numeric uid %q", name, u.Uid)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return nil, fmt.Errorf("user %q: non-numeric gid %q", name, u.Gid)
	}
	a := &account{Name: u.Username, UID: uid, GID: gid, Home: u.HomeDir, Shell: loginShell(u.Username)}
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

// loginShell reads a user's shell from /etc/passwd.
func loginShell(name string) string {
	f, err := os.Open("/etc/passwd")
	if err != nil {
		return "/bin/sh"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) >= 7 && fields[0] == name {
			if fields[6] == "" {
				return "/bin/sh"
			}
			return fields[6]
		}
	}
	return "/bin/sh"
}
