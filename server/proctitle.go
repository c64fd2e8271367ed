package server

import (
	"slices"

	"github.com/pqssh/pqssh/internal/proctitle"
	"github.com/pqssh/pqssh/server/config"
)

// Process titles of a session process, as OpenSSH 10's sshd-session shows
// them in ps: "[accepted]" until the client names a user, then
// "alice [priv]" ("unknown [priv]" for a user that does not exist), then,
// authenticated, "alice" and, with sessions running, "alice@pts/0" or
// "alice@notty". In pqsshd -r the listener serves every connection and
// keeps its own title: these apply to session processes only (st.link).

// titleAccepted shows that the process serves a connection.
func (st *connState) titleAccepted() {
	if st.link != nil {
		proctitle.Accepted()
	}
}

// titleUserNamed shows the first user name the client asks for.
func (st *connState) titleUserNamed(user string, valid bool) {
	if st.link != nil && st.firstTime("process title") {
		if st.server.role == roleNet {
			proctitle.Net(user, valid)
		} else {
			proctitle.Priv(user, valid)
		}
	}
}

// titleAuthenticated shows the authenticated user.
func (st *connState) titleAuthenticated(user string) {
	if st.link != nil {
		proctitle.Set("%s", user)
	}
}

// titleSession shows a starting session (tty is its terminal's device, ""
// for none) and returns the function that removes it when it ends.
func (st *connState) titleSession(tty string) (ended func()) {
	if st.link == nil {
		return func() {}
	}
	st.mu.Lock()
	if tty != "" {
		st.ttys = append(st.ttys, tty)
	}
	st.showSessionsLocked()
	st.mu.Unlock()
	return func() {
		st.mu.Lock()
		if i := slices.Index(st.ttys, tty); tty != "" && i >= 0 {
			st.ttys = slices.Delete(st.ttys, i, i+1)
		}
		st.showSessionsLocked()
		st.mu.Unlock()
	}
}

func (st *connState) showSessionsLocked() {
	proctitle.Sessions(st.user, st.ttys)
}

// ShowStartupsInTitle makes the process title show the connections that
// have not authenticated yet against MaxStartups, as sshd's listener does:
// "pqsshd: /usr/sbin/pqsshd -D [listener] 0 of 10-100 startups".
func (s *Server) ShowStartupsInTitle() {
	s.mu.Lock()
	l := s.startups
	s.mu.Unlock()
	l.mu.Lock()
	l.onChange = func(n int, m config.MaxStartups) { proctitle.Listener(n, m.Start, m.Full) }
	l.notifyLocked()
	l.mu.Unlock()
}

// notifyLocked tells onChange the current count and limits.
func (l *startupLimiter) notifyLocked() {
	if l.onChange != nil {
		l.onChange(l.n, l.limits)
	}
}
