package server

// UsePAM: the PAM work of a connection, in one place because it is the
// part of a login that runs as root ("account and session set-up"): the
// authentication transaction for PasswordAuthentication and
// KbdInteractiveAuthentication, the account stack once a login is
// complete (for every method, as sshd's do_pam_account), and the session
// (pam_setcred and pam_open_session, in a process of its own: see
// pamsession.go).

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/config"
	"github.com/pqssh/pqssh/server/pam"
)

// maxConvRounds bounds the conversation calls of one keyboard-interactive
// attempt (each is a round trip to the client).
const maxConvRounds = 16

// pamConn is one connection's PAM state.
type pamConn struct {
	mu   sync.Mutex
	tx   *pam.Transaction // the authentication transaction, until the login completes
	user string

	sessOnce sync.Once
	sess     *pamSession
	sessErr  error
}

// usePAM reports whether PAM does the account, session and password work
// under cfg.
func (s *Server) usePAM(cfg *config.Config) bool { return cfg.UsePAM && pam.Available }

// passwordOffered and kbdIntOffered report whether the methods are
// offered: both go through PAM, pqsshd checks no password itself.
func (s *Server) passwordOffered(cfg *config.Config) bool {
	return s.usePAM(cfg) && cfg.PasswordAuthentication
}

func (s *Server) kbdIntOffered(cfg *config.Config) bool {
	return s.usePAM(cfg) && cfg.KbdInteractiveAuth
}

func (st *connState) pamState() *pamConn {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.pam == nil {
		st.pam = &pamConn{}
	}
	return st.pam
}

// pamTx returns the connection's authentication transaction for user,
// starting one (with PAM_RHOST) if there is none or it was for another
// user.
func (s *Server) pamTx(st *connState, cfg *config.Config, user string) (*pam.Transaction, error) {
	pc := st.pamState()
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.tx != nil && pc.user == user {
		return pc.tx, nil
	}
	if pc.tx != nil {
		pc.tx.End()
		pc.tx = nil
	}
	tx, err := pam.Start(cfg.PAMServiceName, user, nil)
	if err != nil {
		return nil, err
	}
	if err := tx.SetItem(pam.RHost, st.host); err != nil {
		tx.End()
		return nil, err
	}
	// sshd's PAM_TTY until a terminal exists: some modules (pam_securetty)
	// need one.
	if err := tx.SetItem(pam.TTY, "ssh"); err != nil {
		tx.End()
		return nil, err
	}
	pc.tx, pc.user = tx, user
	return tx, nil
}

// endAuthTx ends the authentication transaction, if any.
func (pc *pamConn) endAuthTx() {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.tx != nil {
		pc.tx.End()
		pc.tx = nil
	}
}

// endPAM ends the connection's PAM transaction and closes its session.
func (st *connState) endPAM() {
	st.mu.Lock()
	pc := st.pam
	st.mu.Unlock()
	if pc == nil {
		return
	}
	pc.endAuthTx()
	pc.mu.Lock()
	sess := pc.sess
	pc.mu.Unlock()
	if sess != nil {
		sess.close()
	}
}

// pamMethodCheck makes the checks of checkUser and those specific to
// password-like methods; it returns what a success grants. A user name
// that names no account, or root refused by PermitRootLogin, is refused,
// and decoy is then the configuration under which the method still runs
// the PAM stack, as sshd does, with a fake password (pamDecoy).
func (s *Server) pamMethodCheck(st *connState, user string, enabled func(*config.Config) bool) (info *authInfo, decoy *config.Config, err error) {
	acct, ccfg, loginMsg, err := s.checkUser(st, user)
	if err != nil {
		if cfg := s.Config(); errors.Is(err, errNoSuchUser) && enabled(cfg) {
			return nil, cfg, err
		}
		return nil, nil, err
	}
	if !enabled(ccfg) {
		return nil, nil, errors.New("method disabled for this user")
	}
	if acct.UID == 0 && ccfg.PermitRootLogin != "yes" {
		return nil, ccfg, fmt.Errorf("root login refused: PermitRootLogin %s", ccfg.PermitRootLogin)
	}
	return &authInfo{acct: acct, cfg: ccfg, loginMsg: loginMsg}, nil, nil
}

// pamAuthenticate runs the auth stack of the connection's transaction for
// user with conv answering the modules.
func (s *Server) pamAuthenticate(st *connState, cfg *config.Config, user string, conv pam.Conversation) error {
	tx, err := s.pamTx(st, cfg, user)
	if err != nil {
		return err
	}
	tx.SetConversation(conv)
	err = tx.Authenticate(true)
	tx.SetConversation(nil)
	return err
}

// passwordAuth is PasswordAuthentication through PAM: the conversation
// answers every hidden prompt with the password (as sshd's
// sshpam_passwd_conv) and refuses visible ones; empty passwords are
// refused (PermitEmptyPasswords no).
func (s *Server) passwordAuth(st *connState, conn gossh.ConnMetadata, password []byte) (*gossh.Permissions, error) {
	pw := []byte(string(password))
	defer clear(pw)
	info, decoy, err := s.pamMethodCheck(st, conn.User(), s.passwordOffered)
	if err == nil && len(pw) == 0 {
		err = errors.New("empty password (PermitEmptyPasswords no)")
	}
	switch {
	case err == nil:
		err = s.pamAuthenticate(st, info.cfg, info.acct.Name, passwordConv(pw))
	case decoy != nil:
		fake := fakePassword(pw)
		s.pamDecoy(st, decoy, conn.User(), passwordConv(fake))
		clear(fake)
	}
	return s.pamMethodResult(st, conn, "password", "password", info, err)
}

// passwordConv answers every hidden prompt with pw (as sshd's
// sshpam_passwd_conv) and refuses visible ones.
func passwordConv(pw []byte) pam.Conversation {
	return func(msgs []pam.Message) ([][]byte, error) {
		out := make([][]byte, len(msgs))
		for i, m := range msgs {
			switch m.Style {
			case pam.PromptEchoOff:
				out[i] = []byte(string(pw))
			case pam.PromptEchoOn:
				return nil, errors.New("a visible prompt in password authentication")
			}
		}
		return out, nil
	}
}

// kbdIntAuth is KbdInteractiveAuthentication through PAM ("keyboard-
// interactive/pam"): each conversation call with prompts is one
// SSH_MSG_USERAUTH_INFO_REQUEST (RFC 4256) with all its prompts; text and
// error messages become the instruction of the next request.
func (s *Server) kbdIntAuth(st *connState, conn gossh.ConnMetadata, challenge gossh.KeyboardInteractiveChallenge) (*gossh.Permissions, error) {
	info, decoy, err := s.pamMethodCheck(st, conn.User(), s.kbdIntOffered)
	switch {
	case err == nil:
		conv := kbdIntConv(challenge, nil)
		err = s.pamAuthenticate(st, info.cfg, info.acct.Name, conv)
		if err == nil {
			err = s.pamChangeExpired(st, info, conv)
		}
	case decoy != nil:
		s.pamDecoy(st, decoy, conn.User(), kbdIntConv(challenge, fakePassword))
	}
	return s.pamMethodResult(st, conn, "keyboard-interactive", "keyboard-interactive/pam", info, err)
}

// pamChangeExpired follows a successful keyboard-interactive
// authentication as sshd's PAM thread does: the account stack runs at once
// (its messages, such as pam_unix's "You are required to change your
// password immediately", go to the client with the next prompt) and, if it
// answers PAM_NEW_AUTHTOK_REQD, the password stack changes the expired
// password through the same conversation (pam_chauthtok with
// PAM_CHANGE_EXPIRED_AUTHTOK); the attempt fails if that does. Other
// account refusals are left to pamAccount, which runs once the login is
// complete.
func (s *Server) pamChangeExpired(st *connState, info *authInfo, conv pam.Conversation) error {
	tx, err := s.pamTx(st, info.cfg, info.acct.Name)
	if err != nil {
		return err
	}
	tx.SetConversation(conv)
	defer tx.SetConversation(nil)
	if pam.Code(tx.AcctMgmt(true)) != pam.CodeNewAuthTokReqd {
		return nil
	}
	s.log.Info("password expired: changing it through keyboard-interactive", "user", info.acct.Name, "conn", st.id)
	if err := tx.ChAuthTok(); err != nil {
		s.log.Info("password change failed", "user", info.acct.Name, "err", err, "conn", st.id)
		return err
	}
	s.log.Info("password changed", "user", info.acct.Name, "conn", st.id)
	return nil
}

// kbdIntConv makes each conversation call with prompts one
// keyboard-interactive request; answer, when not nil, replaces each
// answer before the modules see it (pamDecoy's fake passwords).
func kbdIntConv(challenge gossh.KeyboardInteractiveChallenge, answer func([]byte) []byte) pam.Conversation {
	var pending strings.Builder
	rounds := 0
	return func(msgs []pam.Message) ([][]byte, error) {
		var qs []string
		var echos []bool
		var idx []int
		for i, m := range msgs {
			if m.Style.Prompt() {
				qs, echos, idx = append(qs, m.Text), append(echos, m.Style == pam.PromptEchoOn), append(idx, i)
			} else if pending.Len() < 4*pam.MaxMessageSize {
				pending.WriteString(m.Text + "\n")
			}
		}
		out := make([][]byte, len(msgs))
		if len(qs) == 0 {
			return out, nil
		}
		if rounds++; rounds > maxConvRounds {
			return nil, errors.New("too many keyboard-interactive rounds")
		}
		answers, err := challenge("", pending.String(), qs, echos)
		pending.Reset()
		if err != nil {
			return nil, err
		}
		if len(answers) != len(qs) {
			return nil, fmt.Errorf("%d answers to %d prompts", len(answers), len(qs))
		}
		for j, i := range idx {
			if len(answers[j]) > pam.MaxResponseSize {
				return nil, errors.New("answer too long")
			}
			out[i] = []byte(answers[j])
			if answer != nil {
				out[i] = answer(out[i])
			}
		}
		return out, nil
	}
}

// pamDecoy runs the auth stack for a login that is refused already (a
// user name that names no account, root refused by PermitRootLogin), with
// conv giving the modules a fake password, as sshd does: the refusal then
// takes the path, and the time, of a wrong password for an existing user
// (pam_unix's and pam_faildelay's delays included), so that it does not
// tell which accounts exist. Its result is ignored: the login stays
// refused whatever the stack answers.
func (s *Server) pamDecoy(st *connState, cfg *config.Config, user string, conv pam.Conversation) {
	if err := s.pamAuthenticate(st, cfg, user, conv); err == nil {
		s.log.Debug("PAM accepted a refused login's fake password; it stays refused", "user", user, "conn", st.id)
	}
	st.pamState().endAuthTx()
}

// fakePassword is a wrong password of the length of pw (OpenSSH's
// fake_password: its junk bytes, repeated), for pamDecoy.
func fakePassword(pw []byte) []byte {
	const junk = "\b\n\r\177INCORRECT"
	out := make([]byte, len(pw))
	for i := range out {
		out[i] = junk[i%len(junk)]
	}
	return out
}

// pamMethodResult logs a password or keyboard-interactive attempt with
// sshd's lines and, on success, goes on with AuthenticationMethods.
func (s *Server) pamMethodResult(st *connState, conn gossh.ConnMetadata, method, logName string, info *authInfo, err error) (*gossh.Permissions, error) {
	if err != nil {
		s.log.Info("failed "+method, "user", conn.User(), "peer", st.peer, "reason", err, "conn", st.id)
		s.sshdLine(slog.LevelInfo, "Failed %s for %s from %s ssh2", logName, userForLog(st, conn.User()), peerForLog(st))
		return nil, err
	}
	perms, err := s.methodSucceeded(st, conn, method, info)
	var partial *gossh.PartialSuccessError
	switch {
	case errors.As(err, &partial):
		s.log.Info("partial "+method, "user", conn.User(), "peer", st.peer, "conn", st.id)
		s.sshdLine(slog.LevelInfo, "Partial %s for %s from %s ssh2", logName, logSafe(conn.User()), peerForLog(st))
	case err == nil:
		s.log.Info("accepted "+method, "user", conn.User(), "peer", st.peer, "conn", st.id)
		s.sshdLine(slog.LevelInfo, "Accepted %s for %s from %s ssh2", logName, logSafe(conn.User()), peerForLog(st))
	}
	return perms, err
}

// pamAccount runs the account stack for a complete login (sshd's
// do_pam_account), on the authentication transaction if the user
// authenticated through PAM, else on a new one. An expired password
// (PAM_NEW_AUTHTOK_REQD) that keyboard-interactive did not change
// (pamChangeExpired) refuses the login: a password or public-key login
// cannot change it.
func (s *Server) pamAccount(st *connState, info *authInfo) error {
	tx, err := s.pamTx(st, info.cfg, info.acct.Name)
	if err == nil {
		var msgs strings.Builder
		tx.SetConversation(func(m []pam.Message) ([][]byte, error) {
			for _, x := range m {
				if x.Style.Prompt() {
					return nil, errors.New("the account stack asked a question")
				}
				if msgs.Len() < 4*pam.MaxMessageSize {
					msgs.WriteString(x.Text + "\n")
				}
			}
			return make([][]byte, len(m)), nil
		})
		err = tx.AcctMgmt(true)
		tx.SetConversation(nil)
		if err == nil && msgs.Len() > 0 {
			info.loginMsg += msgs.String()
		}
	}
	st.pamState().endAuthTx()
	if err != nil {
		if pam.Code(err) == pam.CodeNewAuthTokReqd {
			err = fmt.Errorf("%w (the password has expired: it can be changed by logging in with keyboard-interactive)", err)
		}
		s.log.Info("login refused by the PAM account stack", "user", info.acct.Name, "err", err, "conn", st.id)
		s.sshdLine(slog.LevelError, "Access denied for user %s by PAM account configuration [preauth]", logSafe(info.acct.Name))
		return err
	}
	return nil
}
