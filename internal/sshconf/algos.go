package sshconf

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshpattern"
	"github.com/pqssh/pqssh/kex"
	"github.com/pqssh/pqssh/pqsig"
)

// AlgoKind names one of the algorithm-list keywords.
type AlgoKind int

// The algorithm-list keywords.
const (
	KexAlgorithms AlgoKind = iota
	Ciphers
	MACs
	HostKeyAlgorithms
	PubkeyAcceptedAlgorithms
)

// AlgoKindOf returns the kind of an algorithm-list keyword (any case; the
// pre-8.5 name PubkeyAcceptedKeyTypes included).
func AlgoKindOf(keyword string) (AlgoKind, bool) {
	switch strings.ToLower(keyword) {
	case "kexalgorithms":
		return KexAlgorithms, true
	case "ciphers":
		return Ciphers, true
	case "macs":
		return MACs, true
	case "hostkeyalgorithms":
		return HostKeyAlgorithms, true
	case "pubkeyacceptedalgorithms", "pubkeyacceptedkeytypes":
		return PubkeyAcceptedAlgorithms, true
	}
	return 0, false
}

// Wildcards reports whether names in a list of this kind may be wildcard
// patterns outside a "-" list. OpenSSH checks Ciphers, MACs and
// KexAlgorithms name by name (ciphers_valid, mac_valid, kex_names_valid)
// and accepts patterns only for the key algorithm lists
// (sshkey_names_valid2 with allow_wildcard).
func (k AlgoKind) Wildcards() bool { return k == HostKeyAlgorithms || k == PubkeyAcceptedAlgorithms }

// KnownAlgorithms returns every name the SSH library implements for the
// kind, including the insecure ones a configuration may still name: the
// "all" list that OpenSSH expands patterns against.
func KnownAlgorithms(k AlgoKind) []string {
	s, in := ssh.SupportedAlgorithms(), ssh.InsecureAlgorithms()
	switch k {
	case KexAlgorithms:
		all := slices.Concat(s.KeyExchanges, in.KeyExchanges)
		// x/crypto implements the libssh.org alias of curve25519-sha256
		// without listing it.
		if slices.Contains(all, "curve25519-sha256") && !slices.Contains(all, "curve25519-sha256@libssh.org") {
			all = append(all, "curve25519-sha256@libssh.org")
		}
		return all
	case Ciphers:
		return slices.Concat(s.Ciphers, in.Ciphers)
	case MACs:
		return slices.Concat(s.MACs, in.MACs)
	case HostKeyAlgorithms:
		return slices.Concat(withPureMLDSACerts(s.HostKeys), in.HostKeys)
	case PubkeyAcceptedAlgorithms:
		all := slices.Concat(s.PublicKeyAuths, in.PublicKeyAuths)
		return append(all, certAlgorithmsFor(all)...)
	}
	return nil
}

// ClientDefaults returns pqssh's default list for the kind: the
// post-quantum-first key exchanges of kex.DefaultKeyExchanges, the
// library's ciphers and MACs, host key algorithms with certificates first
// (as OpenSSH and x/crypto) and within each group the post-quantum ones
// first, and user key algorithms post-quantum first followed by their
// certificates.
func ClientDefaults(k AlgoKind) []string {
	s := ssh.SupportedAlgorithms()
	switch k {
	case HostKeyAlgorithms:
		return certsFirst(s.HostKeys)
	case PubkeyAcceptedAlgorithms:
		list := pqFirst(s.PublicKeyAuths)
		return append(list, certAlgorithmsFor(list)...)
	}
	return commonDefaults(k)
}

// ServerDefaults returns pqsshd's default list for the kind: as
// ClientDefaults, except that the host key algorithms include the
// certificate names of pure ML-DSA keys (so that a HostCertificate of such
// a key can be offered) and the user key algorithms are the plain ones,
// post-quantum first (the order of server-sig-algs).
func ServerDefaults(k AlgoKind) []string {
	s := ssh.SupportedAlgorithms()
	switch k {
	case HostKeyAlgorithms:
		return certsFirst(withPureMLDSACerts(s.HostKeys))
	case PubkeyAcceptedAlgorithms:
		return pqFirst(s.PublicKeyAuths)
	}
	return commonDefaults(k)
}

func commonDefaults(k AlgoKind) []string {
	s := ssh.SupportedAlgorithms()
	switch k {
	case KexAlgorithms:
		return kex.DefaultKeyExchanges()
	case Ciphers:
		return s.Ciphers
	case MACs:
		return s.MACs
	}
	return nil
}

// IsCertAlgorithm reports whether an algorithm name is that of a
// certificate (…-cert-v01@openssh.com, OpenSSH 10.6's
// ssh-mldsa44-ed25519-cert, x/crypto's …-cert-v01@golang.org).
func IsCertAlgorithm(a string) bool {
	return strings.Contains(a, "-cert-v01@") || strings.HasSuffix(a, "-cert")
}

// certBase returns the key algorithm a certificate algorithm certifies.
func certBase(a string) string {
	if i := strings.Index(a, "-cert"); i > 0 {
		return a[:i]
	}
	return a
}

// certsFirst orders a host key algorithm list: certificates, then plain
// keys, post-quantum first within each group.
func certsFirst(list []string) []string {
	certs := slices.DeleteFunc(slices.Clone(list), func(a string) bool { return !IsCertAlgorithm(a) })
	plain := slices.DeleteFunc(slices.Clone(list), IsCertAlgorithm)
	return slices.Concat(pqFirst(certs), pqFirst(plain))
}

// pqFirst moves the post-quantum signature algorithms of package pqsig
// (ssh-mldsa44-ed25519 first), and their certificate algorithms, to the
// front of list, in pqsig.DefaultOrder.
func pqFirst(list []string) []string {
	out := make([]string, 0, len(list))
	for _, pq := range pqsig.DefaultOrder {
		for _, a := range list {
			if certBase(a) == pq && !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	for _, a := range list {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// certAlgorithmsFor returns the certificate algorithms the SSH library
// implements for the signature algorithms in list, in list's order: as in
// OpenSSH, accepting a key algorithm by default accepts its certificates.
func certAlgorithmsFor(list []string) []string {
	var out []string
	for _, a := range list {
		for _, c := range ssh.SupportedAlgorithms().HostKeys {
			base, isCert := strings.CutSuffix(c, "-cert-v01@openssh.com")
			if !isCert {
				base, isCert = strings.CutSuffix(c, "-cert")
			}
			if isCert && base == a && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// pureMLDSACertAlgos are x/crypto's certificate names for the pure ML-DSA
// keys of package pqsig. The SSH library verifies and signs them but does
// not list them among its host key algorithms when package pqsig (not the
// library) provides ML-DSA.
var pureMLDSACertAlgos = []string{ssh.CertAlgoMLDSA44v01Go, ssh.CertAlgoMLDSA65v01Go, ssh.CertAlgoMLDSA87v01Go}

// withPureMLDSACerts adds to list the certificate names of pure ML-DSA keys
// it lacks, after its other certificate names.
func withPureMLDSACerts(list []string) []string {
	out := slices.Clone(list)
	for _, a := range pureMLDSACertAlgos {
		if !slices.Contains(out, a) {
			i := slices.IndexFunc(out, func(x string) bool { return !IsCertAlgorithm(x) })
			if i < 0 {
				i = len(out)
			}
			out = slices.Insert(out, i, a)
		}
	}
	return out
}

// AssembleAlgorithms applies an algorithm-list argument of the kind to
// the default list def, as OpenSSH 10's readconf.c/servconf.c and
// kex_assemble_names do, against all (normally KnownAlgorithms(k)):
//
//   - "list" replaces def, "+list" appends to it, "^list" puts the names
//     at its head, "-list" removes the names matching the patterns of list;
//   - outside a "-" list every name must be one of all, except that the key
//     algorithm kinds (Wildcards) accept a pattern matching one of all;
//   - the result names each match in all's order, once, pattern by
//     pattern; a negated ("!") name outside a "-" list is an error.
//
// Matching is case-sensitive. Where pqssh is stricter than OpenSSH, it says
// so in an error: an empty name in the list (OpenSSH stops checking at it
// and drops what follows) and an empty result (also after "-", where
// OpenSSH keeps an empty list that fails at connection time).
func AssembleAlgorithms(k AlgoKind, arg string, def, all []string) ([]string, error) {
	if arg == "" {
		return nil, fmt.Errorf("empty algorithm list")
	}
	mod := byte(0)
	switch arg[0] {
	case '+', '-', '^':
		mod, arg = arg[0], arg[1:]
	}
	names := strings.Split(arg, ",")
	for _, n := range names {
		if n == "" {
			return nil, fmt.Errorf("empty name in algorithm list")
		}
		if mod == '-' {
			continue // removal patterns may name anything
		}
		if strings.HasPrefix(n, "!") {
			return nil, fmt.Errorf("negated name %q is allowed only in a \"-\" list", n)
		}
		if slices.Contains(all, n) {
			continue
		}
		if k.Wildcards() && strings.ContainsAny(n, "*?") {
			if slices.ContainsFunc(all, func(a string) bool { return sshpattern.Match(a, n) }) {
				continue
			}
			return nil, fmt.Errorf("pattern %q matches no supported algorithm", n)
		}
		return nil, fmt.Errorf("unsupported algorithm %q", n)
	}
	var out []string
	switch mod {
	case '-':
		for _, d := range def {
			if sshpattern.MatchList(d, names) != 1 {
				out = append(out, d)
			}
		}
	default:
		var list []string
		switch mod {
		case '+':
			list = appendNew(slices.Clone(def), names)
		case '^':
			list = appendNew(appendNew(nil, names), def)
		default:
			list = names
		}
		for _, p := range list {
			for _, a := range all {
				if sshpattern.Match(a, p) {
					out = appendNew(out, []string{a})
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("algorithm list is empty")
	}
	return out, nil
}

// appendNew appends the names of add that list lacks (kex_names_cat).
func appendNew(list, add []string) []string {
	for _, n := range add {
		if !slices.Contains(list, n) {
			list = append(list, n)
		}
	}
	return list
}
