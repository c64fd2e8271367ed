package cli

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
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
	"golang.org/x/term"
)

// session is one run of the command: the connection, its forwardings and
// the session channel (or -N / -W).
type session struct {
	env    *Env
	args   *args
	cfg    *config.Resolved
	log    *client.Logger
	dialer *client.Dialer
	c      *client.Client

	fwd *forwarder
	// master shares the connection with mux clients (ControlMaster);
	// persistChild marks the background ControlPersist master.
	master       *mux.Master
	persistChild bool
}

func (s *session) run(ctx context.Context) int {
	c, err := s.dialer.Dial(ctx)
	if err != nil {
		printError(s.env, s.log, err)
		return exitError
	}
	s.c = c
	defer c.Close()
	if s.env.Connected != nil {
		s.env.Connected()
	}
	if s.cfg.ServerAliveInterval > 0 {
		go c.KeepAlive(s.cfg.ServerAliveInterval, s.cfg.ServerAliveCountMax, func() {
			s.log.Error("Timeout, server %s not responding.", s.cfg.HostName)
		})
	}
	if s.cfg.ForwardX11 {
		s.log.Error("Warning: X11 forwarding is not supported by pqssh; continuing without it.")
	}
	err = s.startForwards()
	// Listeners close at exit: local Unix-domain sockets are removed.
	defer s.stopForwards()
	if err != nil {
		s.log.Error("%v", err)
		return exitError
	}
	if wantMaster(s.cfg) {
		if err := s.startMaster(); err != nil {
			s.log.Error("%v", err)
			return exitError
		}
	}
	if s.persistChild {
		if s.master == nil {
			return exitError
		}
		persistReady(keepStderr(s.log, s.args.logFile))
		return s.persist()
	}
	if s.cfg.PermitLocalCommand && s.cfg.LocalCommand != "" {
		s.runLocalCommand()
	}
	if s.env.forkChild {
		forkChildReady(s.env)
	}
	var code int
	switch {
	case s.args.stdioFwd != "":
		code = s.stdioForward()
	case s.cfg.SessionType == "none" && s.master != nil && s.cfg.ControlPersist != 0:
		code = s.persist()
	case s.cfg.SessionType == "none":
		code = s.waitNoSession()
	default:
		code = s.shell()
		// UpdateHostKeys=ask: the terminal is back in its normal mode.
		c.ConfirmHostKeyUpdate()
	}
	s.finishMaster()
	s.transferred()
	return code
}

// transferred prints ssh's closing statistics (shown at -v).
func (s *session) transferred() {
	sent, recv := s.c.Stats()
	secs := time.Since(s.c.Start).Seconds()
	s.log.Verbose("Transferred: sent %d, received %d bytes, in %.1f seconds", sent, recv, secs)
	if secs > 0 {
		s.log.Verbose("Bytes per second: sent %.1f, received %.1f", float64(sent)/secs, float64(recv)/secs)
	}
}

// waitNoSession serves forwardings until the connection ends or pqssh is
// told to stop (-N).
func (s *session) waitNoSession() int {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sig)
	done := make(chan error, 1)
	go func() { done <- s.c.Wait() }()
	select {
	case <-done:
		return exitError
	case n := <-sig:
		s.log.Info("Killed by signal %d.", n.(syscall.Signal))
		return exitError
	}
}

func isTerminal(r io.Reader) (int, bool) {
	f, ok := r.(*os.File)
	if !ok {
		return -1, false
	}
	fd := int(f.Fd())
	return fd, term.IsTerminal(fd)
}

// shell runs the session channel: a shell, a command or a subsystem.
func (s *session) shell() int {
	r := s.cfg
	command := strings.Join(s.args.command, " ")
	if command == "" {
		command = r.RemoteCommand
	}
	if r.SessionType == "subsystem" {
		if command == "" {
			s.log.Error("You must specify a subsystem to invoke.")
			return exitError
		}
		return s.subsystem(command)
	}
	sess, err := s.c.NewSession()
	if err != nil {
		s.log.Error("channel 0: open failed: %v", err)
		return exitError
	}
	defer sess.Close()
	s.forwardAgent(sess)
	s.sendEnv(sess)
	fd, stdinTTY := isTerminal(s.env.Stdin)
	var wantTTY bool
	switch r.RequestTTY {
	case "force":
		wantTTY = true
	case "yes":
		wantTTY = true
		if !stdinTTY {
			wantTTY = false
			s.log.Info("Pseudo-terminal will not be allocated because stdin is not a terminal.")
		}
	case "auto":
		wantTTY = command == "" && stdinTTY
	}
	var winch chan os.Signal
	if wantTTY && stdinTTY {
		// Listen before the size is sent, so that a resize in between is
		// not lost (SIGWINCH is otherwise ignored).
		winch = make(chan os.Signal, 1)
		signal.Notify(winch, syscall.SIGWINCH)
		defer signal.Stop(winch)
	}
	if wantTTY {
		w, h := 80, 24
		if stdinTTY {
			if cw, ch, err := term.GetSize(fd); err == nil {
				w, h = cw, ch
			}
		}
		termName := os.Getenv("TERM")
		if termName == "" {
			termName = "dumb"
		}
		modes := ssh.TerminalModes{ssh.TTY_OP_ISPEED: 38400, ssh.TTY_OP_OSPEED: 38400}
		if err := sess.RequestPty(termName, h, w, modes); err != nil {
			s.log.Error("PTY allocation request failed on channel 0")
			wantTTY = false
		}
	}

	var in io.Reader // standard input, unless -n
	if !r.StdinNull {
		in = s.env.Stdin
	}
	stdinSrc, stdout, restoreStdio := pollStdio(in, s.env.Stdout)
	defer restoreStdio()
	sess.Stdout = bulkWriter{stdout}
	sess.Stderr = s.env.Stderr
	var stdin io.WriteCloser
	if !r.StdinNull {
		if stdin, err = sess.StdinPipe(); err != nil {
			s.log.Error("%v", err)
			return exitError
		}
	}
	switch {
	case command == "":
		err = sess.Shell()
	default:
		s.log.Debug(1, "Sending command: %s", command)
		err = sess.Start(command)
	}
	if err != nil {
		s.log.Error("%v", err)
		return exitError
	}

	raw := wantTTY && stdinTTY
	var suspend func()
	if raw {
		if old, err := term.MakeRaw(fd); err == nil {
			defer term.Restore(fd, old)
			s.log.SetRaw(true)
			defer s.log.SetRaw(false)
			suspend = func() { suspendSelf(fd, old) }
		}
		stopWinch := watchWindow(fd, sess, winch)
		defer stopWinch()
	}

	disconnect := make(chan struct{})
	var once sync.Once
	if stdin != nil {
		go func() {
			src := stdinSrc
			if r.EscapeChar >= 0 && wantTTY {
				src = &escapeReader{r: stdinSrc, s: s, esc: byte(r.EscapeChar), atLineStart: true,
					disconnect: func() { once.Do(func() { close(disconnect) }) }, suspend: suspend}
			}
			bulkCopy(stdin, src)
			stdin.Close()
		}()
	}

	sig := make(chan os.Signal, 1)
	if !raw {
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
		defer signal.Stop(sig)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- sess.Wait() }()
	select {
	case err = <-waitErr:
	case <-disconnect:
		s.c.Close()
		// Let the output copies finish before returning.
		select {
		case <-waitErr:
		case <-time.After(2 * time.Second):
		}
		if raw {
			s.log.SetRaw(true)
		}
		s.log.Info("Connection to %s closed.", r.HostName)
		return exitError
	case n := <-sig:
		s.log.Info("Killed by signal %d.", n.(syscall.Signal))
		return exitError
	}
	if wantTTY {
		s.log.Info("Connection to %s closed.", r.HostName)
	}
	return exitStatus(err, s.log)
}

// exitStatus maps the session's end to ssh's exit status: the remote
// exit status, or 255 when there was none (exit-signal, lost connection).
func exitStatus(err error, log *client.Logger) int {
	if err == nil {
		return 0
	}
	var ee *ssh.ExitError
	if errors.As(err, &ee) {
		if ee.Signal() != "" {
			log.Debug(1, "remote command killed by signal %s", ee.Signal())
			return exitError
		}
		return ee.ExitStatus()
	}
	var em *ssh.ExitMissingError
	if errors.As(err, &em) {
		return exitError
	}
	log.Debug(1, "session: %v", err)
	return exitError
}

// watchWindow sends window-change requests on SIGWINCH (ch).
func watchWindow(fd int, sess *ssh.Session, ch chan os.Signal) (stop func()) {
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				if w, h, err := term.GetSize(fd); err == nil {
					sess.WindowChange(h, w)
				}
			case <-done:
				return
			}
		}
	}()
	return func() { close(done) }
}

// forwardAgent requests agent forwarding when ForwardAgent is set (and the
// host key did not change).
func (s *session) forwardAgent(sess *ssh.Session) {
	fa := s.cfg.ForwardAgent
	if fa == "no" {
		return
	}
	if s.c.HostKeyChanged {
		return
	}
	var ag agent.ExtendedAgent
	if fa == "yes" {
		ag = s.c.Agent
		if ag == nil {
			s.log.Debug(1, "ForwardAgent: no agent to forward")
			return
		}
	} else {
		ag = dialAgent(fa)
		if ag == nil {
			s.log.Error("ForwardAgent: cannot connect to agent at %s", fa)
			return
		}
	}
	if err := agent.ForwardToAgent(s.c.Client, ag); err != nil {
		s.log.Debug(1, "agent forwarding: %v", err)
		return
	}
	if err := agent.RequestAgentForwarding(sess); err != nil {
		s.log.Debug(1, "agent forwarding request: %v", err)
		return
	}
	s.log.Debug(1, "Requesting authentication agent forwarding.")
}

// sendEnv passes SetEnv values and the environment variables matching
// SendEnv patterns ("-pattern" removes earlier matches).
func (s *session) sendEnv(sess *ssh.Session) {
	sent := map[string]bool{}
	for _, kv := range s.cfg.SetEnv {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || sent[k] {
			continue
		}
		sent[k] = true
		if err := sess.Setenv(k, v); err != nil {
			s.log.Debug(1, "Setenv %s refused", k)
		}
	}
	var pats []string
	for _, p := range s.cfg.SendEnv {
		if strings.HasPrefix(p, "-") {
			neg := p[1:]
			pats = removeMatching(pats, neg)
			continue
		}
		pats = append(pats, p)
	}
	for _, e := range os.Environ() {
		k, v, _ := strings.Cut(e, "=")
		if sent[k] {
			continue
		}
		for _, p := range pats {
			if sshpattern.Match(k, p) {
				s.log.Debug(1, "channel 0: setting env %s = \"%s\"", k, v)
				sess.Setenv(k, v)
				sent[k] = true
				break
			}
		}
	}
}

func removeMatching(pats []string, neg string) []string {
	var out []string
	for _, p := range pats {
		if !sshpattern.Match(p, neg) {
			out = append(out, p)
		}
	}
	return out
}

func (s *session) runLocalCommand() {
	s.log.Debug(1, "Executing local command: %s", s.cfg.LocalCommand)
	cmd := execShell(s.cfg.LocalCommand)
	cmd.Stdout, cmd.Stderr = s.env.Stderr, s.env.Stderr
	if err := cmd.Run(); err != nil {
		s.log.Debug(1, "LocalCommand: %v", err)
	}
}

// subsystem runs a subsystem (-s) on a session channel of its own: the
// SSH library's Session cannot wait for a subsystem's exit status.
func (s *session) subsystem(name string) int {
	ch, reqs, err := s.c.OpenChannel("session", nil)
	if err != nil {
		s.log.Error("channel 0: open failed: %v", err)
		return exitError
	}
	defer ch.Close()
	status := make(chan int, 1)
	go func() {
		code := exitError
		for req := range reqs {
			switch req.Type {
			case "exit-status":
				if len(req.Payload) >= 4 {
					code = int(binary.BigEndian.Uint32(req.Payload))
				}
			case "exit-signal":
				code = exitError
			}
			if req.WantReply {
				req.Reply(false, nil)
			}
		}
		status <- code
	}()
	for _, kv := range s.cfg.SetEnv {
		if k, v, ok := strings.Cut(kv, "="); ok {
			ch.SendRequest("env", false, ssh.Marshal(struct{ Name, Value string }{k, v}))
		}
	}
	s.log.Debug(1, "Sending subsystem: %s", name)
	ok, err := ch.SendRequest("subsystem", true, ssh.Marshal(struct{ Name string }{name}))
	if err != nil || !ok {
		s.log.Error("Request for subsystem '%s' failed on channel 0", name)
		return exitError
	}
	var in io.Reader // standard input, unless -n
	if !s.cfg.StdinNull {
		in = s.env.Stdin
	}
	stdinSrc, stdout, restoreStdio := pollStdio(in, s.env.Stdout)
	defer restoreStdio()
	if !s.cfg.StdinNull {
		go func() {
			bulkCopy(ch, stdinSrc)
			ch.CloseWrite()
		}()
	} else {
		ch.CloseWrite()
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		io.Copy(s.env.Stderr, ch.Stderr())
	}()
	io.Copy(bulkWriter{stdout}, ch)
	wg.Wait()
	// Output ended (EOF), but the exit status follows it: wait for the
	// server to close the channel, as ssh(1) does. Closing first made the
	// server drop the exit-status, and scp -S pqssh then failed now and
	// then although the transfer was complete.
	select {
	case code := <-status:
		return code
	case <-time.After(5 * time.Second):
		s.log.Debug(1, "channel 0: no exit status within 5 s of EOF")
		return exitError
	}
}

// suspendSelf is OpenSSH's client_suspend_self for "~^Z": restore the
// terminal, stop with SIGTSTP (the shell's job control takes over), and
// once continued put the terminal back in raw mode. A window size change
// meanwhile is reported by the SIGWINCH watcher.
func suspendSelf(fd int, old *term.State) {
	cont := make(chan os.Signal, 1)
	signal.Notify(cont, syscall.SIGCONT)
	defer signal.Stop(cont)
	term.Restore(fd, old)
	if err := syscall.Kill(os.Getpid(), syscall.SIGTSTP); err == nil {
		// The stop takes effect before kill returns; SIGCONT then
		// arrives on continuing. An orphaned process group discards
		// SIGTSTP, so do not wait for ever.
		select {
		case <-cont:
		case <-time.After(time.Second):
		}
	}
	term.MakeRaw(fd)
}
