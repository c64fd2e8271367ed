package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/pqssh/pqssh/client"
	"github.com/pqssh/pqssh/client/config"
	"github.com/pqssh/pqssh/client/mux"
	"github.com/pqssh/pqssh/internal/sshpattern"
	"golang.org/x/term"
)

// controlCommand runs "-O ctl_cmd" against the master at ControlPath.
func controlCommand(env *Env, a *args, r *config.Resolved, log *client.Logger) int {
	switch a.control {
	case "check", "forward", "cancel", "exit", "stop":
	default:
		log.Error("Invalid multiplex command.")
		return exitError
	}
	if r.ControlPath == "" {
		log.Error("No ControlPath specified for \"-O\" command")
		return exitError
	}
	c, err := mux.Dial(r.ControlPath, r.ConnectTimeout)
	if err != nil {
		log.Error("Control socket connect(%s): %v", r.ControlPath, sysErr(err))
		return exitError
	}
	defer c.Close()
	switch a.control {
	case "check":
		pid, err := c.Alive()
		if err != nil {
			log.Error("master alive check failed: %v", err)
			return exitError
		}
		fmt.Fprintf(env.Stderr, "Master running (pid=%d)\r\n", pid)
	case "exit":
		if err := c.Terminate(); err != nil {
			log.Error("Master refused termination request: %v", err)
			return exitError
		}
		log.Info("Exit request sent.\r")
	case "stop":
		if err := c.StopListening(); err != nil {
			log.Error("Master refused stop listening request: %v", err)
			return exitError
		}
		log.Info("Stop listening request sent.\r")
	case "forward", "cancel":
		if err := muxForwards(env, c, r, log, a.control == "cancel", true); err != nil {
			return exitError
		}
	}
	return 0
}

// muxForwards asks the master for the configured forwardings (or their
// cancellation); -O forward prints the port allocated for "-R 0".
func muxForwards(env *Env, c *mux.Client, r *config.Resolved, log *client.Logger, cancel, printPort bool) error {
	var failed error
	req := func(kind byte, f config.Forward) {
		mf := mux.Forward{Kind: kind, ListenHost: f.ListenHost, ListenPort: f.ListenPort, ConnectHost: f.ConnectHost, ConnectPort: f.ConnectPort}
		what := "forwarding of"
		if cancel {
			what = "cancellation of"
		}
		log.Debug(1, "Requesting %s %s", what, mf)
		port, err := c.Forward(mf, cancel)
		if err != nil {
			var re *mux.ReplyError
			if errors.As(err, &re) && re.Denied {
				log.Error("Master refused forwarding request: %v", err)
			} else {
				log.Error("mux_client_forward: forwarding request failed: %v", err)
			}
			failed = err
			return
		}
		if kind == 'R' && f.ListenPort == 0 && !cancel {
			log.Verbose("Allocated port %d for remote forward to %s:%d", port, f.ConnectHost, f.ConnectPort)
			if printPort {
				fmt.Fprintf(env.Stdout, "%d\n", port)
			}
		}
	}
	for _, f := range r.LocalForwards {
		req('L', f)
	}
	for _, f := range r.DynamicForwards {
		req('D', f)
	}
	for _, f := range r.RemoteForwards {
		req('R', f)
	}
	return failed
}

// sysErr reduces a dial error to its system error text ("No such file
// or directory"), as ssh prints it.
func sysErr(err error) string {
	var se syscall.Errno
	if errors.As(err, &se) {
		s := se.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return err.Error()
}

// muxSession runs the session through an existing master at ControlPath
// (ssh's muxclient). handled is false when there is no usable master and
// pqssh should connect by itself.
func muxSession(env *Env, a *args, r *config.Resolved, log *client.Logger, skipForwards bool) (code int, handled bool) {
	path := r.ControlPath
	if strings.HasPrefix(r.ControlMaster, "auto") {
		log.Debug(1, "auto-mux: Trying existing master at '%s'", path)
	}
	c, err := mux.Dial(path, r.ConnectTimeout)
	if err != nil {
		switch {
		case errors.Is(err, syscall.ECONNREFUSED) && r.ControlMaster != "no":
			log.Debug(1, "Stale control socket %s, unlinking", path)
			os.Remove(path)
		case errors.Is(err, syscall.ENOENT):
			log.Debug(1, "Control socket \"%s\" does not exist", path)
		case errors.Is(err, syscall.ECONNREFUSED):
			log.Debug(1, "Control socket connect(%s): %v", path, sysErr(err))
		default:
			log.Error("Control socket connect(%s): %v", path, sysErr(err))
		}
		return 0, false
	}
	defer c.Close()
	pid, err := c.Alive()
	if err != nil {
		log.Error("master alive request failed: %v", err)
		return 0, false
	}
	if !skipForwards && !r.ClearAllForwardings {
		if err := muxForwards(env, c, r, log, false, false); err != nil {
			log.Error("master forward request failed")
			return 0, false
		}
	}
	files, err := muxFiles(env, r.StdinNull)
	if err != nil {
		log.Error("%v", err)
		return exitError, true
	}
	defer files.close()

	var sid uint32
	tty := false
	if a.stdioFwd != "" {
		host, port, err := splitStdioFwd(a.stdioFwd)
		if err != nil {
			log.Error("%v", err)
			return exitError, true
		}
		sid, err = c.NewStdioForward(host, port, files.in, files.out)
		if err != nil {
			log.Error("Stdio forwarding request failed: %v", err)
			return exitError, true
		}
	} else {
		req, wantTTY := muxRequest(env, a, r)
		tty = wantTTY
		sid, err = c.NewSession(req, files.in, files.out, files.err)
		if err != nil {
			var re *mux.ReplyError
			if errors.As(err, &re) && re.Denied {
				log.Error("Master refused session request: %v", err)
			} else {
				log.Error("mux_client_request_session: session request failed: %v", err)
			}
			return exitError, true
		}
	}
	log.Debug(1, "mux_client_request_session: master session id: %d", sid)
	files.sent()
	if env.forkChild {
		forkChildReady(env)
	}

	fd, stdinTTY := isTerminal(env.Stdin)
	var restore func()
	if tty && stdinTTY {
		if old, err := term.MakeRaw(fd); err == nil {
			restore = func() { term.Restore(fd, old) }
			log.SetRaw(true)
		}
	}
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGWINCH)
	defer signal.Stop(sig)
	var killed syscall.Signal
	var kmu sync.Mutex
	go func() {
		for s := range sig {
			if s == syscall.SIGWINCH {
				// The master reads the new size from the terminal it
				// was given (mux.c's control_client_sigrelay).
				if pid > 0 {
					syscall.Kill(pid, syscall.SIGWINCH)
				}
				continue
			}
			kmu.Lock()
			killed = s.(syscall.Signal)
			kmu.Unlock()
			c.Close()
		}
	}()
	status, ok, werr := c.Wait(sid, func() {
		if restore != nil {
			restore()
			restore = nil
			log.SetRaw(false)
		}
	})
	if restore != nil {
		restore()
		log.SetRaw(false)
	}
	files.wait()
	kmu.Lock()
	k := killed
	kmu.Unlock()
	switch {
	case werr != nil:
		log.Error("%v", werr)
		status = exitError
	case k != 0:
		log.Debug(2, "Exiting on signal: %v", k)
		status = exitError
	case !ok && a.stdioFwd != "":
		status = 0
	case !ok:
		log.Debug(2, "Control master terminated unexpectedly")
		status = exitError
	default:
		log.Debug(2, "Received exit status from master %d", status)
	}
	if tty && a.stdioFwd == "" {
		log.Info("Shared connection to %s closed.\r", r.Host)
	}
	return status, true
}

// muxRequest builds the session request and says whether it asks for a
// terminal (the rules of session.shell).
func muxRequest(env *Env, a *args, r *config.Resolved) (mux.SessionRequest, bool) {
	command := strings.Join(a.command, " ")
	if command == "" {
		command = r.RemoteCommand
	}
	_, stdinTTY := isTerminal(env.Stdin)
	var tty bool
	switch r.RequestTTY {
	case "force":
		tty = true
	case "yes":
		tty = stdinTTY
	case "auto":
		tty = command == "" && stdinTTY && r.SessionType != "subsystem"
	}
	req := mux.SessionRequest{
		TTY:        tty,
		Agent:      r.ForwardAgent != "no",
		Subsystem:  r.SessionType == "subsystem",
		EscapeChar: r.EscapeChar,
		Term:       os.Getenv("TERM"),
		Command:    command,
	}
	var pats []string
	for _, p := range r.SendEnv {
		if strings.HasPrefix(p, "-") {
			pats = removeMatching(pats, p[1:])
			continue
		}
		pats = append(pats, p)
	}
	if len(pats) > 0 {
		for _, e := range os.Environ() {
			k, _, _ := strings.Cut(e, "=")
			for _, p := range pats {
				if sshpattern.Match(k, p) {
					req.Env = append(req.Env, e)
					break
				}
			}
		}
	}
	for _, kv := range r.SetEnv {
		if k, v, ok := strings.Cut(kv, "="); ok && k == "TERM" {
			req.Term = v
		}
		req.Env = append(req.Env, kv)
	}
	return req, tty
}

// splitStdioFwd parses -W host:port (or a Unix socket path).
func splitStdioFwd(spec string) (string, int, error) {
	if strings.HasPrefix(spec, "/") {
		return spec, -2, nil
	}
	i := strings.LastIndexByte(spec, ':')
	if i < 0 {
		return "", 0, fmt.Errorf("Bad stdio forwarding specification '%s'", spec)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(spec[:i], "["), "]")
	var port int
	if _, err := fmt.Sscanf(spec[i+1:], "%d", &port); err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("Bad stdio forwarding specification '%s'", spec)
	}
	return host, port, nil
}

// stdFiles are the descriptors handed to the master: the process's own
// standard streams when they are files, else pipes copied to and from
// Env's readers and writers (in-process use).
type stdFiles struct {
	in, out, err *os.File
	owned        []*os.File // closed once sent
	keep         []*os.File // closed at the end
	wg           sync.WaitGroup
}

func muxFiles(env *Env, stdinNull bool) (*stdFiles, error) {
	s := &stdFiles{}
	var err error
	if stdinNull {
		if s.in, err = os.Open(os.DevNull); err != nil {
			return nil, err
		}
		s.owned = append(s.owned, s.in)
	} else if s.in, err = s.reader(env.Stdin); err != nil {
		return nil, err
	}
	if s.out, err = s.writer(env.Stdout); err != nil {
		return nil, err
	}
	// Env's stderr is wrapped for the logger: pass the process's own
	// file, or copy through the wrapper (the logger writes there too).
	stderr := env.Stderr
	if lw, ok := stderr.(*lockedWriter); ok {
		if f, ok := lw.w.(*os.File); ok {
			stderr = f
		}
	}
	if s.err, err = s.writer(stderr); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *stdFiles) reader(r io.Reader) (*os.File, error) {
	if f, ok := r.(*os.File); ok {
		return f, nil
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	s.owned = append(s.owned, pr)
	go func() {
		io.Copy(pw, r)
		pw.Close()
	}()
	return pr, nil
}

func (s *stdFiles) writer(w io.Writer) (*os.File, error) {
	if f, ok := w.(*os.File); ok {
		return f, nil
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	s.owned = append(s.owned, pw)
	s.keep = append(s.keep, pr)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		// Plain writes: a bytes.Buffer's ReadFrom would drop what
		// others write to it while it waits.
		io.Copy(struct{ io.Writer }{w}, pr)
	}()
	return pw, nil
}

// sent closes this process's ends of the pipes given to the master, so
// that output ends when the master closes its copies.
func (s *stdFiles) sent() {
	for _, f := range s.owned {
		f.Close()
	}
	s.owned = nil
}

// wait lets the output copies finish.
func (s *stdFiles) wait() {
	s.sent()
	s.wg.Wait()
}

func (s *stdFiles) close() {
	s.sent()
	for _, f := range s.keep {
		f.Close()
	}
}
