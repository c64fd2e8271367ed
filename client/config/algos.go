package config

import (
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshconf"
	"github.com/pqssh/pqssh/kex"
	"github.com/pqssh/pqssh/pqsig"
)

// IsPostQuantum reports whether the key exchange method name is a
// post-quantum hybrid (OpenSSH 10.1's notion, used for its "not using a
// post-quantum key exchange" warning), implemented here or not.
func IsPostQuantum(name string) bool { return kex.IsPostQuantum(name) }

// DefaultAlgorithms returns pqssh's default list for one of the algorithm
// keywords (any case: KexAlgorithms, Ciphers, MACs, HostKeyAlgorithms,
// PubkeyAcceptedAlgorithms, CASignatureAlgorithms). KexAlgorithms, Ciphers
// and MACs are sshconf.ClientDefaults; HostKeyAlgorithms and
// PubkeyAcceptedAlgorithms follow OpenSSH 10.6 (openSSHKeyOrder):
// certificates first, Ed25519 before ECDSA and RSA, ssh-mldsa44-ed25519
// last of its group; pqssh's pure ML-DSA algorithms follow it.
// HostKeyAlgorithms differ in one point: ssh-mldsa44-ed25519 (and its
// certificate) come first in their groups (postQuantumFirst).
func DefaultAlgorithms(keyword string) []string {
	s := ssh.SupportedAlgorithms()
	key := strings.ToLower(keyword)
	if key == "pubkeyacceptedkeytypes" {
		key = "pubkeyacceptedalgorithms"
	}
	switch key {
	case "hostkeyalgorithms":
		return postQuantumFirst(openSSHOrder(s.HostKeys))
	case "pubkeyacceptedalgorithms":
		return openSSHOrder(append(slices.Clone(s.PublicKeyAuths), certAlgorithmsFor(s.PublicKeyAuths)...))
	case "casignaturealgorithms":
		// OpenSSH 10.6's plain key list (its CASignatureAlgorithms but
		// for ssh-mldsa44-ed25519, which pqssh accepts from CAs too).
		var out []string
		for _, a := range openSSHOrder(s.PublicKeyAuths) {
			if !isCertAlgorithm(a) {
				out = append(out, a)
			}
		}
		return out
	}
	if k, ok := sshconf.AlgoKindOf(key); ok {
		return sshconf.ClientDefaults(k)
	}
	return nil
}

// openSSHKeyOrder is OpenSSH 10.6p1's default HostKeyAlgorithms, which is
// also its default PubkeyAcceptedAlgorithms (ssh -G on Debian forky).
var openSSHKeyOrder = []string{
	"ssh-ed25519-cert-v01@openssh.com",
	"ecdsa-sha2-nistp256-cert-v01@openssh.com",
	"ecdsa-sha2-nistp384-cert-v01@openssh.com",
	"ecdsa-sha2-nistp521-cert-v01@openssh.com",
	"sk-ssh-ed25519-cert-v01@openssh.com",
	"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
	"webauthn-sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
	"rsa-sha2-512-cert-v01@openssh.com",
	"rsa-sha2-256-cert-v01@openssh.com",
	"ssh-mldsa44-ed25519-cert",
	"ssh-ed25519",
	"ecdsa-sha2-nistp256",
	"ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521",
	"sk-ssh-ed25519@openssh.com",
	"sk-ecdsa-sha2-nistp256@openssh.com",
	"webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
	"rsa-sha2-512",
	"rsa-sha2-256",
	"ssh-mldsa44-ed25519",
}

// openSSHOrder returns the names of supported in OpenSSH 10.6's order
// (names OpenSSH lacks are left out). The algorithms OpenSSH does not
// have (pqssh's pure ML-DSA ones and their certificates) follow the
// last of their group: certificates after ssh-mldsa44-ed25519-cert, plain
// keys at the end.
func openSSHOrder(supported []string) []string {
	var certs, plain []string
	for _, a := range openSSHKeyOrder {
		if !slices.Contains(supported, a) {
			continue
		}
		if isCertAlgorithm(a) {
			certs = append(certs, a)
		} else {
			plain = append(plain, a)
		}
	}
	for _, pq := range pqsig.DefaultOrder {
		for _, a := range supported {
			if slices.Contains(openSSHKeyOrder, a) || slices.Contains(certs, a) || slices.Contains(plain, a) {
				continue
			}
			if a == pq {
				plain = append(plain, a)
			} else if isCertAlgorithm(a) && certBase(a) == pq {
				certs = append(certs, a)
			}
		}
	}
	return append(certs, plain...)
}

// postQuantumFirst moves OpenSSH's post-quantum host-key algorithm to the
// front of its group: ssh-mldsa44-ed25519-cert first among certificates,
// ssh-mldsa44-ed25519 first among plain keys, the rest in OpenSSH 10.6's
// order. OpenSSH 10.6 lists the composite last, so on first contact it
// records a server's Ed25519 key even when the server has an ML-DSA one;
// pqssh records the ML-DSA key, and against a server without one it
// records Ed25519, as OpenSSH does (docs/auth.md, "Host keys"). As in
// OpenSSH, the types already in known_hosts for the host are asked for
// first, whatever this order.
func postQuantumFirst(order []string) []string {
	const composite = "ssh-mldsa44-ed25519"
	out := make([]string, 0, len(order))
	for _, group := range []func(string) bool{isCertAlgorithm, func(a string) bool { return !isCertAlgorithm(a) }} {
		var pq, rest []string
		for _, a := range order {
			if !group(a) {
				continue
			}
			if a == composite || a == composite+"-cert" {
				pq = append(pq, a)
			} else {
				rest = append(rest, a)
			}
		}
		out = append(append(out, pq...), rest...)
	}
	return out
}

// certAlgorithmsFor returns the certificate algorithms the SSH library
// implements for the signature algorithms in list, in list's order: as in
// OpenSSH, accepting a key algorithm by default accepts its certificates.
func certAlgorithmsFor(list []string) []string {
	var out []string
	for _, a := range list {
		for _, c := range slices.Concat(ssh.SupportedAlgorithms().HostKeys, skCertAlgorithms) {
			base, isCert := strings.CutSuffix(c, "-cert-v01@openssh.com")
			if !isCert {
				base, isCert = strings.CutSuffix(c, "-cert")
			}
			if isCert && (base == a || base+"@openssh.com" == a) && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// skCertAlgorithms are the security-key certificate algorithms the SSH
// library verifies and signs through an agent; they are user-key
// algorithms only (not in its host key list).
var skCertAlgorithms = []string{ssh.CertAlgoSKED25519v01, ssh.CertAlgoSKECDSA256v01}

// isCertAlgorithm reports whether a is a certificate algorithm name.
func isCertAlgorithm(a string) bool {
	return strings.HasSuffix(a, "-cert-v01@openssh.com") || strings.HasSuffix(a, "-cert") || strings.Contains(a, "-cert-v01@")
}

// certBase returns the key algorithm a certificate algorithm certifies.
func certBase(a string) string {
	if i := strings.Index(a, "-cert"); i > 0 {
		return a[:i]
	}
	return a
}

// KnownAlgorithms returns every name the SSH library implements for the
// algorithm keyword (any case), including the insecure ones a configuration
// may still name: sshconf.KnownAlgorithms, and for CASignatureAlgorithms
// the user key algorithms.
func KnownAlgorithms(keyword string) []string {
	if strings.EqualFold(keyword, "casignaturealgorithms") {
		return slices.Concat(ssh.SupportedAlgorithms().PublicKeyAuths, ssh.InsecureAlgorithms().PublicKeyAuths)
	}
	if k, ok := sshconf.AlgoKindOf(keyword); ok {
		known := sshconf.KnownAlgorithms(k)
		if k == sshconf.PubkeyAcceptedAlgorithms {
			// certAlgorithmsFor also names the security-key certificates.
			known = appendMissing(known, certAlgorithmsFor(known))
		}
		return known
	}
	return nil
}

// appendMissing appends the names of add that list lacks.
func appendMissing(list, add []string) []string {
	for _, a := range add {
		if !slices.Contains(list, a) {
			list = append(list, a)
		}
	}
	return list
}

// applyAlgorithms applies an algorithm-list argument of the keyword to
// pqssh's default (sshconf.AssembleAlgorithms). CASignatureAlgorithms
// accepts patterns as the key algorithm lists do (OpenSSH's
// sshkey_names_valid2 with allow_wildcard).
func applyAlgorithms(keyword, arg string) ([]string, error) {
	k, ok := sshconf.AlgoKindOf(keyword)
	if !ok && strings.EqualFold(keyword, "casignaturealgorithms") {
		k = sshconf.PubkeyAcceptedAlgorithms
	}
	return sshconf.AssembleAlgorithms(k, arg, DefaultAlgorithms(keyword), KnownAlgorithms(keyword))
}
