//go:build !cgo || !linux

package nss

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// getentTimeout bounds one getent(1) run (a network source may hang).
const getentTimeout = 10 * time.Second

// maxGetent bounds what is read of getent's output.
const maxGetent = 1 << 20

// getent runs getent(1) for database and keys and returns its lines;
// exit status 2 (key not found) is ErrNotFound.
func getent(db string, keys ...string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), getentTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "getent", append([]string{db, "--"}, keys...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("nss: getent: %w", err)
	}
	data, _ := io.ReadAll(io.LimitReader(out, maxGetent))
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 2 {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("nss: getent %s: %w", db, err)
	}
	return strings.Split(strings.TrimRight(string(data), "\n"), "\n"), nil
}

// filesLookup finds name in a colon-separated file (its first field).
func filesLookup(path, name string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 64<<20))
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, name+":") {
			return l, true
		}
	}
	return "", false
}

// Lookup returns name's passwd entry: from /etc/passwd, else from
// getent(1), which asks every source of nsswitch.conf.
func Lookup(name string) (*Passwd, error) {
	if strings.ContainsAny(name, ":\n") || name == "" {
		return nil, ErrNotFound
	}
	if l, ok := filesLookup("/etc/passwd", name); ok {
		return parsePasswd(l)
	}
	lines, err := getent("passwd", name)
	if err != nil {
		return nil, err
	}
	p, err := parsePasswd(lines[0])
	if err != nil {
		return nil, err
	}
	if p.Name != name {
		return nil, ErrNotFound
	}
	return p, nil
}

// Groups returns the groups of user whose primary group is gid: getent's
// initgroups database (every source), with their names from getent group.
func Groups(user string, gid int) ([]Group, error) {
	ids := []int{gid}
	if lines, err := getent("initgroups", user); err == nil {
		f := strings.Fields(lines[0])
		for _, s := range f[1:] {
			if g, err := strconv.Atoi(s); err == nil && g != gid {
				ids = append(ids, g)
			}
		}
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	out := make([]Group, 0, len(ids))
	for _, g := range ids {
		name := ""
		if lines, err := getent("group", strconv.Itoa(g)); err == nil {
			name, _, _ = strings.Cut(lines[0], ":")
		}
		out = append(out, Group{GID: g, Name: name})
	}
	return out, nil
}
