package server

import (
	"errors"
	"net"
	"time"

	"github.com/pqssh/pqssh/server/loginrec"
	"github.com/pqssh/pqssh/server/wtmpdb"
)

// loginRecord describes a terminal session for utmp, wtmp and lastlog:
// the session's program (its pid), its terminal, and the client's address
// (sshd writes the address unless UseDNS resolves a name).
func (ss *session) loginRecord(pid int, pt *ptyState) loginrec.Record {
	host, _, err := net.SplitHostPort(ss.conn.RemoteAddr().String())
	if err != nil {
		host = ss.conn.RemoteAddr().String()
	}
	return loginrec.Record{User: ss.info.acct.Name, UID: ss.info.acct.UID, PID: pid, Line: pt.name, Host: host, Time: time.Now()}
}

// recordLogin writes a terminal session's login records — utmp, wtmp,
// lastlog and, where the system has it, wtmpdb (package wtmpdb, as
// Debian's sshd) — and returns the function that writes its logout
// records. Only as root: in unprivileged mode the files are not pqsshd's
// to write. A failure is logged, not fatal: sshd goes on too.
func (s *Server) recordLogin(r loginrec.Record) (logout func()) {
	s.mu.RLock()
	self := s.self
	s.mu.RUnlock()
	if self != nil {
		return func() {}
	}
	warn := func(err error) {
		if err != nil && !errors.Is(err, wtmpdb.ErrUnavailable) {
			s.log.Warn("writing login records", "user", r.User, "tty", r.Line, "err", err)
		}
	}
	warn(s.loginFiles.Login(r))
	id, dbErr := int64(0), wtmpdb.ErrUnavailable
	if s.loginFiles.WtmpDB {
		id, dbErr = wtmpdb.Login(r.User, r.Time, r.Line, r.Host)
		warn(dbErr)
	}
	return func() {
		r.Time = time.Now()
		warn(s.loginFiles.Logout(r))
		if dbErr == nil {
			warn(wtmpdb.Logout(id, r.Time))
		}
	}
}
