package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pqssh/pqssh/internal/sshconf"
)

// DefaultUnauthenticatedKexMemory is the default of the pqsshd-specific
// option UnauthenticatedKexMemory: 64 MiB, room for about 60 concurrent
// Classic McEliece key exchanges (a 1,045,024-byte client packet each)
// from clients that have not authenticated yet.
const DefaultUnauthenticatedKexMemory = 64 << 20

// DefaultPerSourceKexMemory is the default of the pqsshd-specific option
// PerSourceKexMemory: 16 MiB, a quarter of the default
// UnauthenticatedKexMemory (five Classic McEliece key exchanges in progress
// at once from one source block), so that one source cannot take the
// whole budget and push every other client off McEliece.
const DefaultPerSourceKexMemory = 16 << 20

// NoKexBudget is the value of Config.UnauthenticatedKexMemory for
// "UnauthenticatedKexMemory none": no budget, every connection is offered
// every configured key exchange (MaxStartups alone bounds the memory).
const NoKexBudget = -1

// UnauthenticatedKexMemory (pqsshd-specific, not an OpenSSH keyword) is
// the memory, in bytes with an optional K, M or G suffix, that key
// exchanges with large packets (Classic McEliece) may hold on connections
// that have not authenticated yet; 0 offers no such method before
// authentication, none removes the budget. See docs/sshd-options.md.
//
// PerSourceKexMemory (pqsshd-specific) is the part of that memory the
// connections from one source address block (PerSourceNetBlockSize) may
// hold at once; none removes the per-source limit.
//
// kexMemoryOption is the option for either: a size, 0 or none
// (NoKexBudget), stored in the field field returns.
func kexMemoryOption(name string, field func(*Config) *int64) *option {
	return &option{name: name,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("%s takes one size (e.g. 64M), 0 or none", name)
			}
			switch strings.ToLower(a[0]) {
			case "none":
				*field(c) = NoKexBudget
				return nil
			case "0":
				*field(c) = 0
				return nil
			}
			n, err := sshconf.ParseSize(a[0])
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			*field(c) = int64(n)
			return nil
		},
		dump: func(c *Config) []string {
			if *field(c) < 0 {
				return []string{"none"}
			}
			return []string{strconv.FormatInt(*field(c), 10)}
		}}
}
