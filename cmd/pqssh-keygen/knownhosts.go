package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshkey"
)

// knownHostsMode is -F (find), -R (remove) and -H (hash) on a known_hosts
// file (-f, default ~/.ssh/known_hosts).
func knownHostsMode(o *opts, e *env) error {
	path := o.val['f']
	if path == "" {
		path = homeSSH("known_hosts")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	lines := sshkey.ParseKnownHosts(string(data))
	hash := o.flags['H']
	markerLabel := func(k *sshkey.KnownHost) string {
		switch k.Marker {
		case "@cert-authority":
			return "CA"
		case "@revoked":
			return "REVOKED"
		}
		return ""
	}

	if host, ok := o.val['F']; ok {
		found := false
		fpHash, err := fingerprintHash(o)
		if err != nil {
			return err
		}
		for i := range lines {
			k := &lines[i]
			if !k.Matches(host) {
				continue
			}
			found = true
			if !o.flags['q'] {
				fmt.Fprintf(e.stdout, "# Host %s found: line %d %s\n", host, k.Num, markerLabel(k))
			}
			switch {
			case hash:
				out, _ := hashLine(k, "")
				fmt.Fprint(e.stdout, out)
			case o.flags['l']:
				_, _, pub, _, _, err := ssh.ParseKnownHosts([]byte(k.Line))
				if err != nil {
					return fmt.Errorf("%s:%d: %w", path, k.Num, err)
				}
				fmt.Fprintf(e.stdout, "%s %s %s\n", host, sshkey.KeyTypeLabel(pub), sshkey.Fingerprint(pub, fpHash))
			default:
				fmt.Fprintln(e.stdout, k.Line)
			}
		}
		if !found {
			return exitError(1)
		}
		return nil
	}

	var out strings.Builder
	found, unhashed := false, false
	remove, removing := o.val['R']
	for i := range lines {
		k := &lines[i]
		switch {
		case removing && k.Marker == "" && k.Matches(remove):
			found = true
			if !o.flags['q'] {
				fmt.Fprintf(e.stdout, "# Host %s found: line %d\n", remove, k.Num)
			}
		case !removing && hash:
			h, hashedSome := hashLine(k, "")
			if k.Hosts != "" && k.Wildcard() && !k.Hashed() {
				logit(e.stderr, "%s:%d: ignoring host name with wildcard: %.64s", path, k.Num, k.Hosts)
			}
			unhashed = unhashed || hashedSome
			out.WriteString(h)
		default:
			out.WriteString(k.Line + "\n")
		}
	}
	if removing && !found {
		logit(e.stderr, "Host %s not found in %s", remove, path)
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp := path + ".XXXXXXXXXX"
	if err := os.WriteFile(tmp, []byte(out.String()), fi.Mode().Perm()); err != nil {
		return fmt.Errorf("mkstemp: %w", err)
	}
	old := path + ".old"
	if err := os.Remove(old); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("unlink %s: %w", old, err)
	}
	if err := os.Link(path, old); err != nil {
		return fmt.Errorf("link %s to %s: %w", path, old, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename \"%s\" to \"%s\": %w", tmp, path, err)
	}
	fmt.Fprintf(e.stdout, "%s updated.\nOriginal contents retained as %s\n", path, old)
	if unhashed {
		logit(e.stderr, "WARNING: %s contains unhashed entries", old)
		logit(e.stderr, "Delete this file to ensure privacy of hostnames")
	}
	return nil
}

// hashLine is ssh-keygen's known_hosts_hash: a line with plain names becomes
// one line per name with the name hashed (only the name only if given);
// comments, hashed names, wildcards and marked lines stay as they are.
func hashLine(k *sshkey.KnownHost, only string) (string, bool) {
	if k.Hosts == "" || k.Hashed() || k.Wildcard() || k.Marker != "" {
		return k.Line + "\n", false
	}
	var b strings.Builder
	for _, name := range strings.Split(k.Hosts, ",") {
		if name == "" || (only != "" && !strings.EqualFold(name, only)) {
			continue
		}
		h, err := sshkey.HashHost(name)
		if err != nil {
			return k.Line + "\n", false
		}
		b.WriteString(h + " " + k.Rest + "\n")
	}
	return b.String(), true
}
