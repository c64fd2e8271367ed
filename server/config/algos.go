package config

import (
	"github.com/pqssh/pqssh/internal/sshconf"
	"github.com/pqssh/pqssh/kex"
)

// DefaultKexAlgorithms returns the default KexAlgorithms list, pqssh's
// post-quantum-first order (kex.DefaultKeyExchanges, docs/kex.md).
func DefaultKexAlgorithms() []string { return kex.DefaultKeyExchanges() }

// IsCertAlgorithm reports whether a host key algorithm name is that of a
// certificate (sshconf.IsCertAlgorithm).
func IsCertAlgorithm(a string) bool { return sshconf.IsCertAlgorithm(a) }

// SplitArgs splits a command line the way sshd_config arguments are split
// (sshconf.SplitArgs), for AuthorizedKeysCommand.
func SplitArgs(s string) ([]string, error) { return sshconf.SplitArgs(s) }
