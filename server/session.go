package server

import (
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	glssh "github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/config"
)

// maxEnvVars bounds the env requests one session may store.
const maxEnvVars = 256

// session is one "session" channel (RFC 4254 section 6).
type session struct {
	s    *Server
	conn *gossh.ServerConn
	st   *connState
	info *authInfo
	cfg  *config.Config
	ch   gossh.Channel // counted: see bytes
	log  *slog.Logger

	bytes *byteCounts // channel data in and out, for "session ended"

	mu      sync.Mutex
	env     []string
	pty     *ptyState
	agent   *agentForward
	started bool
	proc    *os.Process
	hungUp  bool // the channel closed: a program started later gets SIGHUP at once

	authInfoFile string      // ExposeAuthInfo's file, removed at the end
	pamSess      *pamSession // UsePAM: the connection's PAM session
}

func (s *Server) sessionChannel(st *connState, conn *gossh.ServerConn, nc gossh.NewChannel, ctx glssh.Context) {
	defer s.recoverChannel(st, "session")
	info := authOf(conn)
	if info == nil {
		nc.Reject(gossh.Prohibited, "not authenticated")
		return
	}
	if m, ok := nc.(interface{ OpenedAfterNoMoreSessions() bool }); ok && m.OpenedAfterNoMoreSessions() {
		// sshd disconnects with this message (serverloop.c).
		const msg = "Possible attack: attempt to open a session after additional sessions disabled"
		s.log.Info(msg, "conn", st.id, "user", info.acct.Name)
		nc.Reject(gossh.Prohibited, msg)
		conn.Close()
		return
	}
	if !st.openSession(info.cfg.MaxSessions) {
		s.log.Info("session refused: MaxSessions", "conn", st.id, "user", info.acct.Name, "maxsessions", info.cfg.MaxSessions)
		nc.Reject(gossh.Prohibited, "too many sessions (MaxSessions)")
		return
	}
	defer st.closeSession()
	ch, reqs, err := nc.Accept()
	if err != nil {
		return
	}
	n := &byteCounts{}
	ss := &session{s: s, conn: conn, st: st, info: info, cfg: info.cfg, ch: countedChannel{ch, n}, bytes: n,
		log: s.log.With("conn", st.id, "user", info.acct.Name)}
	s.startKeepalive(ctx, conn, st, info.cfg)
	ss.serve(reqs)
}

// noMoreSessionsRequest is OpenSSH's global request by which a client
// that will open no further session channels asks the server to refuse
// them (PROTOCOL section 2.2), limiting what a hijacked connection can do.
const noMoreSessionsRequest = "no-more-sessions@openssh.com"

// noMoreSessions accepts no-more-sessions@openssh.com, as sshd does. The
// refusal itself is decided per channel, in packet order, in
// sessionChannel: this goroutine sees global requests out of order with
// channel opens.
func (s *Server) noMoreSessions(st *connState, _ glssh.Context, _ *gossh.Request) (bool, []byte) {
	s.log.Debug("no more sessions requested", "conn", st.id)
	return true, nil
}

// recoverChannel is the last line of defence of a channel goroutine: a
// panic is logged and the connection closed instead of crashing pqsshd.
func (s *Server) recoverChannel(st *connState, what string) {
	if r := recover(); r != nil {
		s.log.Error("panic in "+what+" handler; connection closed", "conn", st.id, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		st.conn.Close()
	}
}

func (st *connState) openSession(max int) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if max > 0 && st.sessions >= max {
		return false
	}
	st.sessions++
	return true
}

func (st *connState) closeSession() {
	st.mu.Lock()
	st.sessions--
	st.markIdleLocked()
	st.mu.Unlock()
}

// serve handles the session's requests until the channel closes.
func (ss *session) serve(reqs <-chan *gossh.Request) {
	done := make(chan struct{})
	defer func() {
		ss.mu.Lock()
		if ss.pty != nil && !ss.started {
			ss.pty.close()
		}
		if ss.agent != nil {
			ss.agent.close()
		}
		p := ss.proc
		ss.hungUp = true
		ss.mu.Unlock()
		if p != nil {
			// The client went away: hang up, as closing the terminal would.
			p.Signal(syscall.SIGHUP)
		}
		close(done)
	}()
	for req := range reqs {
		ok := ss.request(req)
		if req.WantReply {
			req.Reply(ok, nil)
		}
	}
}

func (ss *session) request(req *gossh.Request) bool {
	switch req.Type {
	case "env":
		return ss.envRequest(req.Payload)
	case "pty-req":
		return ss.ptyRequest(req.Payload)
	case "window-change":
		return ss.windowChange(req.Payload)
	case "shell", "exec", "subsystem":
		return ss.startRequest(req)
	case "signal":
		return ss.signalRequest(req.Payload)
	case "auth-agent-req@openssh.com":
		return ss.agentRequest()
	default:
		ss.log.Debug("session request refused", "type", req.Type)
		return false
	}
}

// envRequest implements RFC 4254 section 6.4, accepting only names that
// match AcceptEnv (the reply says whether the variable was accepted).
func (ss *session) envRequest(payload []byte) bool {
	var m struct{ Name, Value string }
	if err := gossh.Unmarshal(payload, &m); err != nil {
		return false
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.started || len(ss.env) >= maxEnvVars || m.Name == "" || strings.ContainsAny(m.Name, "=\x00") || strings.Contains(m.Value, "\x00") {
		return false
	}
	for _, p := range ss.cfg.AcceptEnv {
		if config.MatchPatternList(m.Name, p) {
			ss.env = append(ss.env, m.Name+"="+m.Value)
			ss.log.Debug("env accepted", "name", m.Name)
			return true
		}
	}
	ss.log.Debug("env refused by AcceptEnv", "name", m.Name)
	return false
}

func (ss *session) signalRequest(payload []byte) bool {
	var m struct{ Signal string }
	if err := gossh.Unmarshal(payload, &m); err != nil {
		return false
	}
	sig, ok := signalByName[m.Signal]
	if !ok {
		return false
	}
	ss.mu.Lock()
	p := ss.proc
	ss.mu.Unlock()
	if p == nil {
		return false
	}
	return p.Signal(sig) == nil
}

// startRequest starts the shell, command or subsystem (RFC 4254 sections
// 6.5); only one per channel.
func (ss *session) startRequest(req *gossh.Request) bool {
	var command, subsystem string
	kind := req.Type
	switch req.Type {
	case "exec":
		var m struct{ Command string }
		if err := gossh.Unmarshal(req.Payload, &m); err != nil {
			return false
		}
		command = m.Command
	case "subsystem":
		var m struct{ Name string }
		if err := gossh.Unmarshal(req.Payload, &m); err != nil {
			return false
		}
		subsystem = m.Name
	}
	original := command
	if subsystem != "" {
		original = subsystem
	}
	forced, hasForced := "", false
	if ss.info.opts.HasCommand {
		forced, hasForced = ss.info.opts.Command, true
	} else if fc := ss.cfg.ForceCommand; fc != "" && !strings.EqualFold(fc, "none") {
		forced, hasForced = fc, true
	}
	internalSFTP := false
	switch {
	case hasForced:
		if f := strings.Fields(forced); len(f) > 0 && f[0] == "internal-sftp" {
			internalSFTP = true
		}
		command, kind = forced, "forced-command"
	case subsystem != "":
		cmd, ok := ss.cfg.Subsystem(subsystem)
		if !ok {
			ss.log.Info("subsystem request refused: not configured", "subsystem", subsystem)
			return false
		}
		if f := strings.Fields(cmd); len(f) > 0 && f[0] == "internal-sftp" {
			internalSFTP = true
		}
		command = cmd
	}
	ss.mu.Lock()
	if ss.started {
		ss.mu.Unlock()
		return false
	}
	ss.started = true
	ss.mu.Unlock()
	// Commands can hold secrets: they are logged at debug level only.
	ss.log.Info("session started", "type", kind, "subsystem", subsystem)
	ss.log.Debug("session command", "command", command)
	if req.WantReply {
		// Reply before any output so that the client sees success first.
		err := req.Reply(true, nil)
		req.WantReply = false // replied; serve must not reply again
		if err != nil {
			return false
		}
	}
	if ss.pty != nil && ss.info.loginMsg != "" {
		// sshd shows its login message on terminal sessions.
		ss.ch.Write([]byte(strings.ReplaceAll(ss.info.loginMsg, "\n", "\r\n")))
	}
	if req.Type == "shell" && ss.cfg.PrintMotd {
		ss.printMotd()
	}
	go ss.run(command, req.Type == "shell" && !hasForced, internalSFTP, original, hasForced)
	return true
}

// run executes the session's program and reports how it ended.
func (ss *session) run(command string, loginShell, internalSFTP bool, original string, forced bool) {
	defer ss.s.recoverChannel(ss.st, "session")
	defer ss.ch.Close()
	defer func() {
		// The agent socket lives as long as the session's program.
		ss.mu.Lock()
		if ss.agent != nil {
			ss.agent.close()
			ss.agent = nil
		}
		if ss.authInfoFile != "" {
			os.Remove(ss.authInfoFile)
			ss.authInfoFile = ""
		}
		ss.mu.Unlock()
	}()
	ps, err := ss.s.pamSessionFor(ss.st, ss.info)
	if err == nil {
		ss.mu.Lock()
		ss.pamSess = ps
		ss.mu.Unlock()
		if ps != nil && ps.reply.Messages != "" && ss.pty != nil {
			// pam_motd and the like: shown on terminal sessions.
			ss.ch.Write([]byte(strings.ReplaceAll(ps.reply.Messages, "\n", "\r\n")))
		}
	}
	var cmd *exec.Cmd
	if err == nil {
		cmd, err = ss.buildCommand(command, loginShell, internalSFTP, original, forced)
	}
	if err == nil && ps != nil && len(ps.reply.Limits) > 0 {
		cmd, err = withLimits(cmd, ss.s.helperPath, ps.reply.Limits)
	}
	if err == nil && ps != nil {
		var done func()
		if done, err = ps.startInCgroup(cmd); err == nil {
			defer done()
		}
	}
	if err != nil {
		ss.log.Info("session failed", "err", err)
		fmt.Fprintf(ss.ch.Stderr(), "pqsshd: %v\r\n", err)
		ss.mu.Lock()
		if ss.pty != nil {
			ss.pty.close()
		}
		ss.mu.Unlock()
		ss.exit(exitResult{status: 255})
		return
	}
	var res exitResult
	ss.mu.Lock()
	pt := ss.pty
	ss.mu.Unlock()
	tty := ""
	if pt != nil {
		tty = pt.name
	}
	defer ss.st.titleSession(tty)()
	if pt != nil {
		res = ss.runPTY(cmd, pt)
	} else {
		res = ss.runPipes(cmd)
	}
	ss.exit(res)
}

// hangUpIfGoneLocked sends SIGHUP to a program that started after its
// channel closed: the client left while the program was being started, and
// serve's clean-up ran before ss.proc was set.
func (ss *session) hangUpIfGoneLocked() {
	if ss.hungUp && ss.proc != nil {
		ss.proc.Signal(syscall.SIGHUP)
	}
}

type exitResult struct {
	status int
	signal string // without "SIG"; set when killed by a signal
	core   bool
}

// exit sends EOF, exit-status or exit-signal (RFC 4254 section 6.10), and
// lets the deferred Close end the channel.
func (ss *session) exit(r exitResult) {
	// Like OpenSSH's sshd, send exit-status (or exit-signal) before EOF:
	// a client such as PuTTY closes the channel as soon as EOF has gone
	// both ways, and a status sent after that is lost.
	defer ss.ch.CloseWrite()
	if r.signal != "" {
		ss.ch.SendRequest("exit-signal", false, gossh.Marshal(struct {
			Signal     string
			CoreDumped bool
			Error      string
			Lang       string
		}{r.signal, r.core, "", ""}))
		ss.log.Info("session ended", "signal", r.signal, "bytes_in", ss.bytes.in.Load(), "bytes_out", ss.bytes.out.Load())
		return
	}
	ss.ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, uint32(r.status)))
	ss.log.Info("session ended", "status", r.status, "bytes_in", ss.bytes.in.Load(), "bytes_out", ss.bytes.out.Load())
}

func resultOf(state *os.ProcessState, err error) exitResult {
	if state == nil {
		return exitResult{status: 255}
	}
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		name, ok := signalNames[ws.Signal()]
		if !ok {
			name = fmt.Sprintf("SIG%d", int(ws.Signal()))
		}
		return exitResult{signal: name, core: ws.CoreDump()}
	}
	return exitResult{status: state.ExitCode()}
}

// runPipes runs a command without a terminal: stdin, stdout and stderr are
// pipes. The client's EOF closes the command's stdin (half-close); the
// command's output is sent until both pipes reach EOF, then the exit status.
func (ss *session) runPipes(cmd *exec.Cmd) exitResult {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return exitResult{status: 255}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return exitResult{status: 255}
	}
	growPipe(stdout)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return exitResult{status: 255}
	}
	if err := cmd.Start(); err != nil {
		ss.log.Info("session failed to start", "err", err)
		fmt.Fprintf(ss.ch.Stderr(), "pqsshd: %v\n", err)
		return exitResult{status: 127}
	}
	ss.mu.Lock()
	ss.proc = cmd.Process
	ss.hangUpIfGoneLocked()
	ss.mu.Unlock()
	go func() {
		pipeCopy(stdin, ss.ch)
		stdin.Close()
	}()
	var wg sync.WaitGroup
	wg.Add(2)
	pump := func(dst io.Writer, src io.ReadCloser) {
		defer wg.Done()
		if _, err := pipeCopy(dst, src); err != nil {
			src.Close() // the client is gone: the writer gets EPIPE
		}
	}
	go pump(ss.ch, stdout)
	go pump(ss.ch.Stderr(), stderr)
	wg.Wait()
	err = cmd.Wait()
	ss.mu.Lock()
	ss.proc = nil
	ss.mu.Unlock()
	return resultOf(cmd.ProcessState, err)
}

// pipeBuffer is the buffer of the copies between a session's channel and
// its command's pipes: a read from the command's output takes everything
// the pipe holds (io.Copy's 32 KiB would split it), and the channel sends
// it in packets as large as the client accepts (pqssh: 256 KiB, OpenSSH:
// 32 KiB), so bulk output costs fewer packets, system calls and window
// adjustments; docs/benchmarks.md has the effect.
const pipeBuffer = 256 << 10

// channelMaxPacket is the data payload per packet pqsshd accepts on its
// channels and advertises (the fork's Config.ChannelMaxPacket; x/crypto's
// default is 32 KiB): pqssh, which accepts as much, then gets a command's
// bulk output in a quarter to an eighth of the packets.
const channelMaxPacket = 256 << 10

// pipeCopy copies src to dst through a pipeBuffer-sized buffer (hiding
// os.File's WriteTo and ReadFrom, which would fall back to 32 KiB).
func pipeCopy(dst io.Writer, src io.Reader) (int64, error) {
	return io.CopyBuffer(struct{ io.Writer }{dst}, struct{ io.Reader }{src}, make([]byte, pipeBuffer))
}

// ptyDrain bounds how long output is read from a terminal after its
// session's command has exited (a background job may keep it open).
const ptyDrain = 2 * time.Second

func (ss *session) runPTY(cmd *exec.Cmd, pt *ptyState) exitResult {
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pt.tty, pt.tty, pt.tty
	cmd.SysProcAttr.Setsid = true
	cmd.SysProcAttr.Setctty = true
	cmd.SysProcAttr.Ctty = 0
	err := cmd.Start()
	pt.tty.Close()
	if err != nil {
		ss.log.Info("session failed to start", "err", err)
		fmt.Fprintf(ss.ch, "pqsshd: %v\r\n", err)
		pt.close()
		return exitResult{status: 127}
	}
	ss.mu.Lock()
	ss.proc = cmd.Process
	ss.hangUpIfGoneLocked()
	ss.mu.Unlock()
	rec := ss.loginRecord(cmd.Process.Pid, pt)
	defer ss.s.recordLogin(rec)()
	go io.Copy(pt.ptmx, ss.ch)
	out := make(chan struct{})
	go func() {
		io.Copy(ss.ch, pt.ptmx)
		close(out)
	}()
	err = cmd.Wait()
	ss.mu.Lock()
	ss.proc = nil
	ss.mu.Unlock()
	pt.ptmx.SetReadDeadline(time.Now().Add(ptyDrain))
	<-out
	pt.close()
	return resultOf(cmd.ProcessState, err)
}

var signalByName = map[string]syscall.Signal{
	"ABRT": syscall.SIGABRT, "ALRM": syscall.SIGALRM, "FPE": syscall.SIGFPE, "HUP": syscall.SIGHUP,
	"ILL": syscall.SIGILL, "INT": syscall.SIGINT, "KILL": syscall.SIGKILL, "PIPE": syscall.SIGPIPE,
	"QUIT": syscall.SIGQUIT, "SEGV": syscall.SIGSEGV, "TERM": syscall.SIGTERM, "USR1": syscall.SIGUSR1,
	"USR2": syscall.SIGUSR2,
}

var signalNames = func() map[syscall.Signal]string {
	m := map[syscall.Signal]string{}
	for k, v := range signalByName {
		m[v] = k
	}
	return m
}()

// printMotd sends /etc/motd before an interactive shell (PrintMotd).
func (ss *session) printMotd() {
	f, err := os.Open(ss.s.motdPath)
	if err != nil {
		return
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, maxBannerSize))
	if ss.pty != nil {
		b = []byte(strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n", "\r\n"))
	}
	ss.ch.Write(b)
}
