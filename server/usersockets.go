package server

import (
	"errors"
	"fmt"

	"github.com/pqssh/pqssh/server/userproc"
)

// errConnClosed refuses to start a socket helper for a connection that
// has ended.
var errConnClosed = errors.New("connection closed")

// userSockets returns what opens a connection's forwarding sockets (TCP
// and Unix, connecting and listening, and the forwarded agent's socket),
// so that each is created by a process with the user's credentials: in
// unprivileged mode pqsshd itself, which already is the user; as root a
// helper process running as the user (package userproc), started on the
// connection's first forwarding request and stopped when it ends. A
// helper that died is replaced.
func (s *Server) userSockets(st *connState, a *account) (userproc.Opener, error) {
	s.mu.RLock()
	self := s.self
	s.mu.RUnlock()
	if self != nil {
		return userproc.Local{}, nil
	}
	st.sockMu.Lock()
	defer st.sockMu.Unlock()
	if st.socketsClosed {
		return nil, errConnClosed
	}
	if h := st.sockets; h != nil {
		select {
		case <-h.Done():
			s.log.Warn("user socket helper is gone; starting a new one", "conn", st.id, "user", a.Name, "pid", h.Pid())
			h.Close()
			st.sockets = nil
		default:
			return h, nil
		}
	}
	groups := make([]uint32, 0, len(a.Groups))
	for _, g := range a.Groups {
		groups = append(groups, uint32(g))
	}
	h, err := userproc.Start(&userproc.Credential{UID: uint32(a.UID), GID: uint32(a.GID), Groups: groups, Home: a.Home},
		s.log.With("conn", st.id, "user", a.Name))
	if err != nil {
		return nil, fmt.Errorf("starting the user socket helper: %w", err)
	}
	s.log.Debug("user socket helper started", "conn", st.id, "user", a.Name, "pid", h.Pid())
	st.sockets = h
	return h, nil
}

// stopSockets ends the connection's socket helper, if it has one, after
// its forwarding listeners are closed; none is started afterwards.
func (st *connState) stopSockets() {
	st.mu.Lock()
	f := st.fwd
	st.mu.Unlock()
	if f != nil {
		f.closeAll()
	}
	st.sockMu.Lock()
	st.socketsClosed = true
	h := st.sockets
	st.sockets = nil
	st.sockMu.Unlock()
	if h != nil {
		h.Close()
	}
}
