package server

// The PAM session of a connection runs in a process of its own, a
// re-executed pqsshd that stays root for the life of the connection:
// pam_open_session's modules act on the process that calls them
// (pam_limits sets its resource limits, pam_systemd moves it into the
// user's logind session and cgroup, pam_loginuid writes its loginuid), which
// must not be the listener that serves every other user. The process
// reports the PAM environment and the resource limits the session stack
// set; the session's programs get both (sessionexec.go applies the limits
// before dropping to the user). Closing its standard input closes the
// session (pam_close_session, pam_setcred DELETE, pam_end).

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pqssh/pqssh/server/pam"
)

// pamSessionArg0 and pamSessionEnv mark the re-executed session process.
const (
	pamSessionArg0 = "pqsshd-pam-session"
	pamSessionEnv  = "PQSSHD_PAM_SESSION"
)

// maxPAMSessionReply bounds the session process's report.
const maxPAMSessionReply = 1 << 20

// pamSessionRequest is what the session process is asked to open.
type pamSessionRequest struct {
	Service string
	User    string
	RHost   string
}

// pamSessionReply is what it reports once the session is open.
type pamSessionReply struct {
	Err      string
	Env      []string
	Limits   map[int][2]uint64 // resource -> {cur, max}, the ones the stack changed
	Messages string
	Cgroup   string // the process's cgroup v2 path once the session is open (pamcgroup.go)
}

// pamSession is an open PAM session: its process, and what it reported.
type pamSession struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	reply pamSessionReply
	once  sync.Once
}

// close ends the session (the process closes it and exits).
func (p *pamSession) close() {
	p.once.Do(func() {
		p.stdin.Close()
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
	})
}

// pamSessionFor opens the connection's PAM session on first use (every
// session channel of the connection shares it, as with sshd). An
// unprivileged pqsshd opens none: the session stack's modules need root.
func (s *Server) pamSessionFor(st *connState, info *authInfo) (*pamSession, error) {
	s.mu.RLock()
	self := s.self
	s.mu.RUnlock()
	if self != nil || !s.usePAM(info.cfg) {
		return nil, nil
	}
	pc := st.pamState()
	pc.sessOnce.Do(func() {
		sess, err := s.startPAMSession(pamSessionRequest{Service: info.cfg.PAMServiceName, User: info.acct.Name, RHost: st.host})
		pc.mu.Lock()
		pc.sess, pc.sessErr = sess, err
		pc.mu.Unlock()
		if err != nil {
			s.log.Error("PAM session failed", "user", info.acct.Name, "err", err, "conn", st.id)
		}
	})
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.sess, pc.sessErr
}

func (s *Server) startPAMSession(req pamSessionRequest) (*pamSession, error) {
	if s.helperPath == "" {
		return nil, errors.New("cannot find the pqsshd executable for the PAM session")
	}
	cmd := exec.Command(s.helperPath)
	cmd.Args = []string{pamSessionArg0}
	cmd.Env = []string{pamSessionEnv + "=1", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.Stderr = os.Stderr
	// Its own session: a signal to pqsshd's process group is not the
	// user's session's.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the PAM session process: %w", err)
	}
	p := &pamSession{cmd: cmd, stdin: stdin}
	if err := json.NewEncoder(stdin).Encode(req); err != nil {
		p.close()
		return nil, fmt.Errorf("PAM session process: %w", err)
	}
	line, err := bufio.NewReader(io.LimitReader(stdout, maxPAMSessionReply)).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &p.reply)
	}
	if err == nil && p.reply.Err != "" {
		err = errors.New(p.reply.Err)
	}
	if err != nil {
		p.close()
		return nil, fmt.Errorf("PAM session: %w", err)
	}
	return p, nil
}

// rlimitResources are the resources pam_limits can set (RLIMIT_CPU to
// RLIMIT_RTTIME).
const rlimitResources = 16

func getLimits() map[int][2]uint64 {
	m := map[int][2]uint64{}
	for r := 0; r < rlimitResources; r++ {
		var l unix.Rlimit
		if unix.Getrlimit(r, &l) == nil {
			m[r] = [2]uint64{l.Cur, l.Max}
		}
	}
	return m
}

// init keeps the session process's main goroutine on the main thread.
// pam_loginuid writes /proc/self/loginuid, which the kernel accepts from
// the thread group's leader only (another thread gets EPERM, and Debian's
// /etc/pam.d/sshd has pam_loginuid as required): the session stack must
// run on the main thread, where a C sshd runs it. LockOSThread called
// during initialization keeps main, and runPAMSession called from it
// (RunInternal), there.
func init() {
	if os.Getenv(pamSessionEnv) == "1" {
		runtime.LockOSThread()
	}
}

// runPAMSession is the session process (RunInternal): it opens the
// session, reports, and closes it when its standard input closes.
func runPAMSession() {
	if os.Getenv(pamSessionEnv) != "1" || len(os.Args) == 0 || os.Args[0] != pamSessionArg0 {
		return
	}
	os.Unsetenv(pamSessionEnv)
	in := bufio.NewReader(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	fail := func(err error) {
		out.Encode(pamSessionReply{Err: err.Error()})
		os.Exit(1)
	}
	line, err := in.ReadBytes('\n')
	if err != nil {
		fail(err)
	}
	var req pamSessionRequest
	if err := json.Unmarshal(line, &req); err != nil {
		fail(err)
	}
	var msgs []byte
	tx, err := pam.Start(req.Service, req.User, func(m []pam.Message) ([][]byte, error) {
		for _, x := range m {
			if x.Style.Prompt() {
				return nil, errors.New("the session stack asked a question")
			}
			if len(msgs) < 16*pam.MaxMessageSize {
				msgs = append(msgs, x.Text+"\n"...)
			}
		}
		return make([][]byte, len(m)), nil
	})
	if err != nil {
		fail(err)
	}
	for _, it := range []struct {
		item pam.Item
		v    string
	}{{pam.RHost, req.RHost}, {pam.TTY, "ssh"}} {
		if err := tx.SetItem(it.item, it.v); err != nil {
			fail(err)
		}
	}
	before := getLimits()
	if err := tx.SetCred(true); err != nil {
		fail(err)
	}
	if err := tx.OpenSession(); err != nil {
		tx.SetCred(false)
		tx.End()
		fail(err)
	}
	changed := map[int][2]uint64{}
	for r, l := range getLimits() {
		if before[r] != l {
			changed[r] = l
		}
	}
	if err := out.Encode(pamSessionReply{Env: tx.Env(), Limits: changed, Messages: string(msgs), Cgroup: cgroupOf("self")}); err != nil {
		os.Exit(1)
	}
	io.Copy(io.Discard, in)
	tx.CloseSession()
	tx.SetCred(false)
	tx.End()
	os.Exit(0)
}
