package server

import (
	"errors"
	"log/slog"
	"slices"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/config"
)

// AuthenticationMethods (sshd_config(5)): each list names methods that
// must all succeed, in the order given; a login is complete when every
// method of one list has succeeded. After each successful method that
// completes no list, the client is told "partial success" and offered the
// methods that come next in the lists that it keeps open (OpenSSH's
// auth2_update_methods_lists and authmethods_get).

// authProgress is one connection's AuthenticationMethods state.
type authProgress struct {
	started bool
	lists   [][]string // what remains of each list; nil with "any"
	info    *authInfo  // what the public-key step granted, for the final step
}

// methodAllowed reports whether method may be tried now.
func (p *authProgress) methodAllowed(method string) bool {
	if !p.started || p.lists == nil {
		return true
	}
	return slices.ContainsFunc(p.lists, func(l []string) bool { return len(l) > 0 && l[0] == method })
}

// succeed records a successful method; it reports whether a list is
// complete (the login is), and the methods that may come next otherwise.
func (p *authProgress) succeed(lists [][]string, method string) (complete bool, next []string) {
	if !p.started {
		p.started = true
		for _, l := range lists {
			p.lists = append(p.lists, slices.Clone(l))
		}
	}
	if p.lists == nil {
		return true, nil
	}
	var kept [][]string
	for _, l := range p.lists {
		if len(l) == 0 || l[0] != method {
			continue // a list that does not go on with method is closed
		}
		if len(l) == 1 {
			return true, nil
		}
		kept = append(kept, l[1:])
	}
	p.lists = kept
	for _, l := range kept {
		if !slices.Contains(next, l[0]) {
			next = append(next, l[0])
		}
	}
	return false, next
}

// methodSucceeded is called after a method's own checks passed for
// info's account: it completes the login (returning the Permissions that
// carry info), or answers partial success with the next methods. With
// UsePAM the account stack runs once the login is complete, as in sshd.
func (s *Server) methodSucceeded(st *connState, conn gossh.ConnMetadata, method string, info *authInfo) (*gossh.Permissions, error) {
	lists := info.cfg.AuthMethodLists()
	st.mu.Lock()
	if !st.progress.methodAllowed(method) {
		st.mu.Unlock()
		return nil, errors.New("method not allowed by AuthenticationMethods at this point")
	}
	complete, next := st.progress.succeed(lists, method)
	if method == "publickey" || st.progress.info == nil {
		st.progress.info = info
	} else if prev := st.progress.info; prev.acct.Name == info.acct.Name {
		info = prev // keep the key's options and fingerprint
	}
	st.mu.Unlock()
	if !complete {
		if len(next) == 0 {
			return nil, errors.New("no AuthenticationMethods list can be completed")
		}
		return nil, &gossh.PartialSuccessError{Next: s.nextCallbacks(st, info.cfg, next)}
	}
	if s.usePAM(info.cfg) {
		if err := s.pamAccount(st, info); err != nil {
			return nil, err
		}
	}
	st.authenticated(conn.User())
	return &gossh.Permissions{ExtraData: map[any]any{authInfoKey{}: info}}, nil
}

// nextCallbacks are the methods offered after a partial success.
func (s *Server) nextCallbacks(st *connState, cfg *config.Config, methods []string) gossh.ServerAuthCallbacks {
	var cb gossh.ServerAuthCallbacks
	for _, m := range methods {
		switch m {
		case "publickey":
			cb.PublicKeyCallback = func(conn gossh.ConnMetadata, key gossh.PublicKey) (*gossh.Permissions, error) {
				if _, err := s.authorize(st, conn.User(), key); err != nil {
					s.sshdLine(slog.LevelInfo, "Failed publickey for %s from %s ssh2: %s", userForLog(st, conn.User()), peerForLog(st), keyLogInfo(key))
					return nil, err
				}
				return nil, nil
			}
		case "password":
			if s.passwordOffered(cfg) {
				cb.PasswordCallback = func(conn gossh.ConnMetadata, pw []byte) (*gossh.Permissions, error) {
					return s.passwordAuth(st, conn, pw)
				}
			}
		case "keyboard-interactive":
			if s.kbdIntOffered(cfg) {
				cb.KeyboardInteractiveCallback = func(conn gossh.ConnMetadata, ch gossh.KeyboardInteractiveChallenge) (*gossh.Permissions, error) {
					return s.kbdIntAuth(st, conn, ch)
				}
			}
		}
	}
	return cb
}

// checkAuthLists applies sshd's check of the AuthenticationMethods in
// force for a connection's user (Match blocks applied): a list that names
// a disabled method is skipped, with sshd's log line; when none is left
// the connection ends, as sshd disconnects it ("no authentication methods
// enabled"). The lists left are cfg.AuthMethodLists.
func (s *Server) checkAuthLists(st *connState, cfg *config.Config) error {
	skipped := cfg.DisabledAuthMethodLists()
	if len(skipped) == 0 {
		return nil
	}
	if st.firstTime("disabled authentication methods lists") {
		for _, l := range skipped {
			s.sshdLine(slog.LevelInfo, "Authentication methods list \"%s\" contains disabled method, skipping", logSafe(l))
		}
	}
	if err := cfg.CheckAuthenticationMethods(); err != nil {
		if st.firstTime("no authentication methods lists") {
			s.sshdLine(slog.LevelError, "No AuthenticationMethods left after eliminating disabled methods")
		}
		st.conn.Close()
		return errors.New("no authentication methods enabled")
	}
	return nil
}
