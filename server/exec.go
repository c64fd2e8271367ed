package server

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"

	"github.com/pqssh/pqssh/server/authkeys"
	"github.com/pqssh/pqssh/server/config"
)

// Default PATHs of sessions, as Debian's OpenSSH sets them.
const (
	userPath = "/usr/local/bin:/usr/bin:/bin:/usr/games"
	rootPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

// buildCommand prepares the user's program: the login shell (argv[0]
// prefixed with '-') for "shell", "shell -c command" otherwise, run as the
// user with a clean environment in the home directory.
func (ss *session) buildCommand(command string, loginShell, internalSFTP bool, original string, forced bool) (*exec.Cmd, error) {
	a := ss.info.acct
	var cmd *exec.Cmd
	switch {
	case internalSFTP:
		if ss.s.helperPath == "" {
			return nil, fmt.Errorf("internal-sftp: cannot find the pqsshd executable")
		}
		cmd = exec.Command(ss.s.helperPath)
		cmd.Args = []string{"pqsshd-internal-sftp"}
	case loginShell:
		cmd = exec.Command(a.Shell)
		cmd.Args = []string{"-" + filepath.Base(a.Shell)}
	default:
		cmd = exec.Command(a.Shell, "-c", command)
	}
	ss.s.mu.RLock()
	self := ss.s.self
	ss.s.mu.RUnlock()
	chroot := ""
	if cd := ss.cfg.ChrootDirectory; cd != "" && !strings.EqualFold(cd, "none") {
		if self != nil {
			return nil, fmt.Errorf("ChrootDirectory needs pqsshd to run as root")
		}
		var err error
		if chroot, err = authkeys.ExpandPath(cd, a.Name, a.Home, a.UID); err != nil {
			return nil, fmt.Errorf("ChrootDirectory: %w", err)
		}
		if err := safeChroot(chroot); err != nil {
			return nil, err
		}
	}
	cmd.Dir = a.Home
	if fi, err := os.Stat(filepath.Join(chroot, a.Home)); err != nil || !fi.IsDir() {
		cmd.Dir = "/"
	}
	cmd.Env = ss.environment(original, forced)
	groups := make([]uint32, 0, len(a.Groups))
	for _, g := range a.Groups {
		groups = append(groups, uint32(g))
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	switch {
	case internalSFTP && chroot != "":
		// The helper is pqsshd's own binary, which is not inside the
		// chroot: it starts as root, chroots and drops to the user itself.
		var gs []string
		for _, g := range groups {
			gs = append(gs, fmt.Sprint(g))
		}
		// It starts as root: the user's variables must not reach it as
		// they are (rootenv.go).
		cmd.Dir = "/"
		cmd.Env = wrapUserEnv(cmd.Env, internalSFTPEnv+"=1", sftpChrootEnv+"="+chroot,
			fmt.Sprintf("%s=%d:%d:%s", sftpCredEnv, a.UID, a.GID, strings.Join(gs, ",")))
		return cmd, nil
	case internalSFTP:
		// internal-sftp is pqsshd's own code, run by no loader the user
		// may steer (ForceCommand internal-sftp must stay sftp only).
		cmd.Env = wrapUserEnv(cmd.Env, internalSFTPEnv+"=1")
	case chroot != "":
		cmd.SysProcAttr.Chroot = chroot
	}
	if self == nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(a.UID), Gid: uint32(a.GID), Groups: groups}
	}
	return cmd, nil
}

// safeChroot checks a ChrootDirectory as sshd does: every component of the
// path must be a directory owned by root and not writable by group or
// others.
func safeChroot(dir string) error {
	if !filepath.IsAbs(dir) {
		return fmt.Errorf("ChrootDirectory %q is not an absolute path", dir)
	}
	p := "/"
	for _, part := range append([]string{""}, strings.Split(strings.Trim(filepath.Clean(dir), "/"), "/")...) {
		p = filepath.Join(p, part)
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("ChrootDirectory: %w", err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !fi.IsDir() || !ok || st.Uid != 0 || fi.Mode().Perm()&0o022 != 0 {
			return fmt.Errorf("bad ownership or modes for chroot directory component %q", p)
		}
	}
	return nil
}

// environment is the session's environment (sshd(8) "LOGIN PROCESS"):
// nothing is inherited from pqsshd.
func (ss *session) environment(original string, forced bool) []string {
	a := ss.info.acct
	path := userPath
	if a.UID == 0 {
		path = rootPath
	}
	env := []string{
		"USER=" + a.Name,
		"LOGNAME=" + a.Name,
		"HOME=" + a.Home,
		"SHELL=" + a.Shell,
		"PATH=" + path,
		"MAIL=/var/mail/" + a.Name,
	}
	ss.mu.Lock()
	env = append(env, ss.env...)
	pt, ag, ps := ss.pty, ss.agent, ss.pamSess
	ss.mu.Unlock()
	if ps != nil {
		// What the PAM session's modules set (pam_env, pam_systemd's
		// XDG_RUNTIME_DIR, pam_mail): after the client's variables,
		// before SSH_* and SetEnv, as in sshd.
		env = append(env, ps.reply.Env...)
	}
	if tz := os.Getenv("TZ"); tz != "" {
		env = append(env, "TZ="+tz)
	}
	if pt != nil {
		env = append(env, "TERM="+pt.term, "SSH_TTY="+pt.name)
	}
	rh, rp, _ := net.SplitHostPort(ss.conn.RemoteAddr().String())
	lh, lp, _ := net.SplitHostPort(ss.conn.LocalAddr().String())
	env = append(env,
		fmt.Sprintf("SSH_CLIENT=%s %s %s", rh, rp, lp),
		fmt.Sprintf("SSH_CONNECTION=%s %s %s %s", rh, rp, lh, lp))
	if forced {
		env = append(env, "SSH_ORIGINAL_COMMAND="+original)
	}
	if ag != nil {
		env = append(env, "SSH_AUTH_SOCK="+ag.path)
	}
	if p := ss.writeAuthInfo(); p != "" {
		env = append(env, "SSH_USER_AUTH="+p)
	}
	if pue := ss.s.Config().PermitUserEnvironment; pue != "no" {
		user := ss.userEnvironmentFile()
		for _, kv := range append(user, ss.info.opts.Environment...) {
			name, _, _ := strings.Cut(kv, "=")
			if pue == "yes" || config.MatchPatternList(name, pue) {
				env = append(env, kv)
			}
		}
	}
	// SetEnv overrides everything else (sshd_config(5)).
	env = append(env, ss.cfg.SetEnv...)
	return dedupEnv(env)
}

// dedupEnv keeps the last value of each name.
func dedupEnv(env []string) []string {
	seen := map[string]int{}
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if i, ok := seen[name]; ok {
			out[i] = kv
			continue
		}
		seen[name] = len(out)
		out = append(out, kv)
	}
	return out
}

// ptyState is a session's pseudo-terminal.
type ptyState struct {
	ptmx *os.File // pollable, so reads can be given a deadline
	tty  *os.File
	name string
	term string
}

func (p *ptyState) close() {
	p.ptmx.Close()
	p.tty.Close()
}

func setWinsize(f *os.File, cols, rows, wpx, hpx uint32) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	ws := &unix.Winsize{Col: clamp16(cols), Row: clamp16(rows), Xpixel: clamp16(wpx), Ypixel: clamp16(hpx)}
	var ierr error
	if err := sc.Control(func(fd uintptr) { ierr = unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, ws) }); err != nil {
		return err
	}
	return ierr
}

func clamp16(v uint32) uint16 {
	if v > 0xffff {
		return 0xffff
	}
	return uint16(v)
}

// maxUserEnvironment bounds ~/.ssh/environment.
const maxUserEnvironment = 64 << 10

// userEnvironmentFile reads ~/.ssh/environment (NAME=value lines, '#'
// comments) with the user's credentials, for PermitUserEnvironment.
func (ss *session) userEnvironmentFile() []string {
	a := ss.info.acct
	var data []byte
	ss.s.asUser(a, func() error {
		f, err := os.Open(filepath.Join(a.Home, ".ssh", "environment"))
		if err != nil {
			return err
		}
		defer f.Close()
		if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
			return fmt.Errorf("not a regular file")
		}
		data, err = io.ReadAll(io.LimitReader(f, maxUserEnvironment))
		return err
	})
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		if k, _, ok := strings.Cut(l, "="); ok && k != "" {
			out = append(out, l)
		}
	}
	return out
}

// writeAuthInfo implements ExposeAuthInfo: a file, readable by the user
// only, listing the authentication methods used ("publickey TYPE BASE64"),
// removed when the session ends. It returns the path, or "".
func (ss *session) writeAuthInfo() string {
	if !ss.cfg.ExposeAuthInfo || ss.info.key == nil {
		return ""
	}
	f, err := os.CreateTemp("", "sshauth.")
	if err != nil {
		return ""
	}
	defer f.Close()
	fmt.Fprintf(f, "publickey %s", gossh.MarshalAuthorizedKey(ss.info.key))
	ss.s.mu.RLock()
	self := ss.s.self
	ss.s.mu.RUnlock()
	if self == nil {
		f.Chown(ss.info.acct.UID, ss.info.acct.GID)
	}
	ss.mu.Lock()
	ss.authInfoFile = f.Name()
	ss.mu.Unlock()
	return f.Name()
}
