package server

import (
	"net"
	"time"

	"github.com/pqssh/pqssh/server/loginrec"
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

// writeLoginRecord writes a terminal session's login or logout records,
// as root only (in unprivileged mode the files are not pqsshd's to
// write). A failure is logged, not fatal: sshd goes on too.
func (s *Server) writeLoginRecord(r loginrec.Record, login bool) {
	s.mu.RLock()
	self := s.self
	s.mu.RUnlock()
	if self != nil {
		return
	}
	var err error
	if login {
		err = s.loginFiles.Login(r)
	} else {
		r.Time = time.Now()
		err = s.loginFiles.Logout(r)
	}
	if err != nil {
		s.log.Warn("writing login records", "user", r.User, "tty", r.Line, "err", err)
	}
}
