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
	listen := fmt.Sprintf("%s port %d", orLocal(fw.f.ListenHost), fw.port)
	if fw.f.ListenPath != "" {
		listen = "path " + fw.f.ListenPath
	}
	to := fmt.Sprintf("%s port %d", fw.f.ConnectHost, fw.f.ConnectPort)
	if fw.f.ConnectPath != "" {
		to = "path " + fw.f.ConnectPath
	}
	switch {
	case fw.kind == 'L':
		return fmt.Sprintf("Local forwarding listening on %s, to %s.", listen, to)
	case fw.kind == 'R' && fw.f.IsDynamic():
		return fmt.Sprintf("Remote dynamic forwarding (SOCKS) listening on %s.", listen)
	case fw.kind == 'R':
		return fmt.Sprintf("Remote forwarding listening on %s, to %s.", listen, to)
	}
	return fmt.Sprintf("Dynamic forwarding (SOCKS) listening on %s.", listen)
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
	o := client.ForwardOptions{
		GatewayPorts:     s.cfg.GatewayPorts,
		BindMask:         s.cfg.StreamLocalBindMask,
		BindUnlink:       s.cfg.StreamLocalBindUnlink,
		PermitRemoteOpen: s.cfg.PermitRemoteOpen,
		Log:              s.log,
	}
	var err error
	switch kind {
	case 'L':
		fw.l, err = s.c.ForwardLocal(f, o)
	case 'D':
		fw.l, err = s.c.ForwardDynamic(f, o)
	case 'R':
		fw.l, fw.port, err = s.c.ForwardRemote(f, o)
		if err == nil && f.ListenPath == "" && f.ListenPort == 0 {
			if f.IsDynamic() {
				s.log.Info("Allocated port %d for remote forward to socks", fw.port)
			} else {
				s.log.Info("Allocated port %d for remote forward to %s", fw.port, f.Connect())
			}
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

// stopForwards closes the local listeners (removing their Unix-domain
// sockets); remote ones end with the connection, without a cancel request
// that a dead server would never answer.
func (s *session) stopForwards() {
	if s.fwd == nil {
		return
	}
	s.fwd.mu.Lock()
	defer s.fwd.mu.Unlock()
	for _, fw := range s.fwd.items {
		if fw.kind != 'R' {
			fw.l.Close()
		}
	}
	s.fwd.items = nil
}

// cancelForward closes the forwarding of kind on port, or on the socket
// path (~C -KL/-KR/-KD).
func (s *session) cancelForward(kind byte, port int, path string) bool {
	s.fwd.mu.Lock()
	defer s.fwd.mu.Unlock()
	for i, fw := range s.fwd.items {
		if fw.kind == kind && ((path == "" && fw.f.ListenPath == "" && fw.port == port) || (path != "" && fw.f.ListenPath == path)) {
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
