package cli

import (
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"sync"

	"github.com/pqssh/pqssh/client"
	"github.com/pqssh/pqssh/client/config"
	"golang.org/x/crypto/ssh/agent"
)

// forwarder keeps the active forwardings for ~# and ~C.
type forwarder struct {
	mu    sync.Mutex
	items []*forwarding
}

type forwarding struct {
	kind byte // 'L', 'R' or 'D'
	f    config.Forward
	port int // the bound port (for -R 0 / -L 0)
	l    net.Listener
}

func (fw *forwarding) String() string {
	switch fw.kind {
	case 'L':
		return fmt.Sprintf("Local forwarding listening on %s port %d, to %s port %d.", orLocal(fw.f.ListenHost), fw.port, fw.f.ConnectHost, fw.f.ConnectPort)
	case 'R':
		return fmt.Sprintf("Remote forwarding listening on %s port %d, to %s port %d.", orLocal(fw.f.ListenHost), fw.port, fw.f.ConnectHost, fw.f.ConnectPort)
	}
	return fmt.Sprintf("Dynamic forwarding (SOCKS) listening on %s port %d.", orLocal(fw.f.ListenHost), fw.port)
}

func orLocal(h string) string {
	if h == "" {
		return "localhost"
	}
	return h
}

// startForwards sets up -L, -R and -D (unless ClearAllForwardings or the
// host key changed).
func (s *session) startForwards() error {
	s.fwd = &forwarder{}
	r := s.cfg
	if r.ClearAllForwardings {
		return nil
	}
	if s.c.HostKeyChanged && (len(r.LocalForwards)+len(r.RemoteForwards)+len(r.DynamicForwards) > 0) {
		s.log.Error("Port forwarding is disabled to avoid man-in-the-middle attacks.")
		return nil
	}
	for _, f := range r.LocalForwards {
		if err := s.addForward('L', f); err != nil {
			if r.ExitOnForwardFailure {
				return err
			}
			s.log.Error("%v", err)
		}
	}
	for _, f := range r.DynamicForwards {
		if err := s.addForward('D', f); err != nil {
			if r.ExitOnForwardFailure {
				return err
			}
			s.log.Error("%v", err)
		}
	}
	for _, f := range r.RemoteForwards {
		if err := s.addForward('R', f); err != nil {
			if r.ExitOnForwardFailure {
				return fmt.Errorf("Error: %v", err)
			}
			s.log.Error("Warning: %v", err)
		}
	}
	return nil
}

func (s *session) addForward(kind byte, f config.Forward) error {
	fw := &forwarding{kind: kind, f: f, port: f.ListenPort}
	var err error
	switch kind {
	case 'L':
		fw.l, err = s.c.ForwardLocal(f, s.cfg.GatewayPorts, s.log)
	case 'D':
		fw.l, err = s.c.ForwardDynamic(f, s.cfg.GatewayPorts, s.log)
	case 'R':
		fw.l, fw.port, err = s.c.ForwardRemote(f, s.log)
		if err == nil && f.ListenPort == 0 {
			s.log.Info("Allocated port %d for remote forward to %s:%d", fw.port, f.ConnectHost, f.ConnectPort)
		}
	}
	if err != nil {
		return err
	}
	if a, ok := fw.l.Addr().(*net.TCPAddr); ok && kind != 'R' {
		fw.port = a.Port
	}
	s.log.Debug(1, "%s", fw)
	s.fwd.mu.Lock()
	s.fwd.items = append(s.fwd.items, fw)
	s.fwd.mu.Unlock()
	return nil
}

// cancelForward closes the forwarding of kind on port (~C -KL/-KR/-KD).
func (s *session) cancelForward(kind byte, port int) bool {
	s.fwd.mu.Lock()
	defer s.fwd.mu.Unlock()
	for i, fw := range s.fwd.items {
		if fw.kind == kind && fw.port == port {
			fw.l.Close()
			s.fwd.items = append(s.fwd.items[:i], s.fwd.items[i+1:]...)
			return true
		}
	}
	return false
}

// stdioForward connects stdin and stdout to host:port on the server's side
// (-W), the building block of ProxyJump.
func (s *session) stdioForward() int {
	conn, err := s.c.Dial("tcp", s.args.stdioFwd)
	if err != nil {
		host, port, _ := net.SplitHostPort(s.args.stdioFwd)
		s.log.Error("channel 0: open failed: connect failed: %v", err)
		s.log.Error("stdio forwarding failed to %s port %s", host, port)
		return exitError
	}
	done := make(chan struct{})
	go func() {
		io.Copy(s.env.Stdout, conn)
		close(done)
	}()
	go func() {
		if !s.cfg.StdinNull {
			io.Copy(conn, s.env.Stdin)
		}
		if cw, ok := conn.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
	}()
	select {
	case <-done:
	case <-waitChan(s.c):
	}
	conn.Close()
	return 0
}

func waitChan(c *client.Client) <-chan struct{} {
	ch := make(chan struct{})
	go func() { c.Wait(); close(ch) }()
	return ch
}

func dialAgent(sock string) agent.ExtendedAgent {
	c, err := net.Dial("unix", sock)
	if err != nil {
		return nil
	}
	return agent.NewClient(c)
}

func execShell(command string) *exec.Cmd {
	return exec.Command("/bin/sh", "-c", command)
}

func itoa(i int) string { return strconv.Itoa(i) }
