package config

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshpattern"
	"github.com/pqssh/pqssh/kex"
	"github.com/pqssh/pqssh/pqsig"
)

// DefaultKexAlgorithms returns the default KexAlgorithms list, pqssh's
// post-quantum-first order (kex.DefaultKeyExchanges, docs/kex.md).
func DefaultKexAlgorithms() []string { return kex.DefaultKeyExchanges() }

func defaultCiphers() []string { return ssh.SupportedAlgorithms().Ciphers }
func defaultMACs() []string    { return ssh.SupportedAlgorithms().MACs }

// knownKex is every key-exchange name the SSH library implements, including
// methods registered by other packages and the insecure ones (which a
// configuration may still name explicitly).
func knownKex() []string {
	k := slices.Concat(ssh.SupportedAlgorithms().KeyExchanges, ssh.InsecureAlgorithms().KeyExchanges)
	// x/crypto implements the libssh.org alias of curve25519-sha256 without
	// listing it.
	if slices.Contains(k, "curve25519-sha256") {
		k = append(k, "curve25519-sha256@libssh.org")
	}
	return k
}

func knownCiphers() []string {
	return slices.Concat(ssh.SupportedAlgorithms().Ciphers, ssh.InsecureAlgorithms().Ciphers)
}

func knownMACs() []string {
	return slices.Concat(ssh.SupportedAlgorithms().MACs, ssh.InsecureAlgorithms().MACs)
}

// algorithmList applies an OpenSSH algorithm-list argument to the default
// list: a plain comma-separated list replaces it, "+list" appends, "-list"
// removes (wildcards allowed) and "^list" puts the names first. Every name
// must be one the library implements; an unknown name is an error naming it,
// never a silent drop.
func algorithmList(arg string, defaults, known []string) ([]string, error) {
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
		if !slices.Contains(known, n) {
			return nil, fmt.Errorf("unsupported algorithm %q (supported: %s)", n, strings.Join(known, ","))
		}
	}
	switch mod {
	case '+':
		out := slices.Clone(defaults)
		for _, n := range names {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
		return out, nil
	case '-':
		return slices.DeleteFunc(slices.Clone(defaults), func(d string) bool {
			for _, p := range names {
				if sshpattern.Match(d, p) {
					return true
				}
			}
			return false
		}), nil
	case '^':
		out := slices.Clone(names)
		for _, d := range defaults {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
		return out, nil
	}
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// pqFirst moves the post-quantum algorithms of package pqsig to the front
// of list, in pqsig.DefaultOrder.
func pqFirst(list []string) []string {
	out := make([]string, 0, len(list))
	for _, a := range pqsig.DefaultOrder {
		if slices.Contains(list, a) {
			out = append(out, a)
		}
	}
	for _, a := range list {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// defaultPubkeyAlgos are the user key algorithms pqsshd accepts by default,
// post-quantum ones first (the order of server-sig-algs).
func defaultPubkeyAlgos() []string { return pqFirst(ssh.SupportedAlgorithms().PublicKeyAuths) }

func knownPubkeyAlgos() []string {
	return slices.Concat(ssh.SupportedAlgorithms().PublicKeyAuths, ssh.InsecureAlgorithms().PublicKeyAuths)
}

// defaultHostKeyAlgos are the host key algorithms: certificates first (as
// in OpenSSH; pqsshd offers one only for a HostCertificate), then plain
// keys, post-quantum first within each group,
// post-quantum ones first: pqsshd has no host certificates.
func defaultHostKeyAlgos() []string {
	all := hostKeyAlgos(ssh.SupportedAlgorithms().HostKeys)
	certs := slices.DeleteFunc(slices.Clone(all), func(a string) bool { return !IsCertAlgorithm(a) })
	plain := slices.DeleteFunc(slices.Clone(all), IsCertAlgorithm)
	return slices.Concat(pqFirstCerts(certs), pqFirst(plain))
}

// IsCertAlgorithm reports whether a host key algorithm name is that of a
// certificate (…-cert-v01@openssh.com, OpenSSH 10.6's
// ssh-mldsa44-ed25519-cert, x/crypto's …-cert-v01@golang.org).
func IsCertAlgorithm(a string) bool {
	return strings.Contains(a, "-cert-v01@") || strings.HasSuffix(a, "-cert")
}

// pqFirstCerts moves the certificate algorithms of post-quantum keys to the
// front of list, in pqsig.DefaultOrder.
func pqFirstCerts(list []string) []string {
	base := func(a string) string {
		if i := strings.Index(a, "-cert"); i > 0 {
			return a[:i]
		}
		return a
	}
	out := make([]string, 0, len(list))
	for _, pq := range pqsig.DefaultOrder {
		for _, a := range list {
			if base(a) == pq && !slices.Contains(out, a) {
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

func knownHostKeyAlgos() []string {
	return slices.Concat(hostKeyAlgos(ssh.SupportedAlgorithms().HostKeys), ssh.InsecureAlgorithms().HostKeys)
}

// pureMLDSACertAlgos are x/crypto's certificate names for the pure ML-DSA
// keys of package pqsig. The SSH library verifies and signs them but does
// not list them among its host key algorithms when package pqsig (not the
// library) provides ML-DSA.
var pureMLDSACertAlgos = []string{ssh.CertAlgoMLDSA44v01Go, ssh.CertAlgoMLDSA65v01Go, ssh.CertAlgoMLDSA87v01Go}

// hostKeyAlgos adds to the SSH library's host key algorithms the
// certificate names of pure ML-DSA keys it lacks, after the other
// certificate names, so that a HostCertificate of such a key can be
// offered.
func hostKeyAlgos(list []string) []string {
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
