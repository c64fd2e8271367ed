package server

import (
	"io"
	"os"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server/config"
)

// maxBannerSize bounds the Banner file sent before authentication.
const maxBannerSize = 64 << 10

// serverConfig builds the *ssh.ServerConfig of one connection. It is the
// single place where the protocol configuration is decided (algorithms,
// authentication callbacks, limits); the hook of SetConfigHook extends it.
func (s *Server) serverConfig(st *connState) *gossh.ServerConfig {
	cfg := s.Config()
	sc := &gossh.ServerConfig{
		Config: gossh.Config{
			KeyExchanges: cfg.KexAlgorithms,
			Ciphers:      cfg.Ciphers,
			MACs:         cfg.MACs,
			// RekeyLimit's data limit (the library counts per direction).
			RekeyThreshold: cfg.RekeyLimit,
			// 256 KiB channel packets (docs/benchmarks.md).
			ChannelMaxPacket: channelMaxPacket,
		},
		ServerVersion:           "SSH-2.0-" + Version,
		MaxAuthTries:            cfg.MaxAuthTries,
		PublicKeyAuthAlgorithms: cfg.PubkeyAcceptedAlgorithms,
		VerifiedPublicKeyCallback: func(conn gossh.ConnMetadata, key gossh.PublicKey, _ *gossh.Permissions, sigAlgo string) (*gossh.Permissions, error) {
			return s.verifiedPublicKey(st, conn, key, sigAlgo)
		},
		AuthLogCallback: func(conn gossh.ConnMetadata, method string, err error) {
			s.authLog(st, conn, method, err)
		},
	}
	if s.passwordOffered(cfg) {
		sc.PasswordCallback = func(conn gossh.ConnMetadata, pw []byte) (*gossh.Permissions, error) {
			return s.passwordAuth(st, conn, pw)
		}
	}
	if s.kbdIntOffered(cfg) {
		sc.KeyboardInteractiveCallback = func(conn gossh.ConnMetadata, ch gossh.KeyboardInteractiveChallenge) (*gossh.Permissions, error) {
			return s.kbdIntAuth(st, conn, ch)
		}
	}
	if cfg.VersionAddendum != "" {
		// RFC 4253 section 4.2: SSH-protoversion-softwareversion SP comments
		sc.ServerVersion += " " + cfg.VersionAddendum
	}
	for _, k := range s.hostSigners() {
		sc.AddHostKey(k)
	}
	if cfg.MaxAuthTries == 0 {
		// sshd allows no attempt at all: it tries a method only while
		// failures < MaxAuthTries and disconnects ("Too many authentication
		// failures") once failures >= MaxAuthTries. x/crypto reads 0 as its
		// default of 6, and lets the first "none" request fail without
		// counting it: with 1, authorize refusing every key, the first
		// request after that "none" disconnects and no key is ever looked up.
		sc.MaxAuthTries = 1
	}
	sc.BannerCallback = func(conn gossh.ConnMetadata) string {
		// Banner may depend on Match: resolve it for the user asking.
		c := cfg
		if cfg.HasMatch() {
			ci := config.ConnInfo{User: conn.User(), Address: st.host, Host: st.host}
			if a, err := s.account(conn.User()); err == nil {
				ci.Groups = a.GroupNames
			}
			c = cfg.ForConnection(ci)
		}
		if b := c.Banner; b != "" && !strings.EqualFold(b, "none") {
			return readBanner(b)
		}
		return ""
	}
	s.addMcTiny(sc)
	s.mu.RLock()
	hook := s.configHook
	s.mu.RUnlock()
	if hook != nil {
		ci := ConnInfo{RemoteAddr: st.conn.RemoteAddr(), LocalAddr: st.conn.LocalAddr(),
			Authenticated: st.authedCh, Closed: st.closedCh}
		hook(ci, sc)
	}
	return sc
}

func readBanner(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, maxBannerSize))
	return string(b)
}
