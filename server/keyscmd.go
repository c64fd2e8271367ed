package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
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
	if c.AuthorizedKeysCommand == "" || c.AuthorizedKeysCommand == "none" {
		return nil, nil
	}
	if c.AuthorizedKeysCommandUser == "" || c.AuthorizedKeysCommandUser == "none" {
		return nil, errors.New("AuthorizedKeysCommand set without AuthorizedKeysCommandUser: not run")
	}
	args, err := config.SplitArgs(c.AuthorizedKeysCommand)
	if err != nil || len(args) == 0 {
		return nil, fmt.Errorf("AuthorizedKeysCommand: %v", err)
	}
	fi, err := os.Stat(args[0])
	if err != nil {
		return nil, fmt.Errorf("AuthorizedKeysCommand: %w", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || st.Uid != 0 || fi.Mode().Perm()&0o022 != 0 || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("AuthorizedKeysCommand %s: must be a regular file owned by root, not group/world writable", args[0])
	}
	if len(args) == 1 {
		args = append(args, "%u")
	}
	for i := 1; i < len(args); i++ {
		args[i] = expandKeyTokens(args[i], a, key)
	}
	runAs, err := s.account(c.AuthorizedKeysCommandUser)
	if err != nil && s.self == nil {
		return nil, fmt.Errorf("AuthorizedKeysCommandUser: %w", err)
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
	var out bytes.Buffer
	cmd.Stdout = &limitWriter{w: &out, n: maxAuthorizedKeysSize}
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("AuthorizedKeysCommand %s: %w", args[0], err)
	}
	entries, _ := authkeys.Parse(out.Bytes())
	return entries, nil
}

func expandKeyTokens(arg string, a *account, key gossh.PublicKey) string {
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
