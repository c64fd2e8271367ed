package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pqssh/pqssh/internal/faultinject"

	glssh "github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/authkeys"
	"github.com/pqssh/pqssh/server/config"
)

// authInfo is what a successful public-key authentication grants; it
// travels in Permissions.ExtraData to the session and forwarding handlers.
type authInfo struct {
	acct        *account
	cfg         *config.Config // the configuration resolved for this connection (Match)
	opts        authkeys.Options
	fingerprint string
	certID      string
	key         gossh.PublicKey // the key (or certificate) that authenticated
	// loginMsg is shown before the motd of a terminal session (sshd's
	// login message: the account expiry warning).
	loginMsg string
}

type authInfoKey struct{}

// maxAuthorizedKeysSize bounds how much of an authorized_keys file is read.
const maxAuthorizedKeysSize = 1 << 20

func currentAccount() (*account, error) {
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	return lookupAccount(u.Username)
}

// publicKeyHandler answers gliderlabs' "may this key be used" query. The
// decision that counts is made again in verifiedPublicKey, after the
// client proved possession of the key, so that the options of the key that
// was actually used are the ones applied.
func (s *Server) publicKeyHandler(st *connState, ctx glssh.Context, key glssh.PublicKey) bool {
	if f := faultinject.PreauthUser; f != nil {
		f(ctx.User())
	}
	return s.publicKeyQuery(st, ctx.User(), key)
}

// publicKeyQuery answers whether user may try key (in a single process
// for gliderlabs, in a privilege-separation monitor for its network
// process).
func (s *Server) publicKeyQuery(st *connState, userName string, key gossh.PublicKey) bool {
	st.mu.Lock()
	if st.user == "" {
		st.user = userName
	}
	st.mu.Unlock()
	_, err := s.authorize(st, userName, key)
	if err != nil {
		// INFO like "accepted publickey" (OpenSSH logs "Failed publickey"
		// with the fingerprint); MaxAuthTries bounds the lines per connection.
		s.log.Info("failed publickey", "user", userName, "peer", st.peer, "key", gossh.FingerprintSHA256(key), "reason", err, "conn", st.id)
		// OpenSSH (auth.c auth_log) logs a failure at INFO for an invalid
		// user or from half of MaxAuthTries on, at VERBOSE before.
		level := LevelVerbose
		st.mu.Lock()
		if st.invalidUser || 2*(st.failures+1) >= s.Config().MaxAuthTries {
			level = slog.LevelInfo
		}
		st.mu.Unlock()
		s.sshdLine(level, "Failed publickey for %s from %s ssh2: %s", userForLog(st, userName), peerForLog(st), keyLogInfo(key))
	}
	return err == nil
}

func (s *Server) verifiedPublicKey(st *connState, conn gossh.ConnMetadata, key gossh.PublicKey, sigAlgo string) (*gossh.Permissions, error) {
	info, err := s.authorize(st, conn.User(), key)
	if err != nil {
		return nil, err
	}
	args := []any{"user", conn.User(), "peer", conn.RemoteAddr().String(), "key", info.fingerprint}
	if info.certID != "" {
		args = append(args, "cert_id", info.certID)
	}
	if am, ok := conn.(gossh.AlgorithmsConnMetadata); ok {
		a := am.Algorithms()
		args = append(args, "kex", a.KeyExchange, "pq", isPostQuantum(a.KeyExchange), "hostkey", a.HostKey, "cipher", a.Read.Cipher)
		if !strings.Contains(a.Read.Cipher, "gcm") && !strings.Contains(a.Read.Cipher, "poly1305") {
			args = append(args, "mac", a.Read.MAC)
		}
		st.mu.Lock()
		st.kex = a.KeyExchange
		st.mu.Unlock()
	}
	args = append(args, "sigalg", sigAlgo, "conn", st.id)
	perms, err := s.methodSucceeded(st, conn, "publickey", info)
	var partial *gossh.PartialSuccessError
	switch {
	case errors.As(err, &partial):
		s.log.Info("partial publickey", args...)
		s.sshdLine(slog.LevelInfo, "Partial publickey for %s from %s ssh2: %s", logSafe(conn.User()), peerForLog(st), keyLogInfo(key))
	case err == nil:
		s.log.Info("accepted publickey", args...)
		s.sshdLine(slog.LevelInfo, "Accepted publickey for %s from %s ssh2: %s", logSafe(conn.User()), peerForLog(st), keyLogInfo(key))
	}
	return perms, err
}

func (s *Server) authLog(st *connState, conn gossh.ConnMetadata, method string, err error) {
	if am, ok := conn.(gossh.AlgorithmsConnMetadata); ok {
		name := am.Algorithms().KeyExchange
		st.mu.Lock()
		st.kex = name
		st.mu.Unlock()
		s.warnNotPostQuantum(st, name)
	}
	var partial *gossh.PartialSuccessError
	if err == nil || method == "none" || errors.As(err, &partial) {
		return
	}
	st.mu.Lock()
	st.failures++
	st.user = conn.User()
	st.mu.Unlock()
	st.report(procReport{Op: opFail})
	s.log.Debug("authentication attempt failed", "conn", st.id, "user", conn.User(), "method", method, "err", err)
}

// authorize decides whether user may log in with key from this connection
// and with which restrictions. It never runs user code.
func (s *Server) authorize(st *connState, userName string, key gossh.PublicKey) (*authInfo, error) {
	acct, ccfg, loginMsg, err := s.checkUser(st, userName)
	if err != nil {
		return nil, err
	}
	if !ccfg.PubkeyAuthentication {
		return nil, errors.New("PubkeyAuthentication is off")
	}
	if err := checkRevoked(ccfg.RevokedKeys, key); err != nil {
		return nil, err
	}
	ci := config.ConnInfo{Address: st.host}
	info := &authInfo{acct: acct, cfg: ccfg, fingerprint: gossh.FingerprintSHA256(key), key: key, loginMsg: loginMsg}
	if cert, ok := key.(*gossh.Certificate); ok {
		if err := s.checkCertificate(ccfg, acct, ci.Address, cert, info); err != nil {
			return nil, err
		}
		info.fingerprint = gossh.FingerprintSHA256(cert.Key)
	} else {
		e, err := s.findKey(ccfg, acct, key, ci.Address)
		if err != nil {
			return nil, err
		}
		info.opts = e.Options
	}
	if unverifiable(info.opts, key) {
		return nil, errors.New("verify-required on a security key: pqsshd cannot check user verification, refused")
	}
	if acct.UID == 0 {
		switch ccfg.PermitRootLogin {
		case "no":
			return nil, errors.New("root login refused: PermitRootLogin no")
		case "forced-commands-only":
			if !info.opts.HasCommand {
				return nil, errors.New("root login refused: PermitRootLogin forced-commands-only and the key has no command=")
			}
		}
	}
	return info, nil
}

// checkUser makes the checks of every authentication method: the user
// name, the account (an unknown user is logged as sshd does), a locked
// or expired account (without PAM; with UsePAM its account stack decides
// after authentication, as in sshd), Match, DenyUsers/AllowUsers/
// DenyGroups/AllowGroups and /etc/nologin. It returns the account, the
// configuration for this connection and user, and the login message.
func (s *Server) checkUser(st *connState, userName string) (*account, *config.Config, string, error) {
	cfg := s.Config()
	if cfg.MaxAuthTries == 0 {
		return nil, nil, "", errors.New("MaxAuthTries 0: no authentication attempt is allowed")
	}
	if err := s.checkUserName(st, userName); err != nil {
		return nil, nil, "", err
	}
	acct, err := s.account(userName)
	st.titleUserNamed(userName, !errors.Is(err, errNoSuchUser))
	if err != nil {
		if errors.Is(err, errNoSuchUser) {
			st.mu.Lock()
			st.invalidUser = true
			if st.user == "" {
				st.user = userName
			}
			st.mu.Unlock()
		}
		if errors.Is(err, errNoSuchUser) && st.firstTime("invalid user") {
			s.sshdLine(slog.LevelInfo, "Invalid user %.100s from %s", logSafe(userName), peerForLog(st))
		}
		return nil, nil, "", err
	}
	loginMsg := ""
	if !s.usePAM(cfg) {
		if loginMsg, err = s.accountUsable(st, acct); err != nil {
			return nil, nil, "", err
		}
	}
	ci := config.ConnInfo{User: acct.Name, Groups: acct.GroupNames, Address: st.host, Host: st.host}
	if la, ok := st.conn.LocalAddr().(*net.TCPAddr); ok {
		ci.LocalAddr, ci.LocalPort = la.IP.String(), la.Port
	}
	ccfg := cfg.ForConnection(ci)
	if err := s.checkAuthLists(st, ccfg); err != nil {
		return nil, nil, "", err
	}
	if err := checkAccess(ccfg, acct, ci.Address); err != nil {
		return nil, nil, "", err
	}
	if acct.UID != 0 {
		if _, err := os.Stat(s.nologinPath); err == nil {
			return nil, nil, "", fmt.Errorf("%s exists: logins are refused", s.nologinPath)
		}
	}
	return acct, ccfg, loginMsg, nil
}

// checkUserName refuses a user name that cannot name an account. sshd
// reads the name as a C string: an embedded NUL is a malformed packet that
// ends the connection ("invalid format"), so pqsshd closes it too; control
// characters (never part of an account name) make it an invalid user,
// logged escaped. Without this, a lookup through the C library would stop
// at the NUL and "bob\x00evil" would log in as bob.
func (s *Server) checkUserName(st *connState, name string) error {
	if strings.IndexByte(name, 0) >= 0 {
		if st.firstTime("invalid format") {
			s.log.Info(fmt.Sprintf("Connection from %s: invalid format: user name %.100s contains NUL", peerForLog(st), logSafe(name)), "conn", st.id)
		}
		st.conn.Close()
		return fmt.Errorf("user name %s contains NUL", logSafe(name))
	}
	if strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		if st.firstTime("invalid user") {
			s.sshdLine(slog.LevelInfo, "Invalid user %.100s from %s", logSafe(name), peerForLog(st))
		}
		return fmt.Errorf("user name %s contains control characters: %w", logSafe(name), errNoSuchUser)
	}
	return nil
}

// peerForLog is the client as sshd names it in log lines: "ADDR port PORT".
func peerForLog(st *connState) string {
	host, port, err := net.SplitHostPort(st.peer)
	if err != nil {
		return st.peer
	}
	return host + " port " + port
}

// account resolves the user name of a login attempt.
func (s *Server) account(name string) (*account, error) {
	s.mu.RLock()
	self := s.self
	s.mu.RUnlock()
	if self != nil {
		if name != self.Name {
			return nil, fmt.Errorf("unprivileged server serves only user %q", self.Name)
		}
		return self, nil
	}
	return lookupAccount(name)
}

// accountUsable refuses a locked or expired account, as sshd's
// allowed_user does without PAM, before any other check; the refusal is
// logged with sshd's lines once per connection. It returns the login
// message for an account that expires soon.
func (s *Server) accountUsable(st *connState, a *account) (string, error) {
	sp, err := lookupShadow(s.shadowPath, a.Name)
	if err != nil {
		// An unreadable shadow database refuses rather than skipping
		// the lock and expiry checks.
		s.log.Error("cannot check account lock and expiry", "user", a.Name, "err", err, "conn", st.id)
		return "", fmt.Errorf("account %s: %w", a.Name, err)
	}
	msg, err := checkAccountUsable(a.Name, a.Passwd, sp, time.Now())
	var refusal *accountRefusal
	if errors.As(err, &refusal) {
		if st.firstTime("account refused") {
			for _, l := range refusal.logLines {
				s.log.Info(l, "user", a.Name, "conn", st.id)
			}
		}
	}
	return msg, err
}

// checkAccess applies DenyUsers, AllowUsers, DenyGroups and AllowGroups in
// that order (sshd_config(5)). User patterns may be USER@HOST.
func checkAccess(c *config.Config, a *account, addr string) error {
	userMatch := func(p string) bool {
		u, h, hasHost := strings.Cut(p, "@")
		if !config.MatchPatternList(a.Name, u) {
			return false
		}
		return !hasHost || config.MatchAddressList(addr, h)
	}
	for _, p := range c.DenyUsers {
		if userMatch(p) {
			return fmt.Errorf("user %s denied by DenyUsers %s", a.Name, p)
		}
	}
	if len(c.AllowUsers) > 0 && !slices.ContainsFunc(c.AllowUsers, userMatch) {
		return fmt.Errorf("user %s not listed in AllowUsers", a.Name)
	}
	groupMatch := func(p string) bool {
		return slices.ContainsFunc(a.GroupNames, func(g string) bool { return config.MatchPatternList(g, p) })
	}
	for _, p := range c.DenyGroups {
		if groupMatch(p) {
			return fmt.Errorf("user %s denied by DenyGroups %s", a.Name, p)
		}
	}
	if len(c.AllowGroups) > 0 && !slices.ContainsFunc(c.AllowGroups, groupMatch) {
		return fmt.Errorf("user %s is in none of AllowGroups", a.Name)
	}
	return nil
}

// authorizedKeys reads and parses the user's AuthorizedKeysFile files,
// with the user's file-system credentials (as sshd does), so that a file
// the user could not read grants nothing.
func (s *Server) authorizedKeys(c *config.Config, a *account, key gossh.PublicKey) []authkeys.Entry {
	var all []authkeys.Entry
	for _, pat := range c.AuthorizedKeysFiles {
		if strings.EqualFold(pat, "none") {
			continue
		}
		p, err := authkeys.ExpandPath(pat, a.Name, a.Home, a.UID)
		if err != nil {
			continue
		}
		var data []byte
		err = s.asUser(a, func() error {
			var err error
			data, err = readAuthorizedKeys(p, a, c.StrictModes)
			return err
		})
		if err != nil {
			continue
		}
		entries, _ := authkeys.Parse(data)
		all = append(all, entries...)
	}
	entries, err := s.authorizedKeysCommand(c, a, key)
	if err != nil {
		s.log.Info("AuthorizedKeysCommand failed", "user", a.Name, "err", err)
	}
	return append(all, entries...)
}

// readAuthorizedKeys reads a regular file of bounded size without following
// a FIFO or device, and with StrictModes refuses one that others could
// have written (owner not the user or root, or group/world writable).
func readAuthorizedKeys(path string, a *account, strict bool) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if strict {
		if err := secureFile(path, fi, a); err != nil {
			return nil, err
		}
	}
	return io.ReadAll(io.LimitReader(f, maxAuthorizedKeysSize))
}

// secureFile is StrictModes: the file and the directories from it up to
// the home directory (for files inside it) must be owned by the user or
// root and not writable by group or others.
func secureFile(path string, fi os.FileInfo, a *account) error {
	check := func(p string, fi os.FileInfo) error {
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		if int(st.Uid) != a.UID && st.Uid != 0 {
			return fmt.Errorf("StrictModes: bad ownership of %s", p)
		}
		if fi.Mode().Perm()&0o022 != 0 {
			return fmt.Errorf("StrictModes: bad modes for %s", p)
		}
		return nil
	}
	if err := check(path, fi); err != nil {
		return err
	}
	home := filepath.Clean(a.Home)
	if home == "/" || !strings.HasPrefix(path, home+"/") {
		return nil
	}
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		dfi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if err := check(d, dfi); err != nil {
			return err
		}
		if d == home || d == "/" {
			return nil
		}
	}
}

// unverifiable reports whether opts require user verification (the
// verify-required option) of a FIDO security key, which OpenSSH checks in
// the signature's flags. The SSH library does not show pqsshd those flags,
// so such a key is refused rather than admitted without the check.
func unverifiable(opts authkeys.Options, key gossh.PublicKey) bool {
	return opts.VerifyRequired && strings.HasPrefix(key.Type(), "sk-")
}

// findKey finds key among the user's authorized keys (not cert-authority
// lines): the first line whose from= and expiry-time= admit a client at
// addr, as OpenSSH goes on to the next line when one is refused.
func (s *Server) findKey(c *config.Config, a *account, key gossh.PublicKey, addr string) (authkeys.Entry, error) {
	want := key.Marshal()
	var refused error
	for _, e := range s.authorizedKeys(c, a, key) {
		if e.Options.CertAuthority || !bytes.Equal(e.Key.Marshal(), want) {
			continue
		}
		if err := e.Options.Authorise(addr, time.Now()); err != nil {
			refused = fmt.Errorf("authorized_keys line %d: %w", e.Line, err)
			continue
		}
		return e, nil
	}
	if refused != nil {
		return authkeys.Entry{}, refused
	}
	return authkeys.Entry{}, errors.New("key not in authorized_keys")
}

// checkCertificate validates an OpenSSH user certificate (PROTOCOL.certkeys)
// signed by a TrustedUserCAKeys key (a principal must be the user name, or
// with AuthorizedPrincipalsFile/AuthorizedPrincipalsCommand one listed
// there) or a cert-authority line of authorized_keys (principals= or the
// user name).
func (s *Server) checkCertificate(c *config.Config, a *account, addr string, cert *gossh.Certificate, info *authInfo) error {
	if cert.CertType != gossh.UserCert {
		return errors.New("certificate is not a user certificate")
	}
	// The CA's signature, validity and critical options first: until the
	// signature is checked every field (key ID, serial, principals, the
	// CA named) is the client's own word, which authorized_keys,
	// AuthorizedKeysCommand, AuthorizedPrincipalsFile and
	// AuthorizedPrincipalsCommand (%i, %s) must not see. OpenSSH checks it
	// when it parses the certificate. The principal is checked below.
	checker := &gossh.CertChecker{SupportedCriticalOptions: []string{"force-command", "source-address"}}
	anyPrincipal := ""
	if len(cert.ValidPrincipals) > 0 {
		anyPrincipal = cert.ValidPrincipals[0]
	}
	if err := checker.CheckCert(anyPrincipal, cert); err != nil {
		return err
	}
	caBytes := cert.SignatureKey.Marshal()
	var principals []string
	trusted := false
	if c.TrustedUserCAKeys != "" && !strings.EqualFold(c.TrustedUserCAKeys, "none") {
		if data, err := os.ReadFile(c.TrustedUserCAKeys); err == nil {
			entries, _ := authkeys.Parse(data)
			for _, e := range entries {
				if bytes.Equal(e.Key.Marshal(), caBytes) {
					trusted, principals = true, []string{a.Name}
					break
				}
			}
		}
		if trusted && usesAuthorizedPrincipals(c) {
			p, opts, err := s.authorizedPrincipal(c, a, cert)
			if err != nil {
				return err
			}
			if err := opts.Authorise(addr, time.Now()); err != nil {
				return fmt.Errorf("authorized principal %q: %w", p, err)
			}
			principals, info.opts = []string{p}, opts
		}
	}
	if !trusted {
		var refused error
		for _, e := range s.authorizedKeys(c, a, cert) {
			if e.Options.CertAuthority && bytes.Equal(e.Key.Marshal(), caBytes) {
				if err := e.Options.Authorise(addr, time.Now()); err != nil {
					refused = fmt.Errorf("authorized_keys line %d: %w", e.Line, err)
					continue
				}
				trusted = true
				info.opts = e.Options
				principals = e.Options.Principals
				if len(principals) == 0 {
					principals = []string{a.Name}
				}
				break
			}
		}
		if !trusted && refused != nil {
			return refused
		}
	}
	if !trusted {
		return errors.New("certificate signed by an untrusted CA")
	}
	if !slices.ContainsFunc(principals, func(p string) bool { return slices.Contains(cert.ValidPrincipals, p) }) {
		return fmt.Errorf("certificate principals %v do not include %v", cert.ValidPrincipals, principals)
	}
	if src, ok := cert.CriticalOptions["source-address"]; ok && !config.MatchAddressList(addr, src) {
		return fmt.Errorf("certificate source-address %q does not allow %s", src, addr)
	}
	if fc, ok := cert.CriticalOptions["force-command"]; ok {
		if info.opts.HasCommand && info.opts.Command != fc {
			return errors.New("certificate force-command conflicts with authorized_keys command=")
		}
		info.opts.Command, info.opts.HasCommand = fc, true
	}
	// Certificate extensions grant features; absent ones are refused
	// (PROTOCOL.certkeys).
	if _, ok := cert.Extensions["permit-pty"]; !ok {
		info.opts.NoPTY = true
	}
	if _, ok := cert.Extensions["permit-port-forwarding"]; !ok {
		info.opts.NoPortForwarding = true
	}
	if _, ok := cert.Extensions["permit-agent-forwarding"]; !ok {
		info.opts.NoAgentForwarding = true
	}
	info.certID = cert.KeyId + " serial " + strconv.FormatUint(cert.Serial, 10)
	return nil
}

// authOf returns the authInfo of an authenticated connection.
func authOf(conn *gossh.ServerConn) *authInfo {
	if conn == nil || conn.Permissions == nil {
		return nil
	}
	info, _ := conn.Permissions.ExtraData[authInfoKey{}].(*authInfo)
	return info
}

// checkRevoked refuses a key listed in the RevokedKeys file (public keys,
// one per line; for a certificate the certified key and the CA are both
// checked). OpenSSH's binary KRL format is not supported: a file that does
// not parse as a key list, or cannot be read, refuses every key, as sshd
// does when it cannot check.
func checkRevoked(path string, key gossh.PublicKey) error {
	if path == "" || strings.EqualFold(path, "none") {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("RevokedKeys: %w", err)
	}
	entries, errs := authkeys.Parse(data)
	if len(errs) > 0 {
		return fmt.Errorf("RevokedKeys %s: %v (only plain key lists are supported)", path, errs[0])
	}
	check := []gossh.PublicKey{key}
	if cert, ok := key.(*gossh.Certificate); ok {
		check = append(check, cert.Key, cert.SignatureKey)
	}
	for _, e := range entries {
		for _, k := range check {
			if bytes.Equal(e.Key.Marshal(), k.Marshal()) {
				return fmt.Errorf("key %s is revoked (RevokedKeys)", gossh.FingerprintSHA256(k))
			}
		}
	}
	return nil
}

// warnNotPostQuantum logs, once per connection, a warning when the key
// exchange the connection negotiated is not post-quantum, as OpenSSH's
// sshd does since 10.6 ("WARNING: connection from ADDR port PORT is not
// using a post-quantum key exchange algorithm: "NAME""): its traffic could
// be recorded now and decrypted once a quantum computer exists. The first
// authentication request follows the key exchange, so this runs before
// the login is decided, for failed logins as for successful ones.
func (s *Server) warnNotPostQuantum(st *connState, kexName string) {
	if kexName == "" || isPostQuantum(kexName) || !st.firstTime("not post-quantum") {
		return
	}
	s.log.Warn("connection is not using a post-quantum key exchange algorithm", "conn", st.id, "peer", st.peer, "kex", kexName)
}

// isPostQuantum reports whether a key-exchange name is a post-quantum
// hybrid (ML-KEM, Streamlined NTRU Prime or Classic McEliece combined with
// X25519), so that logs show which logins are protected against
// harvest-now-decrypt-later.
func isPostQuantum(kex string) bool {
	for _, p := range []string{"mlkem", "sntrup", "mceliece", "mctiny"} {
		if strings.Contains(kex, p) {
			return true
		}
	}
	return false
}
