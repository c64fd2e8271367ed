package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pqssh/pqssh/client"
	"github.com/pqssh/pqssh/client/config"
	"github.com/pqssh/pqssh/client/mux"
	"github.com/pqssh/pqssh/internal/sshpattern"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/sys/unix"
)

// persistEnv names the inherited descriptor on which a ControlPersist
// master started in the background reports that it is listening.
const persistEnv = "PQSSH_MUX_PERSIST_FD"

// wantMaster says whether this run shares its connection (ControlMaster
// yes, ask, auto or autoask with a ControlPath).
func wantMaster(r *config.Resolved) bool {
	return r.ControlPath != "" && r.ControlMaster != "no" && r.ControlMaster != ""
}

// startMaster listens on ControlPath and shares the connection. A socket
// that already exists disables multiplexing with an error message, as in
// ssh; any other failure is fatal.
func (s *session) startMaster() error {
	r := s.cfg
	l, err := mux.Listen(r.ControlPath)
	if errors.Is(err, mux.ErrExists) {
		s.log.Error("ControlSocket %s already exists, disabling multiplexing", r.ControlPath)
		return nil
	}
	if err != nil {
		return err
	}
	m := &mux.Master{
		Conn:         s.c.Client,
		Host:         r.Host,
		Log:          s.log,
		Forwarder:    muxForwarder{s},
		EnvPermitted: s.envPermitted,
		OnTerminate:  func() { s.c.Close() },
	}
	if r.ControlMaster == "ask" || r.ControlMaster == "autoask" {
		m.Ask = func(prompt string) bool {
			ans, err := s.dialer.Prompt.Prompt(prompt, true)
			ans = strings.TrimSpace(ans)
			return err == nil && (ans == "" || strings.EqualFold(ans, "yes"))
		}
	}
	if r.ForwardAgent != "no" && !s.c.HostKeyChanged {
		m.ForwardAgent = s.muxAgent()
	}
	m.Start(l, r.ControlPath)
	s.master = m
	return nil
}

// envPermitted applies the master's SendEnv patterns to a variable a
// client passes, as ssh's env_permitted does.
func (s *session) envPermitted(kv string) bool {
	name, _, _ := strings.Cut(kv, "=")
	ok := false
	for _, p := range s.cfg.SendEnv {
		if neg, isNeg := strings.CutPrefix(p, "-"); isNeg {
			if sshpattern.Match(name, neg) {
				ok = false
			}
			continue
		}
		if sshpattern.Match(name, p) {
			ok = true
		}
	}
	return ok
}

// muxAgent returns the function that forwards the agent on a client's
// session channel.
func (s *session) muxAgent() func(ch ssh.Channel) error {
	var once sync.Once
	var setupErr error
	return func(ch ssh.Channel) error {
		once.Do(func() {
			var ag agent.ExtendedAgent
			if s.cfg.ForwardAgent == "yes" {
				ag = s.c.Agent
			} else {
				ag = dialAgent(s.cfg.ForwardAgent)
			}
			if ag == nil {
				setupErr = errors.New("no agent to forward")
				return
			}
			setupErr = agent.ForwardToAgent(s.c.Client, ag)
		})
		if setupErr != nil {
			return setupErr
		}
		if ok, err := ch.SendRequest("auth-agent-req@openssh.com", true, nil); err != nil || !ok {
			return fmt.Errorf("agent forwarding request refused")
		}
		return nil
	}
}

// finishMaster waits, after the master's own session, until its clients'
// sessions end (ssh waits for every channel), then removes the socket.
func (s *session) finishMaster() {
	m := s.master
	if m == nil {
		return
	}
	defer m.Close()
	conn := waitChan(s.c)
	for m.Active() > 0 {
		s.log.Debug(1, "mux: waiting for %d client sessions", m.Active())
		select {
		case <-m.Changed():
		case <-conn:
			return
		case <-m.Done():
			return
		}
	}
}

// persist serves clients as a background master until ControlPersist's
// idle time passes with no client session, the master is told to exit,
// or the connection ends.
func (s *session) persist() int {
	m := s.master
	defer m.Close()
	conn := waitChan(s.c)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	var timer *time.Timer
	var expire <-chan time.Time
	for {
		if m.Active() > 0 {
			if timer != nil {
				timer.Stop()
				timer, expire = nil, nil
				s.log.Debug(2, "mux: cancel scheduled exit")
			}
		} else {
			if !m.Listening() {
				return 0
			}
			if d := s.cfg.ControlPersist; d > 0 && timer == nil {
				s.log.Debug(2, "mux: schedule exit in %d seconds", int(d.Seconds()))
				timer = time.NewTimer(d)
				expire = timer.C
			}
		}
		select {
		case <-m.Changed():
		case <-conn:
			return exitError
		case <-m.Done():
			return 0
		case <-sig:
			return exitError
		case <-expire:
			s.log.Debug(1, "ControlPersist timeout expired")
			return 0
		}
	}
}

// muxForwarder opens and closes forwardings for mux clients (ssh -O
// forward / cancel, and the -L/-R/-D of clients).
type muxForwarder struct{ s *session }

func (f muxForwarder) OpenForward(mf mux.Forward) (int, error) {
	if mf.ListenPort < 0 || mf.ConnectPort < 0 {
		return 0, errors.New("Unix-domain socket forwarding is not supported by this master")
	}
	s := f.s
	cf := config.Forward{ListenHost: mf.ListenHost, ListenPort: mf.ListenPort, ConnectHost: mf.ConnectHost, ConnectPort: mf.ConnectPort}
	find := func() (int, bool) {
		s.fwd.mu.Lock()
		defer s.fwd.mu.Unlock()
		for i := len(s.fwd.items) - 1; i >= 0; i-- {
			if fw := s.fwd.items[i]; fw.kind == mf.Kind && fw.f == cf {
				return fw.port, true
			}
		}
		return 0, false
	}
	// An identical forwarding is already there: ssh replies OK.
	if port, ok := find(); ok {
		return port, nil
	}
	if err := s.addForward(mf.Kind, cf); err != nil {
		return 0, err
	}
	port, _ := find()
	return port, nil
}

func (f muxForwarder) CloseForward(mf mux.Forward) error {
	s := f.s
	s.fwd.mu.Lock()
	defer s.fwd.mu.Unlock()
	for i, fw := range s.fwd.items {
		if fw.kind == mf.Kind && (fw.port == mf.ListenPort || fw.f.ListenPort == mf.ListenPort) &&
			(mf.Kind == 'D' || mf.ConnectHost == "" || fw.f.ConnectHost == mf.ConnectHost) {
			fw.l.Close()
			s.fwd.items = append(s.fwd.items[:i], s.fwd.items[i+1:]...)
			return nil
		}
	}
	return errors.New("port not forwarded")
}

// persistParent starts the ControlPersist master in the background: pqssh
// again with the same arguments, which connects, authenticates, listens
// on ControlPath and then reports on an inherited pipe. ssh forks after
// authentication instead; Go programs cannot fork. If the child fails
// first, its exit status is returned with ok false.
func persistParent(env *Env) (code int, ok bool) {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: ControlPersist: %v\n", env.Prog, err)
		return exitError, false
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: ControlPersist: %v\n", env.Prog, err)
		return exitError, false
	}
	defer pr.Close()
	cmd := exec.Command(exe, env.Args...)
	null, err := os.Open(os.DevNull)
	if err != nil {
		pw.Close()
		return exitError, false
	}
	defer null.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = null, os.Stderr, os.Stderr
	cmd.ExtraFiles = []*os.File{pw}
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, forkEnv+"=") && !strings.HasPrefix(e, persistEnv+"=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, persistEnv+"=3")
	if err := cmd.Start(); err != nil {
		pw.Close()
		fmt.Fprintf(env.Stderr, "%s: ControlPersist: %v\n", env.Prog, err)
		return exitError, false
	}
	pw.Close()
	var b [1]byte
	if n, _ := io.ReadFull(pr, b[:]); n == 1 {
		cmd.Process.Release()
		return 0, true
	}
	if err := cmd.Wait(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), false
		}
	}
	return exitError, false
}

// persistReady is called by the background master once it listens: it
// tells the parent, leaves the terminal's session and, unless debugging
// or logging to a file, points its standard streams at /dev/null (as
// ssh's control_persist_detach does).
func persistReady(keepStderr bool) {
	if f := os.NewFile(3, "pqssh-persist"); f != nil {
		f.Write([]byte{1})
		f.Close()
	}
	syscall.Setsid()
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return
	}
	defer null.Close()
	unix.Dup2(int(null.Fd()), 0)
	unix.Dup2(int(null.Fd()), 1)
	if !keepStderr {
		unix.Dup2(int(null.Fd()), 2)
	}
}

// keepStderr reports whether a background master keeps the terminal as
// its stderr: only when it logs debug output there.
func keepStderr(log *client.Logger, logFile string) bool {
	return logFile == "" && log.Level() >= client.Debug1
}
