package config

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/kex"
	"github.com/pqssh/pqssh/pqsig"
)

// IsPostQuantum reports whether the key exchange method name is a
// post-quantum hybrid (OpenSSH 10.1's notion, used for its "not using a
// post-quantum key exchange" warning), implemented here or not.
func IsPostQuantum(name string) bool { return kex.IsPostQuantum(name) }

// DefaultKexAlgorithms returns pqssh's default KexAlgorithms, the
// post-quantum-first order of kex.DefaultKeyExchanges (docs/kex.md).
func DefaultKexAlgorithms() []string { return kex.DefaultKeyExchanges() }

// DefaultAlgorithms returns the default list for one of the algorithm
// keywords (lowercase: kexalgorithms, ciphers, macs, hostkeyalgorithms,
// pubkeyacceptedalgorithms). HostKeyAlgorithms and
// PubkeyAcceptedAlgorithms follow OpenSSH 10.6 (openSSHKeyOrder):
// certificates first, Ed25519 before ECDSA and RSA, ssh-mldsa44-ed25519
// last of its group; pqssh's pure ML-DSA algorithms follow it.
func DefaultAlgorithms(key string) []string {
	s := ssh.SupportedAlgorithms()
	switch key {
	case "kexalgorithms":
		return DefaultKexAlgorithms()
	case "ciphers":
		return s.Ciphers
	case "macs":
		return s.MACs
	case "hostkeyalgorithms":
		return openSSHOrder(s.HostKeys)
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
// keyword, including the insecure ones a configuration may still name.
func KnownAlgorithms(key string) []string {
	s, in := ssh.SupportedAlgorithms(), ssh.InsecureAlgorithms()
	switch key {
	case "kexalgorithms":
		k := slices.Concat(s.KeyExchanges, in.KeyExchanges)
		if slices.Contains(k, "curve25519-sha256") && !slices.Contains(k, "curve25519-sha256@libssh.org") {
			k = append(k, "curve25519-sha256@libssh.org")
		}
		return k
	case "ciphers":
		return slices.Concat(s.Ciphers, in.Ciphers)
	case "macs":
		return slices.Concat(s.MACs, in.MACs)
	case "hostkeyalgorithms":
		return slices.Concat(s.HostKeys, in.HostKeys)
	case "pubkeyacceptedalgorithms":
		all := slices.Concat(s.PublicKeyAuths, in.PublicKeyAuths)
		return append(all, certAlgorithmsFor(all)...)
	case "casignaturealgorithms":
		return slices.Concat(s.PublicKeyAuths, in.PublicKeyAuths)
	}
	return nil
}

// ApplyAlgorithms applies an OpenSSH algorithm-list argument to defaults:
// a plain list replaces it, "+list" appends, "-list" removes and "^list"
// moves names to the front (ssh_config(5), KexAlgorithms). Names may be
// wildcard patterns. A name (not a pattern) the library does not implement
// is an error, as is a list that ends up empty.
func ApplyAlgorithms(arg string, defaults, known []string) ([]string, error) {
	if arg == "" {
		return nil, fmt.Errorf("empty algorithm list")
	}
	mod := byte(0)
	switch arg[0] {
	case '+', '-', '^':
		mod, arg = arg[0], arg[1:]
	}
	var names []string
	for _, n := range strings.Split(arg, ",") {
		if n == "" {
			return nil, fmt.Errorf("empty name in algorithm list")
		}
		if mod == '-' {
			names = append(names, n)
			continue
		}
		if strings.ContainsAny(n, "*?") {
			matched := false
			for _, k := range known {
				if MatchPattern(k, n) && !slices.Contains(names, k) {
					names = append(names, k)
					matched = true
				}
			}
			if !matched {
				return nil, fmt.Errorf("pattern %q matches no supported algorithm", n)
			}
			continue
		}
		if !slices.Contains(known, n) {
			return nil, fmt.Errorf("unsupported algorithm %q", n)
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	var out []string
	switch mod {
	case 0:
		out = names
	case '+':
		out = slices.Clone(defaults)
		for _, n := range names {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	case '^':
		out = slices.Clone(names)
		for _, n := range defaults {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	case '-':
		for _, d := range defaults {
			if !slices.ContainsFunc(names, func(p string) bool { return MatchPattern(d, p) }) {
				out = append(out, d)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("algorithm list is empty")
	}
	return out, nil
}
