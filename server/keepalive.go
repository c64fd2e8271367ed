package server

import (
	"time"

	glssh "github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/config"
)

// startKeepalive starts ClientAliveInterval probing once per connection:
// every interval a keepalive@openssh.com request is sent; after
// ClientAliveCountMax unanswered probes the connection is closed
// (sshd_config(5)).
func (s *Server) startKeepalive(ctx glssh.Context, conn *gossh.ServerConn, st *connState, cfg *config.Config) {
	if cfg.ClientAliveInterval <= 0 {
		return
	}
	st.mu.Lock()
	started := st.keepalive
	st.keepalive = true
	st.mu.Unlock()
	if started {
		return
	}
	go func() {
		t := time.NewTicker(cfg.ClientAliveInterval)
		defer t.Stop()
		missed := 0
		replies := make(chan error, 1)
		pending := false
		for {
			select {
			case <-ctx.Done():
				return
			case err := <-replies:
				pending = false
				if err != nil {
					return
				}
				missed = 0
			case <-t.C:
				if pending {
					missed++
					if missed >= cfg.ClientAliveCountMax {
						s.log.Info("client not responding: ClientAliveCountMax reached; closing", "conn", st.id, "peer", st.peer)
						conn.Close()
						return
					}
					continue
				}
				pending = true
				go func() {
					_, _, err := conn.SendRequest("keepalive@openssh.com", true, nil)
					replies <- err
				}()
			}
		}
	}()
}
