package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/authkeys"
	"github.com/pqssh/pqssh/server/config"
)

// keysCommandTimeout bounds one AuthorizedKeysCommand run.
const keysCommandTimeout = 10 * time.Second

// authorizedKeysCommand runs AuthorizedKeysCommand (sshd_config(5)) as
// AuthorizedKeysCommandUser and parses its output as authorized_keys
// lines. Tokens: %u user, %U uid, %h home, %t key type, %f fingerprint,
// %k base64 key, %%. Without arguments the user name is passed. The program
// must be owned by root and not writable by group or others. It is an
// administrator's program, never a user's.
func (s *Server) authorizedKeysCommand(c *config.Config, a *account, key gossh.PublicKey) ([]authkeys.Entry, error) {
	out, err := s.runAuthCommand(authCommand{
		keyword: "AuthorizedKeysCommand", command: c.AuthorizedKeysCommand, user: c.AuthorizedKeysCommandUser,
	}, a, key)
	if err != nil || out == nil {
		return nil, err
	}
	entries, _ := authkeys.Parse(out)
	return entries, nil
}

// authCommand is one of sshd's administrator programs that answer an
// authentication question: AuthorizedKeysCommand or
// AuthorizedPrincipalsCommand.
type authCommand struct {
	keyword string // for messages, and its user is keyword+"User"
	command string // the configured command line, or "none"
	user    string // the account it runs as, or "none"
	// certTokens adds AuthorizedPrincipalsCommand's certificate tokens
	// (%i key ID, %s serial, %F, %K, %T: the CA's fingerprint, base64 key
	// and type).
	certTokens bool
}

// runAuthCommand runs an authCommand for account a and key and returns its
// standard output (at most maxAuthorizedKeysSize bytes), or nil when the
// command is not configured. The program must be an absolute path owned by
// root and not writable by group or others; it runs as the configured
// user with an empty environment but PATH, in /, in a new session, for at
// most keysCommandTimeout. Without arguments the user name is passed.
func (s *Server) runAuthCommand(ac authCommand, a *account, key gossh.PublicKey) ([]byte, error) {
	if ac.command == "" || ac.command == "none" {
		return nil, nil
	}
	if ac.user == "" || ac.user == "none" {
		return nil, fmt.Errorf("%s set without %sUser: not run", ac.keyword, ac.keyword)
	}
	args, err := config.SplitArgs(ac.command)
	if err != nil || len(args) == 0 {
		return nil, fmt.Errorf("%s: %v", ac.keyword, err)
	}
	fi, err := os.Stat(args[0])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ac.keyword, err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || st.Uid != 0 || fi.Mode().Perm()&0o022 != 0 || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s %s: must be a regular file owned by root, not group/world writable", ac.keyword, args[0])
	}
	if len(args) == 1 {
		args = append(args, "%u")
	}
	for i := 1; i < len(args); i++ {
		args[i] = expandKeyTokens(args[i], a, key, ac.certTokens)
	}
	runAs, err := s.account(ac.user)
	if err != nil && s.self == nil {
		return nil, fmt.Errorf("%sUser: %w", ac.keyword, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), keysCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = []string{"PATH=" + userPath}
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	s.mu.RLock()
	self := s.self
	s.mu.RUnlock()
	if self == nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(runAs.UID), Gid: uint32(runAs.GID)}
	}
	// At the timeout the command's whole session is killed (it is the
	// leader, Setsid), and Wait stops waiting for standard output to close
	// shortly after the command exits or is killed: a process it left in
	// the background holding the pipe would otherwise hold the
	// authentication (and this goroutine) for as long as it lives.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	var out bytes.Buffer
	cmd.Stdout = &limitWriter{w: &out, n: maxAuthorizedKeysSize}
	if err := cmd.Run(); err != nil {
		if cmd.Process != nil {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // what it left behind
		}
		return nil, fmt.Errorf("%s %s: %w", ac.keyword, args[0], err)
	}
	return out.Bytes(), nil
}

// expandKeyTokens expands the tokens of an authCommand argument; with
// certTokens and a certificate key, also those naming the certificate's
// ID, serial and CA. An unknown token is kept as it is.
func expandKeyTokens(arg string, a *account, key gossh.PublicKey, certTokens bool) string {
	cert, _ := key.(*gossh.Certificate)
	if !certTokens {
		cert = nil
	}
	var b strings.Builder
	for i := 0; i < len(arg); i++ {
		if arg[i] != '%' || i+1 >= len(arg) {
			b.WriteByte(arg[i])
			continue
		}
		i++
		switch arg[i] {
		case 'u':
			b.WriteString(a.Name)
		case 'U':
			b.WriteString(strconv.Itoa(a.UID))
		case 'h':
			b.WriteString(a.Home)
		case 't':
			b.WriteString(key.Type())
		case 'f':
			b.WriteString(gossh.FingerprintSHA256(key))
		case 'k':
			b.WriteString(base64.StdEncoding.EncodeToString(key.Marshal()))
		case '%':
			b.WriteByte('%')
		case 'i', 's', 'F', 'K', 'T':
			if cert == nil {
				b.WriteByte('%')
				b.WriteByte(arg[i])
				break
			}
			switch arg[i] {
			case 'i':
				b.WriteString(cert.KeyId)
			case 's':
				b.WriteString(strconv.FormatUint(cert.Serial, 10))
			case 'F':
				b.WriteString(gossh.FingerprintSHA256(cert.SignatureKey))
			case 'K':
				b.WriteString(base64.StdEncoding.EncodeToString(cert.SignatureKey.Marshal()))
			case 'T':
				b.WriteString(cert.SignatureKey.Type())
			}
		default:
			b.WriteByte('%')
			b.WriteByte(arg[i])
		}
	}
	return b.String()
}

// limitWriter keeps the first n bytes and discards the rest.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return len(p), nil
	}
	q := p
	if len(q) > l.n {
		q = q[:l.n]
	}
	l.n -= len(q)
	l.w.Write(q)
	return len(p), nil
}
