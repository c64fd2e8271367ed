package config

import (
	"github.com/pqssh/pqssh/internal/sshconf"
	"github.com/pqssh/pqssh/kex"
)

// IsPostQuantum reports whether the key exchange method name is a
// post-quantum hybrid (OpenSSH 10.1's notion, used for its "not using a
// post-quantum key exchange" warning), implemented here or not.
func IsPostQuantum(name string) bool { return kex.IsPostQuantum(name) }

// DefaultAlgorithms returns pqssh's default list for one of the algorithm
// keywords (any case: KexAlgorithms, Ciphers, MACs, HostKeyAlgorithms,
// PubkeyAcceptedAlgorithms), sshconf.ClientDefaults.
func DefaultAlgorithms(keyword string) []string {
	if k, ok := sshconf.AlgoKindOf(keyword); ok {
		return sshconf.ClientDefaults(k)
	}
	return nil
}

// KnownAlgorithms returns every name the SSH library implements for the
// algorithm keyword, including the insecure ones a configuration may still
// name (sshconf.KnownAlgorithms).
func KnownAlgorithms(keyword string) []string {
	if k, ok := sshconf.AlgoKindOf(keyword); ok {
		return sshconf.KnownAlgorithms(k)
	}
	return nil
}

// applyAlgorithms applies an algorithm-list argument of the keyword to
// pqssh's default (sshconf.AssembleAlgorithms).
func applyAlgorithms(keyword, arg string) ([]string, error) {
	k, _ := sshconf.AlgoKindOf(keyword)
	return sshconf.AssembleAlgorithms(k, arg, sshconf.ClientDefaults(k), sshconf.KnownAlgorithms(k))
}
