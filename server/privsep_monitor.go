package server

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"

	"github.com/pqssh/pqssh/internal/sandbox"
	"github.com/pqssh/pqssh/mctiny/sshkex"
)

// monitor is the privileged side of one privilege-separated connection
// (privsep.go): it answers its network process until a login completes,
// then serves the connection protocol over the relayed packets.
type monitor struct {
	s       *Server
	st      *connState
	log     *slog.Logger
	link    *privsepLink
	keyLink *privsepLink
	sc      *gossh.ServerConfig // the connection's callbacks, as in a single process

	signers []gossh.Signer
	kex     map[string]gossh.KeyExchangeMethod // computed here (McTiny's)

	// keyMu guards what the key socket's goroutine shares: the session
	// ID (the first exchange hash signed) and the key exchanges run.
	keyMu   sync.Mutex
	kexRuns int

	// cur are the authentication callbacks in force: the configuration's,
	// then those a partial success offers (AuthenticationMethods), as
	// x/crypto's serverAuthenticate switches them.
	cur       gossh.ServerAuthCallbacks
	sessionID []byte // guarded by keyMu
	// partialUser is the user of the first partial success: every later
	// request must be for that user (x/crypto refuses a change of user
	// after a partial success, sshd any change of user).
	partialUser string
	failures    int // failed authentication attempts (answer)
	requests    int

	// Set once a login completed.
	perms *gossh.Permissions
	user  string
	meta  psMeta
}

// errPrivsepProtocol ends a connection whose network process broke the
// protocol: it is killed, as sshd's monitor does with a misbehaving child.
var errPrivsepProtocol = errors.New("privsep: network process broke the monitor protocol")

// maxMonitorKex bounds the key exchanges the monitor computes for one
// connection (the first and the re-keyings of a long session).
const maxMonitorKex = 1 << 16

// serveMonitor serves conn (the client's TCP connection, still at file
// descriptor connFile) through a network process. link is the listener's
// control socket; the network process gets a control socket of the
// monitor's instead (privsep_control.go), for its key-exchange memory
// reservations.
func (s *Server) serveMonitor(connFile *os.File, link *procLink) error {
	tcp, err := net.FileConn(connFile)
	if err != nil {
		return fmt.Errorf("pqsshd monitor: connection: %w", err)
	}
	local, remote := tcp.LocalAddr(), tcp.RemoteAddr()
	if tc, ok := tcp.(*net.TCPConn); ok {
		tc.SetKeepAlive(s.Config().TCPKeepAlive)
	}
	tcp.Close()

	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		connFile.Close()
		return fmt.Errorf("pqsshd monitor: socketpair: %w", err)
	}
	mine := os.NewFile(uintptr(fds[0]), "privsep-monitor")
	theirs := os.NewFile(uintptr(fds[1]), "privsep-net")
	mc, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		theirs.Close()
		connFile.Close()
		return fmt.Errorf("pqsshd monitor: %w", err)
	}
	keyFDs, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		theirs.Close()
		mc.Close()
		connFile.Close()
		return fmt.Errorf("pqsshd monitor: socketpair: %w", err)
	}
	keyMine := os.NewFile(uintptr(keyFDs[0]), "privsep-monitor-keys")
	keyTheirs := os.NewFile(uintptr(keyFDs[1]), "privsep-net-keys")
	kc, err := net.FileConn(keyMine)
	keyMine.Close()
	if err != nil {
		keyTheirs.Close()
		theirs.Close()
		mc.Close()
		connFile.Close()
		return fmt.Errorf("pqsshd monitor: %w", err)
	}
	defer kc.Close()
	ctl, ctlTheirs, err := newNetControl()
	if err != nil {
		keyTheirs.Close()
		theirs.Close()
		mc.Close()
		connFile.Close()
		return err
	}
	defer ctl.Close()
	cmd, err := s.startNetProcess(connFile, ctlTheirs, theirs, keyTheirs)
	connFile.Close()
	ctlTheirs.Close()
	theirs.Close()
	keyTheirs.Close()
	if err != nil {
		mc.Close()
		return err
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	defer func() {
		mc.Close()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}()

	m, rc, log := s.newMonitor(mc, kc, local, remote, link)
	st := m.st
	m.log = log.With("netpid", cmd.Process.Pid)
	st.titleAccepted()
	defer s.endConn(st, rc, log)

	// The network process enforces LoginGraceTime and logs it; the
	// monitor makes sure of it.
	if g := s.Config().LoginGraceTime; g > 0 {
		t := time.AfterFunc(g+10*time.Second, func() {
			if !st.isAuthed() {
				cmd.Process.Kill()
				rc.Close()
			}
		})
		defer t.Stop()
	}
	log.Debug("connection accepted", "netpid", cmd.Process.Pid)
	if lh, lp, err := net.SplitHostPort(local.String()); err == nil {
		s.sshdLine(LevelVerbose, "Connection from %s on %s port %s", peerForLog(st), lh, lp)
	}
	go func() {
		if err := serveNetControl(ctl, link); err != nil {
			m.log.Error("killing the network process", "err", err)
			cmd.Process.Kill()
		}
	}()
	go func() {
		if err := m.serveKeys(); err != nil && errors.Is(err, errPrivsepProtocol) {
			m.log.Error("killing the network process", "err", err)
			cmd.Process.Kill()
		}
	}()
	if err := m.authenticate(); err != nil {
		if errors.Is(err, errPrivsepProtocol) {
			m.log.Error("killing the network process", "err", err)
			cmd.Process.Kill()
			// A subverted network process: PerSourcePenalties' crash.
			st.report(procReport{Op: opCrash})
		} else {
			m.log.Debug("network process ended before a login", "err", err)
		}
		select {
		case <-exited:
			// A network process that fails exits 1 after logging why; a
			// crash (a Go panic exits 2, a fault is a signal) is news.
			ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
			killed := errors.Is(err, errPrivsepProtocol) && ws.Signaled() && ws.Signal() == syscall.SIGKILL
			if ok && !killed && (ws.Signaled() || ws.ExitStatus() > 1) {
				m.log.Error("network process ended abnormally", "status", cmd.ProcessState.String())
				// A fault in the code that parses the client's bytes:
				// PerSourcePenalties' crash, so that a client retrying
				// it (an ASLR brute force) waits, as sshd's.
				st.report(procReport{Op: opCrash})
			}
		case <-time.After(2 * time.Second):
		}
		return nil
	}
	st.resume = &gossh.ResumedConn{
		Transport:     rc.relay,
		User:          m.user,
		SessionID:     m.sessionIDNow(),
		ClientVersion: []byte(m.meta.ClientVersion),
		ServerVersion: []byte(m.meta.ServerVersion),
		Algorithms:    m.meta.Algorithms,
		Permissions:   m.perms,
	}
	s.gl.HandleConn(&trackedConn{Conn: rc, st: st})
	return nil
}

// newMonitor is the monitor of one connection (its client at remote)
// whose network process talks on mc (the monitor socket) and kc (the key
// socket); link is the listener's control socket (nil: no listener).
func (s *Server) newMonitor(mc, kc net.Conn, local, remote net.Addr, link *procLink) (*monitor, *resumedConn, *slog.Logger) {
	m := &monitor{s: s, link: newPrivsepLink(mc), keyLink: newPrivsepLink(kc)}
	rc := &resumedConn{relay: relayPackets{l: m.link}, local: local, remote: remote, closed: make(chan struct{})}
	st, log := s.newConnState(rc)
	rc.relay.bytes = &st.bytes
	st.link = link
	st.admitted = true
	st.block = sourceBlock(st.host, s.Config().PerSourceNetBlockSize)
	m.st, m.log = st, log
	m.signers = s.hostSigners()
	return m, rc, log
}

// startNetProcess starts the network process of a connection: this
// executable again, with this process's arguments (it reads the same
// configuration) and the four descriptors of NetConnFD.
func (s *Server) startNetProcess(conn, ctl, mon, keys *os.File) (*exec.Cmd, error) {
	if s.helperPath == "" {
		return nil, errors.New("pqsshd monitor: cannot find the pqsshd executable")
	}
	cmd := &exec.Cmd{
		Path:       s.helperPath,
		Args:       append([]string{NetArg0}, os.Args[1:]...),
		Env:        append(netEnv(), NetProcessEnv+"=1"),
		Dir:        "/",
		ExtraFiles: []*os.File{conn, ctl, mon, keys},
		Stderr:     os.Stderr,
		// No Pdeathsig: it follows the thread that forks, which ends at
		// once (below). A network process whose monitor died fails its
		// next request, or reads end-of-file after the hand-over, and
		// LoginGraceTime bounds the rest.
	}
	// No new privileges, on every thread the process will have: set on a
	// thread of ours that forks it and is thrown away (PR_SET_NO_NEW_PRIVS
	// is per thread, and inherited).
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: the thread ends with the goroutine.
		err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
		if err == nil {
			// Abstract sockets and signals scoped to the network
			// process (where Landlock can), no TCP bind or connect.
			_, err = sandbox.ScopeThread()
		}
		if err == nil {
			err = cmd.Start()
		}
		done <- err
	}()
	if err := <-done; err != nil {
		return nil, fmt.Errorf("pqsshd monitor: starting the network process: %w", err)
	}
	return cmd, nil
}

// netEnv is what a network process inherits of the environment.
func netEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		switch {
		case len(kv) > 5 && kv[:5] == "PATH=", len(kv) > 7 && kv[:7] == "GODEBUG", len(kv) > 6 && kv[:6] == "PQSSHD":
			out = append(out, kv)
		}
	}
	return out
}

// authenticate answers the network process until a login completed and
// it handed the transport over (nil), or it went away or broke the
// protocol (an error).
func (m *monitor) authenticate() error {
	s, st := m.s, m.st
	m.sc = s.serverConfig(st)
	m.cur = gossh.ServerAuthCallbacks{
		PasswordCallback:            m.sc.PasswordCallback,
		KeyboardInteractiveCallback: m.sc.KeyboardInteractiveCallback,
		PublicKeyCallback: func(conn gossh.ConnMetadata, key gossh.PublicKey) (*gossh.Permissions, error) {
			if s.publicKeyQuery(st, conn.User(), key) {
				return nil, nil
			}
			return nil, errors.New("public key not accepted")
		},
	}
	hello := psHelloMsg{}
	for _, sg := range m.signers {
		hk := psHostKey{Public: sg.PublicKey().Marshal()}
		if ms, ok := sg.(gossh.MultiAlgorithmSigner); ok {
			hk.Algos = ms.Algorithms()
		}
		hello.HostKeys = append(hello.HostKeys, hk)
	}
	if meth, ok := m.sc.KeyExchangeMethods[sshkex.Name]; ok && s.mct != nil {
		m.keyMu.Lock()
		m.kex = map[string]gossh.KeyExchangeMethod{sshkex.Name: meth}
		m.keyMu.Unlock()
		hello.MonitorKex = append(hello.MonitorKex, psKexInfo{Name: sshkex.Name, Hash: meth.Hash()})
	}
	if err := m.link.writeJSON(psHello, hello); err != nil {
		return fmt.Errorf("privsep: hello: %w", err)
	}
	for {
		typ, body, err := m.link.read(maxPrivsepRequest)
		if err != nil {
			return err
		}
		if m.requests++; m.requests > maxPrivsepRequests {
			return fmt.Errorf("%w: more than %d requests", errPrivsepProtocol, maxPrivsepRequests)
		}
		if typ == psHandoff {
			if m.perms == nil {
				return fmt.Errorf("%w: hand-over before a login completed", errPrivsepProtocol)
			}
			return nil
		}
		ans, err := m.answer(typ, body)
		if err != nil {
			return err
		}
		if typ == psAuthLog {
			continue
		}
		if err := m.link.writeJSON(psAnswer, ans); err != nil {
			return err
		}
	}
}

// decidingRequests are the requests that are authentication attempts,
// with their method's name.
var decidingRequests = map[byte]string{
	psPKQuery:  "publickey",
	psPKSig:    "publickey",
	psPassword: "password",
	psKbdStart: "keyboard-interactive",
}

// answer handles one request. The monitor counts the failed attempts
// itself, for the listener (PerSourcePenalties) and for MaxAuthTries: a
// network process that asks again once x/crypto would have disconnected
// ("too many authentication failures") is killed.
func (m *monitor) answer(typ byte, body []byte) (psAnswerMsg, error) {
	method, deciding := decidingRequests[typ]
	if !deciding {
		return m.answerRequest(typ, body)
	}
	if max := maxAuthTries(m.sc); max > 0 && m.failures >= max {
		return psAnswerMsg{}, fmt.Errorf("%w: request %d after %d failed attempts (MaxAuthTries %d)", errPrivsepProtocol, typ, m.failures, max)
	}
	ans, err := m.answerRequest(typ, body)
	if err != nil || ans.OK || ans.Partial != nil {
		return ans, err
	}
	m.failures++
	var r struct{ Meta psMeta }
	json.Unmarshal(body, &r) // it was parsed whole already
	if m.sc.AuthLogCallback != nil {
		m.sc.AuthLogCallback(m.connMeta(r.Meta), method, errors.New(ans.Err))
	}
	return ans, nil
}

// maxAuthTries is the number of failures after which x/crypto ends the
// authentication (its default for 0; none when negative).
func maxAuthTries(sc *gossh.ServerConfig) int {
	if sc.MaxAuthTries == 0 {
		return 6
	}
	return sc.MaxAuthTries
}

// answerRequest answers one request.
func (m *monitor) answerRequest(typ byte, body []byte) (psAnswerMsg, error) {
	bad := func(err error) (psAnswerMsg, error) {
		return psAnswerMsg{}, fmt.Errorf("%w: request %d: %v", errPrivsepProtocol, typ, err)
	}
	if m.perms != nil && typ != psAuthLog {
		return bad(errors.New("authentication request after the login completed"))
	}
	switch typ {
	case psBanner:
		var r psPKReq
		if err := json.Unmarshal(body, &r); err != nil {
			return bad(err)
		}
		if m.sc.BannerCallback == nil {
			return psAnswerMsg{}, nil
		}
		return psAnswerMsg{Banner: m.sc.BannerCallback(m.connMeta(r.Meta))}, nil
	case psPKQuery:
		var r psPKReq
		if err := json.Unmarshal(body, &r); err != nil {
			return bad(err)
		}
		key, err := gossh.ParsePublicKey(r.Key)
		if err != nil {
			return psAnswerMsg{Err: "unparsable public key"}, nil
		}
		if err := m.sameUser(r.Meta.User); err != nil {
			return bad(err)
		}
		if m.cur.PublicKeyCallback == nil {
			return psAnswerMsg{Err: "publickey is not allowed now"}, nil
		}
		_, err = m.cur.PublicKeyCallback(m.connMeta(r.Meta), key)
		return m.result(psAnswerMsg{}, err), nil
	case psPKSig:
		var r psPKReq
		if err := json.Unmarshal(body, &r); err != nil {
			return bad(err)
		}
		ans, err := m.publicKeyProof(r)
		if err != nil {
			return bad(err)
		}
		return ans, nil
	case psPassword:
		var r psPasswordReq
		if err := json.Unmarshal(body, &r); err != nil {
			return bad(err)
		}
		defer clear(r.Password)
		if err := m.sameUser(r.Meta.User); err != nil {
			return bad(err)
		}
		if m.cur.PasswordCallback == nil {
			return psAnswerMsg{Err: "password is not allowed now"}, nil
		}
		meta := m.connMeta(r.Meta)
		perms, err := m.cur.PasswordCallback(meta, r.Password)
		return m.complete(meta, perms, err), nil
	case psKbdStart:
		var r psKbdReq
		if err := json.Unmarshal(body, &r); err != nil {
			return bad(err)
		}
		if err := m.sameUser(r.Meta.User); err != nil {
			return bad(err)
		}
		if m.cur.KeyboardInteractiveCallback == nil {
			return psAnswerMsg{Err: "keyboard-interactive is not allowed now"}, nil
		}
		meta := m.connMeta(r.Meta)
		var broke error
		perms, err := m.cur.KeyboardInteractiveCallback(meta, func(name, instruction string, questions []string, echos []bool) ([]string, error) {
			if err := m.link.writeJSON(psKbdChallenge, psKbdChallengeMsg{name, instruction, questions, echos}); err != nil {
				broke = err
				return nil, err
			}
			var a psKbdReq
			if err := m.link.readJSON(psKbdAnswers, &a); err != nil {
				broke = err
				return nil, err
			}
			if a.Err != "" {
				return nil, errors.New(a.Err)
			}
			if len(a.Answers) != len(questions) {
				broke = errors.New("wrong number of answers")
				return nil, broke
			}
			return a.Answers, nil
		})
		if broke != nil {
			return bad(broke)
		}
		return m.complete(meta, perms, err), nil
	case psAuthLog:
		var r psAuthLogReq
		if err := json.Unmarshal(body, &r); err != nil {
			return bad(err)
		}
		// The failures that count were counted when the monitor decided
		// them (answer): what the network process says of an attempt only
		// notes the key exchange.
		if m.sc.AuthLogCallback != nil {
			m.sc.AuthLogCallback(m.connMeta(r.Meta), r.Method, nil)
		}
		return psAnswerMsg{}, nil
	}
	return bad(errors.New("unknown request"))
}

// sameUser checks that a request is for the user of an earlier partial
// success: the next methods AuthenticationMethods offers are that user's
// (x/crypto, which the network process runs, never asks otherwise).
func (m *monitor) sameUser(user string) error {
	if m.partialUser != "" && user != m.partialUser {
		return fmt.Errorf("user %q after a partial success of %q", user, m.partialUser)
	}
	return nil
}

// sign signs with a host key: an exchange hash (the first one is the
// session ID), never anything else — the network process cannot make the
// monitor sign a chosen message of another length.
func (m *monitor) sign(r psSignReq) (psAnswerMsg, error) {
	if r.Index < 0 || r.Index >= len(m.signers) {
		return psAnswerMsg{}, fmt.Errorf("%w: host key %d of %d", errPrivsepProtocol, r.Index, len(m.signers))
	}
	switch len(r.Data) {
	case 20, 32, 48, 64: // SHA-1, SHA-256, SHA-384, SHA-512 exchange hashes
	default:
		return psAnswerMsg{}, fmt.Errorf("%w: %d bytes to sign is no exchange hash", errPrivsepProtocol, len(r.Data))
	}
	m.keyMu.Lock()
	if m.sessionID == nil {
		m.sessionID = bytes.Clone(r.Data)
	}
	m.keyMu.Unlock()
	sg := m.signers[r.Index]
	var sig *gossh.Signature
	var err error
	if as, ok := sg.(gossh.AlgorithmSigner); ok && r.Algo != "" {
		if ms, ok := sg.(gossh.MultiAlgorithmSigner); ok && !slices.Contains(ms.Algorithms(), r.Algo) {
			return psAnswerMsg{}, fmt.Errorf("%w: algorithm %q not allowed for host key %d", errPrivsepProtocol, r.Algo, r.Index)
		}
		sig, err = as.SignWithAlgorithm(rand.Reader, r.Data, r.Algo)
	} else {
		sig, err = sg.Sign(rand.Reader, r.Data)
	}
	if err != nil {
		return psAnswerMsg{Err: err.Error()}, nil
	}
	return psAnswerMsg{OK: true, Sig: sig}, nil
}

// signedUserauth is what a client signs for a public-key login (RFC 4252
// section 7).
type signedUserauth struct {
	SessionID []byte
	Type      byte
	User      string
	Service   string
	Method    string
	HasSig    bool
	Algo      string
	Key       []byte
}

// publicKeyProof checks a public-key login as sshd's monitor does
// (monitor_valid_userblob): what was signed must be a userauth request of
// this session (RFC 4252 section 7) for the key, and the signature must
// verify; only then do the usual decisions run. An error is a protocol
// violation (a change of user after a partial success).
func (m *monitor) publicKeyProof(r psPKReq) (psAnswerMsg, error) {
	key, err := gossh.ParsePublicKey(r.Key)
	m.keyMu.Lock()
	sessionID := m.sessionID
	m.keyMu.Unlock()
	if err != nil || r.Sig == nil || sessionID == nil {
		return psAnswerMsg{Err: "public key proof without key, signature or session"}, nil
	}
	var signed signedUserauth
	if err := gossh.Unmarshal(r.Data, &signed); err != nil {
		return psAnswerMsg{Err: "signed data is no userauth request"}, nil
	}
	if !bytes.Equal(signed.SessionID, sessionID) || signed.Type != 50 || signed.Service != "ssh-connection" ||
		signed.Method != "publickey" || !signed.HasSig || !bytes.Equal(signed.Key, r.Key) {
		return psAnswerMsg{Err: "signed data is not this session's publickey request"}, nil
	}
	if algos := m.sc.PublicKeyAuthAlgorithms; len(algos) > 0 && !slices.Contains(algos, r.Sig.Format) {
		return psAnswerMsg{Err: fmt.Sprintf("signature algorithm %q not accepted", r.Sig.Format)}, nil
	}
	if err := key.Verify(r.Data, r.Sig); err != nil {
		return psAnswerMsg{Err: "signature does not verify"}, nil
	}
	if err := m.sameUser(signed.User); err != nil {
		return psAnswerMsg{}, err
	}
	r.Meta.User = signed.User
	meta := m.connMeta(r.Meta)
	if m.cur.PublicKeyCallback == nil {
		return psAnswerMsg{Err: "publickey is not allowed now"}, nil
	}
	perms, err := m.cur.PublicKeyCallback(meta, key)
	if err == nil && m.sc.VerifiedPublicKeyCallback != nil {
		perms, err = m.sc.VerifiedPublicKeyCallback(meta, key, perms, r.Sig.Format)
	}
	return m.complete(meta, perms, err), nil
}

// complete turns the outcome of an authentication method into an answer,
// and records a completed login or the callbacks a partial success
// offers next.
func (m *monitor) complete(meta *monitorMeta, perms *gossh.Permissions, err error) psAnswerMsg {
	var partial *gossh.PartialSuccessError
	switch {
	case errors.As(err, &partial):
		m.cur = partial.Next
		m.partialUser = meta.user
		ans := psAnswerMsg{Partial: []string{}}
		if m.cur.PublicKeyCallback != nil {
			ans.Partial = append(ans.Partial, "publickey")
		}
		if m.cur.PasswordCallback != nil {
			ans.Partial = append(ans.Partial, "password")
		}
		if m.cur.KeyboardInteractiveCallback != nil {
			ans.Partial = append(ans.Partial, "keyboard-interactive")
		}
		return m.withUser(ans)
	case err != nil:
		return m.result(psAnswerMsg{}, err)
	}
	m.perms = perms
	if m.perms == nil {
		m.perms = &gossh.Permissions{}
	}
	m.user = meta.user
	m.meta = meta.psMeta
	return m.withUser(psAnswerMsg{OK: true})
}

func (m *monitor) result(a psAnswerMsg, err error) psAnswerMsg {
	if err != nil {
		a.Err = err.Error()
	} else {
		a.OK = true
	}
	return m.withUser(a)
}

// withUser adds what the network process's log lines need to know.
func (m *monitor) withUser(a psAnswerMsg) psAnswerMsg {
	m.st.mu.Lock()
	a.InvalidUser = m.st.invalidUser
	m.st.mu.Unlock()
	return a
}

// monitorMeta is the gossh.ConnMetadata of the monitor's callbacks: the
// network process's view, with the monitor's session ID and addresses.
type monitorMeta struct {
	psMeta
	user      string
	sessionID []byte
	local     net.Addr
	remote    net.Addr
}

func (m *monitor) connMeta(p psMeta) *monitorMeta {
	m.keyMu.Lock()
	sid := m.sessionID
	m.keyMu.Unlock()
	return &monitorMeta{psMeta: p, user: p.User, sessionID: sid, local: m.st.conn.LocalAddr(), remote: m.st.conn.RemoteAddr()}
}

func (c *monitorMeta) User() string                           { return c.user }
func (c *monitorMeta) SessionID() []byte                      { return bytes.Clone(c.sessionID) }
func (c *monitorMeta) ClientVersion() []byte                  { return []byte(c.psMeta.ClientVersion) }
func (c *monitorMeta) ServerVersion() []byte                  { return []byte(c.psMeta.ServerVersion) }
func (c *monitorMeta) RemoteAddr() net.Addr                   { return c.remote }
func (c *monitorMeta) LocalAddr() net.Addr                    { return c.local }
func (c *monitorMeta) Algorithms() gossh.NegotiatedAlgorithms { return c.psMeta.Algorithms }

// Privsep reports whether this session process separates privileges: it
// does unless the environment variable PQSSHD_NO_PRIVSEP is "1", which
// only tests set to compare with the model without a network process.
func (s *Server) Privsep() bool {
	return os.Getenv(noPrivsepEnv) != "1"
}

// noPrivsepEnv turns privilege separation off (tests only).
const noPrivsepEnv = "PQSSHD_NO_PRIVSEP"

// serveSessionMonitor is ServeSessionProcess with privilege separation.
func (s *Server) serveSessionMonitor(conn, ctl *os.File) error {
	defer conn.Close()
	defer ctl.Close()
	lc, err := net.FileConn(ctl)
	if err != nil {
		return fmt.Errorf("pqsshd session: control socket: %w", err)
	}
	uc, ok := lc.(*net.UnixConn)
	if !ok {
		lc.Close()
		return errors.New("pqsshd session: control socket is not a Unix socket")
	}
	defer uc.Close()
	return s.serveMonitor(conn, &procLink{c: uc})
}

// sessionIDNow is the session ID (nil before the first key exchange).
func (m *monitor) sessionIDNow() []byte {
	m.keyMu.Lock()
	defer m.keyMu.Unlock()
	return m.sessionID
}

// serveKeys answers the key socket for the connection's life: host-key
// signatures and the key exchanges the monitor computes. It returns at
// the socket's end, or with errPrivsepProtocol.
func (m *monitor) serveKeys() error {
	for {
		typ, body, err := m.keyLink.read(maxPrivsepRequest)
		if err != nil {
			return err
		}
		var ans psAnswerMsg
		switch typ {
		case psSign:
			var r psSignReq
			if err := json.Unmarshal(body, &r); err != nil {
				return fmt.Errorf("%w: sign request: %v", errPrivsepProtocol, err)
			}
			if ans, err = m.sign(r); err != nil {
				return err
			}
		case psKex:
			var r psKexReq
			if err := json.Unmarshal(body, &r); err != nil {
				return fmt.Errorf("%w: key exchange request: %v", errPrivsepProtocol, err)
			}
			m.keyMu.Lock()
			meth, ok := m.kex[r.Name]
			m.kexRuns++
			runs := m.kexRuns
			m.keyMu.Unlock()
			if !ok || runs > maxMonitorKex {
				return fmt.Errorf("%w: key exchange %q (%d run)", errPrivsepProtocol, r.Name, runs)
			}
			reply, secret, err := meth.Respond(rand.Reader, r.Client)
			if err != nil {
				ans = psAnswerMsg{Err: err.Error()}
			} else {
				ans = psAnswerMsg{OK: true, Reply: reply, Secret: secret}
			}
		default:
			return fmt.Errorf("%w: frame type %d on the key socket", errPrivsepProtocol, typ)
		}
		if err := m.keyLink.writeJSON(psAnswer, ans); err != nil {
			return err
		}
	}
}
