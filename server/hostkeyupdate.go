package server

import (
	"bytes"
	"crypto/rand"
	"strings"
	"time"

	glssh "github.com/gliderlabs/ssh"
	"github.com/pqssh/pqssh/internal/sshwire"
	gossh "golang.org/x/crypto/ssh"
)

// Host key update and rotation, OpenSSH's "hostkeys-00@openssh.com" and
// "hostkeys-prove-00@openssh.com" (OpenSSH PROTOCOL section 2.5;
// draft-miller-sshm-hostkey-update): after authentication the server
// tells the client all its host keys; a client that trusts the one it
// connected with asks the server to prove possession of the others and
// adds them to known_hosts (ssh_config UpdateHostKeys). This is how
// clients learn a post-quantum host key added next to the Ed25519 one.
// The names and the signed data are in internal/sshwire, shared with
// pqssh.

// announceHostKeys sends hostkeys-00@openssh.com (want-reply false, then
// one string per host public key, as sshd's notify_hostkeys does) once
// the connection is authenticated.
func (s *Server) announceHostKeys(ctx glssh.Context, st *connState) {
	select {
	case <-st.authedCh:
	case <-st.closedCh:
		return
	}
	// gliderlabs/ssh stores the connection in the context as soon as the
	// handshake (which authentication ends) returns.
	var conn gossh.Conn
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, ok := ctx.Value(glssh.ContextKeyConn).(gossh.Conn); ok && c != nil {
			conn = c
			break
		}
		if time.Now().After(deadline) {
			return
		}
		select {
		case <-st.closedCh:
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
	var payload []byte
	for _, sg := range s.plainHostSigners() {
		payload = sshwire.AppendString(payload, sg.PublicKey().Marshal())
	}
	if len(payload) == 0 {
		return
	}
	if _, _, err := conn.SendRequest(sshwire.HostKeysRequest, false, payload); err != nil {
		s.log.Debug("hostkeys-00@openssh.com not sent", "conn", st.id, "err", err)
	}
}

// proveHostKeys answers hostkeys-prove-00@openssh.com: for each host key
// blob in the request, in order, a signature (as an SSH string) over
//
//	string "hostkeys-prove-00@openssh.com" || string session identifier || string host key blob
//
// RSA keys sign with the RSA algorithm negotiated in the key exchange, or
// rsa-sha2-512 (sshd's server_input_hostkeys_prove). A key that is not
// one of ours fails the whole request.
func (s *Server) proveHostKeys(ctx glssh.Context, _ *glssh.Server, req *gossh.Request) (bool, []byte) {
	conn, ok := ctx.Value(glssh.ContextKeyConn).(gossh.ConnMetadata)
	if !ok {
		return false, nil
	}
	negotiated := ""
	if am, ok := conn.(gossh.AlgorithmsConnMetadata); ok {
		negotiated = am.Algorithms().HostKey
	}
	signers := s.plainHostSigners()
	var resp []byte
	rest := req.Payload
	for n := 0; len(rest) > 0; n++ {
		if n >= len(signers) {
			return false, nil // more keys than we have: not ours
		}
		blob, r, err := sshwire.String(rest)
		if err != nil {
			return false, nil
		}
		rest = r
		var signer gossh.AlgorithmSigner
		for _, sg := range signers {
			if as, ok := sg.(gossh.AlgorithmSigner); ok && bytes.Equal(sg.PublicKey().Marshal(), blob) {
				signer = as
			}
		}
		if signer == nil {
			s.log.Debug("hostkeys-prove-00@openssh.com for a key that is not ours", "user", ctx.User())
			return false, nil
		}
		data := sshwire.HostKeyProofData(conn.SessionID(), blob)
		sig, err := signer.SignWithAlgorithm(rand.Reader, data, proveAlgorithm(signer, negotiated))
		if err != nil {
			s.log.Warn("hostkeys-prove-00@openssh.com: signing failed", "key", signer.PublicKey().Type(), "err", err)
			return false, nil
		}
		resp = sshwire.AppendString(resp, gossh.Marshal(sig))
	}
	return true, resp
}

// proveAlgorithm picks the signature algorithm of a proof.
func proveAlgorithm(s gossh.AlgorithmSigner, negotiated string) string {
	algo := s.PublicKey().Type()
	if algo == gossh.KeyAlgoRSA {
		algo = gossh.KeyAlgoRSASHA512
		if strings.HasPrefix(negotiated, "rsa-sha2-") {
			algo = negotiated
		}
	}
	if ms, ok := s.(gossh.MultiAlgorithmSigner); ok {
		allowed := ms.Algorithms()
		for _, a := range allowed {
			if a == algo {
				return algo
			}
		}
		if len(allowed) > 0 {
			return allowed[0]
		}
	}
	return algo
}
