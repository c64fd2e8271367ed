package server

import (
	"net"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh/agent"
)

// TestKeyOptionsRefuseEverything: each authorized_keys option refuses every
// kind of request it covers — local and remote TCP forwarding and Unix
// socket forwarding for no-port-forwarding and restrict, agent forwarding
// for no-agent-forwarding and restrict, PTYs for no-pty and restrict —
// and restrict's positive options re-enable exactly what they name.
// (command=, from=, environment=, expiry-time=, permitopen= and no-pty
// alone are in keyopts_test.go and forward_test.go.)
func TestKeyOptionsRefuseEverything(t *testing.T) {
	_, echoPort := echoTarget(t)
	sockDir := t.TempDir()
	for _, tc := range []struct {
		opts                        string
		tcp, unix, agentFwd, ptyReq bool // allowed?
	}{
		{"", true, true, true, true},
		{"no-port-forwarding", false, false, true, true},
		{"no-agent-forwarding", true, true, false, true},
		{"no-pty", true, true, true, false},
		{"restrict", false, false, false, false},
		{"restrict,port-forwarding", true, true, false, false},
		{"restrict,agent-forwarding", false, false, true, false},
		{"restrict,pty", false, false, false, true},
	} {
		t.Run(strings.ReplaceAll(tc.opts, ",", "+"), func(t *testing.T) {
			e := startServer(t, tc.opts, "AllowStreamLocalForwarding yes")
			c := e.mustDial()

			_, err := c.Dial("tcp", net.JoinHostPort("127.0.0.1", itoa(echoPort)))
			if (err == nil) != tc.tcp {
				t.Errorf("local TCP forwarding: err=%v, want allowed=%v", err, tc.tcp)
			}
			l, err := c.Listen("tcp", "127.0.0.1:0")
			if (err == nil) != tc.tcp {
				t.Errorf("remote TCP forwarding: err=%v, want allowed=%v", err, tc.tcp)
			}
			if err == nil {
				l.Close()
			}
			sock := filepath.Join(sockDir, "s-"+strings.ReplaceAll(tc.opts, ",", "+"))
			ul, err := c.ListenUnix(sock)
			if (err == nil) != tc.unix {
				t.Errorf("remote Unix socket forwarding: err=%v, want allowed=%v", err, tc.unix)
			}
			if err == nil {
				ul.Close()
			}

			s, err := c.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := agent.ForwardToAgent(c, agent.NewKeyring()); err != nil {
				t.Fatal(err)
			}
			err = agent.RequestAgentForwarding(s)
			if (err == nil) != tc.agentFwd {
				t.Errorf("agent forwarding: err=%v, want allowed=%v", err, tc.agentFwd)
			}
			err = s.RequestPty("xterm", 24, 80, nil)
			if (err == nil) != tc.ptyReq {
				t.Errorf("pty: err=%v, want allowed=%v", err, tc.ptyReq)
			}
		})
	}
}
