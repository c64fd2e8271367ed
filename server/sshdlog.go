package server

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	gossh "golang.org/x/crypto/ssh"
)

// Log levels of OpenSSH's LogLevel that slog does not name: VERBOSE sits
// between INFO and DEBUG (DEBUG1), DEBUG2 and DEBUG3 below DEBUG.
const (
	LevelVerbose = slog.LevelInfo - 2
	LevelDebug2  = slog.LevelDebug - 1
	LevelDebug3  = slog.LevelDebug - 2
)

// sshdLine logs one line in OpenSSH sshd's own format and with no
// attributes, so that tools that read sshd's log (fail2ban's sshd filter,
// sshguard) match it: "Accepted publickey for …", "Failed publickey for
// …", "Connection closed by authenticating user … [preauth]". These lines
// stand beside pqsshd's structured ones.
func (s *Server) sshdLine(level slog.Level, format string, args ...any) {
	s.log.Log(context.Background(), level, fmt.Sprintf(format, args...))
}

// sshKeyType is OpenSSH's sshkey_type() name of a key: ED25519, ECDSA,
// RSA, ED25519-SK, ECDSA-SK, with -CERT for a certificate.
func sshKeyType(k gossh.PublicKey) string {
	t := k.Type()
	cert := false
	if c, ok := k.(*gossh.Certificate); ok {
		t, cert = c.Key.Type(), true
	}
	var name string
	switch {
	case t == gossh.KeyAlgoED25519:
		name = "ED25519"
	case t == gossh.KeyAlgoSKED25519:
		name = "ED25519-SK"
	case t == gossh.KeyAlgoSKECDSA256:
		name = "ECDSA-SK"
	case strings.HasPrefix(t, "ecdsa-"):
		name = "ECDSA"
	case t == gossh.KeyAlgoRSA:
		name = "RSA"
	case t == gossh.KeyAlgoDSA:
		name = "DSA"
	default:
		name = "unknown"
	}
	if cert {
		name += "-CERT"
	}
	return name
}

// keyLogInfo is what OpenSSH appends to an authentication line for a key
// (auth2-pubkey.c): "TYPE SHA256:…", and for a certificate "TYPE-CERT
// SHA256:… ID id (serial n) CA CATYPE SHA256:…".
func keyLogInfo(k gossh.PublicKey) string {
	if c, ok := k.(*gossh.Certificate); ok {
		return fmt.Sprintf("%s %s ID %s (serial %d) CA %s %s", sshKeyType(c), gossh.FingerprintSHA256(c.Key),
			logSafe(c.KeyId), c.Serial, sshKeyType(c.SignatureKey), gossh.FingerprintSHA256(c.SignatureKey))
	}
	return sshKeyType(k) + " " + gossh.FingerprintSHA256(k)
}

// userForLog is "invalid user NAME" for a user that does not exist and
// "NAME" otherwise, as in OpenSSH's "Failed publickey for …".
func userForLog(st *connState, name string) string {
	st.mu.Lock()
	invalid := st.invalidUser
	st.mu.Unlock()
	if invalid {
		return "invalid user " + logSafe(name)
	}
	return logSafe(name)
}

// remoteID is OpenSSH's description of the peer in connection-level lines
// (packet.c's connection id with auth2.c's log preamble): "authenticating
// user U A port P" or "invalid user U A port P" before authentication once
// a user name is known, "user U A port P" after it, else "A port P".
func remoteID(st *connState) string {
	st.mu.Lock()
	user, invalid, authed := st.user, st.invalidUser, st.authed
	st.mu.Unlock()
	switch {
	case user == "":
		return peerForLog(st)
	case authed:
		return "user " + logSafe(user) + " " + peerForLog(st)
	case invalid:
		return "invalid user " + logSafe(user) + " " + peerForLog(st)
	}
	return "authenticating user " + logSafe(user) + " " + peerForLog(st)
}
