// Package sshtest is an in-process SSH server for pqssh's client tests,
// built on golang.org/x/crypto/ssh: public-key and password
// authentication, exec/shell/subsystem sessions run with /bin/sh, exit
// status and signals, direct-tcpip, tcpip-forward and agent forwarding.
package sshtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Server is a running test server.
type Server struct {
	Addr    *net.TCPAddr
	HostKey ssh.Signer
	// Config is the server configuration; change it before Start.
	Config *ssh.ServerConfig

	mu         sync.Mutex
	authorized [][]byte
	password   string
	kex        []string
	banner     string
	sizes      [][2]int
	conns      int
	l          net.Listener
	// Env records the environment variables clients set.
	Env map[string]string
	// PtyRequested is set when a client asked for a PTY.
	PtyRequested bool
	// Announce, if set before Start, are the host keys the server lists
	// after authentication (hostkeys-00@openssh.com) and proves
	// (hostkeys-prove-00@openssh.com), as OpenSSH's sshd does.
	Announce []ssh.Signer
	// userCA, when set by TrustUserCA, signs the user certificates the
	// server accepts; accepted records the key IDs it accepted.
	userCA   ssh.PublicKey
	accepted []string
}

// TrustUserCA makes the server accept user certificates signed by ca for
// the login user (as sshd's TrustedUserCAKeys with the user name as
// principal); plain keys are still checked against the authorized ones.
func (s *Server) TrustUserCA(ca ssh.PublicKey) {
	s.mu.Lock()
	s.userCA = ca
	s.mu.Unlock()
}

// AcceptedCertificates returns the key IDs of the user certificates the
// server accepted, in order.
func (s *Server) AcceptedCertificates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.accepted...)
}

// New returns a server with a fresh Ed25519 host key that accepts the
// given public keys; it is not listening yet.
func New(t testing.TB, keys ...ssh.PublicKey) *Server {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hk, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{HostKey: hk, Env: map[string]string{}}
	for _, k := range keys {
		s.authorized = append(s.authorized, k.Marshal())
	}
	s.Config = &ssh.ServerConfig{
		PublicKeyCallback: func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if cert, ok := key.(*ssh.Certificate); ok {
				if s.userCA == nil {
					return nil, fmt.Errorf("no user CA")
				}
				ca := s.userCA
				checker := &ssh.CertChecker{IsUserAuthority: func(auth ssh.PublicKey) bool {
					return string(auth.Marshal()) == string(ca.Marshal())
				}}
				if _, err := checker.Authenticate(c, cert); err != nil {
					return nil, err
				}
				s.accepted = append(s.accepted, cert.KeyId)
				return &ssh.Permissions{}, nil
			}
			for _, a := range s.authorized {
				if string(a) == string(key.Marshal()) {
					return &ssh.Permissions{}, nil
				}
			}
			return nil, fmt.Errorf("unknown key")
		},
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.password != "" && string(pw) == s.password {
				return &ssh.Permissions{}, nil
			}
			return nil, fmt.Errorf("bad password")
		},
	}
	s.Config.AddHostKey(hk)
	return s
}

// SetPassword enables password authentication with pw.
func (s *Server) SetPassword(pw string) {
	s.mu.Lock()
	s.password = pw
	s.mu.Unlock()
}

// Start listens on 127.0.0.1 and serves until the test ends.
func (s *Server) Start(t testing.TB) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.l = l
	s.Addr = l.Addr().(*net.TCPAddr)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

// Port returns the listening port.
func (s *Server) Port() int { return s.Addr.Port }

// Conns returns the number of connections that authenticated so far.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// TerminalSizes returns the terminal sizes (columns, rows) clients sent:
// in pty-req, then in each window-change.
func (s *Server) TerminalSizes() [][2]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][2]int(nil), s.sizes...)
}

// SetBanner makes the server send msg as its SSH_MSG_USERAUTH_BANNER
// ("" sends none).
func (s *Server) SetBanner(msg string) {
	s.mu.Lock()
	s.banner = msg
	s.mu.Unlock()
}

// SetKeyExchanges limits the key exchanges the server offers.
func (s *Server) SetKeyExchanges(names ...string) {
	s.mu.Lock()
	s.kex = names
	s.mu.Unlock()
}

func (s *Server) serve(nc net.Conn) {
	// Each connection gets its own copy: the SSH library fills in
	// defaults in the config it is given.
	s.mu.Lock()
	cfg := *s.Config
	cfg.KeyExchanges = s.kex
	if banner := s.banner; banner != "" {
		cfg.BannerCallback = func(ssh.ConnMetadata) string { return banner }
	}
	s.mu.Unlock()
	conn, chans, reqs, err := ssh.NewServerConn(nc, &cfg)
	if err != nil {
		nc.Close()
		return
	}
	defer conn.Close()
	s.mu.Lock()
	s.conns++
	s.mu.Unlock()
	if len(s.Announce) > 0 {
		var payload []byte
		for _, k := range s.Announce {
			payload = appendStr(payload, k.PublicKey().Marshal())
		}
		conn.SendRequest("hostkeys-00@openssh.com", false, payload)
	}
	go s.globalRequests(conn, reqs)
	for nch := range chans {
		switch nch.ChannelType() {
		case "session":
			ch, rq, err := nch.Accept()
			if err != nil {
				continue
			}
			go s.session(conn, ch, rq)
		case "direct-tcpip":
			var d struct {
				Host  string
				Port  uint32
				OHost string
				OPort uint32
			}
			if err := ssh.Unmarshal(nch.ExtraData(), &d); err != nil {
				nch.Reject(ssh.ConnectionFailed, "bad request")
				continue
			}
			target, err := net.Dial("tcp", net.JoinHostPort(d.Host, strconv.Itoa(int(d.Port))))
			if err != nil {
				nch.Reject(ssh.ConnectionFailed, err.Error())
				continue
			}
			ch, rq, err := nch.Accept()
			if err != nil {
				target.Close()
				continue
			}
			go ssh.DiscardRequests(rq)
			go splice(ch, target)
		case "direct-streamlocal@openssh.com":
			// OpenSSH PROTOCOL 2.4: socket path, reserved string and uint32.
			var d struct {
				Path     string
				Reserved string
				RPort    uint32
			}
			if err := ssh.Unmarshal(nch.ExtraData(), &d); err != nil {
				nch.Reject(ssh.ConnectionFailed, "bad request")
				continue
			}
			target, err := net.Dial("unix", d.Path)
			if err != nil {
				nch.Reject(ssh.ConnectionFailed, err.Error())
				continue
			}
			ch, rq, err := nch.Accept()
			if err != nil {
				target.Close()
				continue
			}
			go ssh.DiscardRequests(rq)
			go splice(ch, target)
		default:
			nch.Reject(ssh.UnknownChannelType, "unsupported")
		}
	}
}

func splice(ch ssh.Channel, c net.Conn) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		io.Copy(c, ch)
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
	}()
	go func() {
		defer wg.Done()
		io.Copy(ch, c)
		ch.CloseWrite()
	}()
	wg.Wait()
	ch.Close()
	c.Close()
}

func (s *Server) globalRequests(conn *ssh.ServerConn, reqs <-chan *ssh.Request) {
	for r := range reqs {
		switch r.Type {
		case "hostkeys-prove-00@openssh.com":
			var resp []byte
			ok := true
			for rest := r.Payload; len(rest) > 0 && ok; {
				var m struct {
					Blob []byte
					Rest []byte `ssh:"rest"`
				}
				if ssh.Unmarshal(rest, &m) != nil {
					ok = false
					break
				}
				rest = m.Rest
				ok = false
				for _, k := range s.Announce {
					if string(k.PublicKey().Marshal()) != string(m.Blob) {
						continue
					}
					data := ssh.Marshal(struct {
						Name string
						ID   []byte
						Blob []byte
					}{"hostkeys-prove-00@openssh.com", conn.SessionID(), m.Blob})
					sig, err := k.Sign(rand.Reader, data)
					if err == nil {
						resp = appendStr(resp, ssh.Marshal(sig))
						ok = true
					}
				}
			}
			r.Reply(ok, resp)
		case "tcpip-forward":
			var req struct {
				Addr string
				Port uint32
			}
			if err := ssh.Unmarshal(r.Payload, &req); err != nil {
				r.Reply(false, nil)
				continue
			}
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(req.Port))))
			if err != nil {
				r.Reply(false, nil)
				continue
			}
			port := uint32(l.Addr().(*net.TCPAddr).Port)
			var reply []byte
			if req.Port == 0 {
				reply = binary.BigEndian.AppendUint32(nil, port)
			}
			r.Reply(true, reply)
			go func() {
				defer l.Close()
				go func() { conn.Wait(); l.Close() }()
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					ra := c.RemoteAddr().(*net.TCPAddr)
					payload := ssh.Marshal(struct {
						Addr  string
						Port  uint32
						OAddr string
						OPort uint32
					}{req.Addr, port, ra.IP.String(), uint32(ra.Port)})
					ch, rq, err := conn.OpenChannel("forwarded-tcpip", payload)
					if err != nil {
						c.Close()
						continue
					}
					go ssh.DiscardRequests(rq)
					go splice(ch, c)
				}
			}()
		case "streamlocal-forward@openssh.com":
			var req struct{ Path string }
			if err := ssh.Unmarshal(r.Payload, &req); err != nil {
				r.Reply(false, nil)
				continue
			}
			l, err := net.Listen("unix", req.Path)
			if err != nil {
				r.Reply(false, nil)
				continue
			}
			r.Reply(true, nil)
			go func() {
				defer l.Close()
				go func() { conn.Wait(); l.Close() }()
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					payload := ssh.Marshal(struct {
						Path     string
						Reserved string
					}{req.Path, ""})
					ch, rq, err := conn.OpenChannel("forwarded-streamlocal@openssh.com", payload)
					if err != nil {
						c.Close()
						continue
					}
					go ssh.DiscardRequests(rq)
					go splice(ch, c)
				}
			}()
		default:
			if r.WantReply {
				r.Reply(r.Type == "keepalive@openssh.com", nil)
			}
		}
	}
}

func (s *Server) session(conn *ssh.ServerConn, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + os.TempDir()}
	agentFwd := false
	for req := range reqs {
		switch req.Type {
		case "env":
			var kv struct{ Name, Value string }
			ssh.Unmarshal(req.Payload, &kv)
			s.mu.Lock()
			s.Env[kv.Name] = kv.Value
			s.mu.Unlock()
			env = append(env, kv.Name+"="+kv.Value)
			req.Reply(true, nil)
		case "pty-req":
			var p struct {
				Term          string
				Cols, Rows    uint32
				Width, Height uint32
				Modes         string
			}
			ssh.Unmarshal(req.Payload, &p)
			s.mu.Lock()
			s.PtyRequested = true
			s.sizes = append(s.sizes, [2]int{int(p.Cols), int(p.Rows)})
			s.mu.Unlock()
			req.Reply(true, nil)
		case "window-change":
			var w struct{ Cols, Rows, Width, Height uint32 }
			ssh.Unmarshal(req.Payload, &w)
			s.mu.Lock()
			s.sizes = append(s.sizes, [2]int{int(w.Cols), int(w.Rows)})
			s.mu.Unlock()
		case "auth-agent-req@openssh.com":
			agentFwd = true
			req.Reply(true, nil)
		case "exec", "shell", "subsystem":
			var cmd string
			if req.Type != "shell" {
				var p struct{ S string }
				if err := ssh.Unmarshal(req.Payload, &p); err != nil {
					req.Reply(false, nil)
					return
				}
				cmd = p.S
			}
			if req.Type == "subsystem" && cmd == "pqssh-test-late-status" {
				// Output, EOF, and only later the exit status and close:
				// a client must wait for the status after EOF.
				req.Reply(true, nil)
				go func() {
					io.WriteString(ch, "out\n")
					ch.CloseWrite()
					time.Sleep(300 * time.Millisecond)
					ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, 7))
					ch.Close()
				}()
				continue
			}
			if req.Type == "subsystem" {
				if cmd != "sftp" {
					req.Reply(false, nil)
					return
				}
				req.Reply(true, nil)
				s.sftp(ch)
				return
			}
			req.Reply(true, nil)
			if cmd == "pqssh-test-agent-list" {
				s.agentList(conn, ch, agentFwd)
				return
			}
			// Keep serving requests (window-change) while it runs.
			go func() {
				s.run(ch, cmd, env)
				ch.Close()
			}()
		default:
			if req.WantReply {
				req.Reply(false, nil)
			}
		}
	}
}

// sftp serves the "sftp" subsystem in-process (github.com/pkg/sftp).
func (s *Server) sftp(ch ssh.Channel) {
	srv, err := sftp.NewServer(ch)
	if err != nil {
		return
	}
	// Serve ends when the client closes its side; like sftp-server, exit
	// with status 0 then.
	// srv.Close would close the channel before the exit status is sent.
	srv.Serve()
	ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, 0))
}

// agentList writes the forwarded agent's keys (one authorized_keys line
// each) to the session's stdout: the server end of agent forwarding.
func (s *Server) agentList(conn *ssh.ServerConn, ch ssh.Channel, requested bool) {
	status := func(n uint32) {
		ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, n))
	}
	if !requested {
		fmt.Fprintln(ch.Stderr(), "no agent forwarding requested")
		status(2)
		return
	}
	ac, rq, err := conn.OpenChannel("auth-agent@openssh.com", nil)
	if err != nil {
		fmt.Fprintln(ch.Stderr(), "open agent channel:", err)
		status(3)
		return
	}
	go ssh.DiscardRequests(rq)
	defer ac.Close()
	keys, err := agent.NewClient(ac).List()
	if err != nil {
		fmt.Fprintln(ch.Stderr(), "agent list:", err)
		status(4)
		return
	}
	for _, k := range keys {
		fmt.Fprint(ch, string(ssh.MarshalAuthorizedKey(k)))
	}
	status(0)
}

func (s *Server) run(ch ssh.Channel, command string, env []string) {
	var cmd *exec.Cmd
	if command == "" {
		cmd = exec.Command("/bin/sh")
	} else {
		cmd = exec.Command("/bin/sh", "-c", command)
	}
	cmd.Env = env
	cmd.Stdout = ch
	cmd.Stderr = ch.Stderr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(ch.Stderr(), err)
		ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, 127))
		return
	}
	go func() {
		io.Copy(stdin, ch)
		stdin.Close()
	}()
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			name := strings.TrimPrefix(signalName(ws.Signal()), "SIG")
			ch.SendRequest("exit-signal", false, ssh.Marshal(struct {
				Signal string
				Core   bool
				Msg    string
				Lang   string
			}{name, false, "", ""}))
			return
		}
		ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, uint32(ee.ExitCode())))
		return
	}
	ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, 0))
}

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGKILL:
		return "KILL"
	case syscall.SIGTERM:
		return "TERM"
	case syscall.SIGINT:
		return "INT"
	case syscall.SIGHUP:
		return "HUP"
	}
	return "USR1"
}

func appendStr(b, s []byte) []byte {
	n := len(s)
	return append(append(b, byte(n>>24), byte(n>>16), byte(n>>8), byte(n)), s...)
}
