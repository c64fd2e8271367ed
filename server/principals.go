package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/authkeys"
	"github.com/pqssh/pqssh/server/config"
)

// usesAuthorizedPrincipals reports whether AuthorizedPrincipalsFile or
// AuthorizedPrincipalsCommand is set: then a certificate from a
// TrustedUserCAKeys CA must carry a principal they list, and the user name
// is no longer enough.
func usesAuthorizedPrincipals(c *config.Config) bool {
	set := func(v string) bool { return v != "" && !strings.EqualFold(v, "none") }
	return set(c.AuthorizedPrincipalsFile) || set(c.AuthorizedPrincipalsCommand)
}

// authorizedPrincipal finds the first line of the user's
// AuthorizedPrincipalsFile, then of AuthorizedPrincipalsCommand's output,
// that names one of cert's principals, and returns that principal and the
// line's key options. The file is read with the user's credentials and
// StrictModes, like authorized_keys.
func (s *Server) authorizedPrincipal(c *config.Config, a *account, cert *gossh.Certificate) (string, authkeys.Options, error) {
	var sources []string
	if f := c.AuthorizedPrincipalsFile; f != "" && !strings.EqualFold(f, "none") {
		p, err := authkeys.ExpandPath(f, a.Name, a.Home, a.UID)
		if err != nil {
			return "", authkeys.Options{}, fmt.Errorf("AuthorizedPrincipalsFile: %w", err)
		}
		var data []byte
		err = s.asUser(a, func() error {
			var err error
			data, err = readAuthorizedKeys(p, a, c.StrictModes)
			return err
		})
		if err != nil {
			s.log.Debug("AuthorizedPrincipalsFile not read", "user", a.Name, "err", err)
		} else if pr, opts, ok := matchPrincipals(data, cert); ok {
			return pr, opts, nil
		}
		sources = append(sources, p)
	}
	out, err := s.runAuthCommand(authCommand{
		keyword: "AuthorizedPrincipalsCommand", command: c.AuthorizedPrincipalsCommand,
		user: c.AuthorizedPrincipalsCommandUser, certTokens: true,
	}, a, cert)
	if err != nil {
		s.log.Info("AuthorizedPrincipalsCommand failed", "user", a.Name, "err", err)
	}
	if out != nil {
		if pr, opts, ok := matchPrincipals(out, cert); ok {
			return pr, opts, nil
		}
		sources = append(sources, "AuthorizedPrincipalsCommand")
	}
	if len(sources) == 0 {
		return "", authkeys.Options{}, errors.New("certificate does not contain an authorized principal")
	}
	return "", authkeys.Options{}, fmt.Errorf("certificate principals %v: none listed in %s", cert.ValidPrincipals, strings.Join(sources, " or "))
}

// matchPrincipals reads authorized principals lines (sshd's
// auth_check_principals_line): a '#' starts a comment, blank lines are
// skipped, the last word of a line is a principal and what comes before
// it key options as in authorized_keys. It returns the first line's
// principal that is one of cert's, with the line's options; a line whose
// options do not parse is skipped.
func matchPrincipals(data []byte, cert *gossh.Certificate) (string, authkeys.Options, bool) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxAuthorizedKeysSize)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.Trim(line, " \t\r\n")
		if line == "" {
			continue
		}
		principal, opts := line, ""
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			i = strings.LastIndexByte(line, '\t')
		}
		if i >= 0 {
			opts, principal = line[:i], strings.TrimLeft(line[i:], " \t")
		}
		o, err := authkeys.ParseOptions(opts)
		if err != nil {
			continue
		}
		if slices.Contains(cert.ValidPrincipals, principal) {
			return principal, o, true
		}
	}
	return "", authkeys.Options{}, false
}
