package config

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultUnauthenticatedKexMemory is the default of the pqsshd-specific
// option UnauthenticatedKexMemory: 64 MiB, room for about 60 concurrent
// Classic McEliece key exchanges (a 1,045,024-byte client packet each)
// from clients that have not authenticated yet.
const DefaultUnauthenticatedKexMemory = 64 << 20

// NoKexBudget is the value of Config.UnauthenticatedKexMemory for
// "UnauthenticatedKexMemory none": no budget, every connection is offered
// every configured key exchange (MaxStartups alone bounds the memory).
const NoKexBudget = -1

// UnauthenticatedKexMemory (pqsshd-specific, not an OpenSSH keyword) is
// the memory, in bytes with an optional K, M or G suffix, that key
// exchanges with large packets (Classic McEliece) may hold on connections
// that have not authenticated yet; 0 offers no such method before
// authentication, none removes the budget. See docs/sshd-options.md.
func init() {
	o := &option{name: "UnauthenticatedKexMemory",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("UnauthenticatedKexMemory takes one size (e.g. 64M), 0 or none")
			}
			switch strings.ToLower(a[0]) {
			case "none":
				c.UnauthenticatedKexMemory = NoKexBudget
				return nil
			case "0":
				c.UnauthenticatedKexMemory = 0
				return nil
			}
			n, err := parseSize(a[0])
			if err != nil {
				return fmt.Errorf("UnauthenticatedKexMemory: %w", err)
			}
			c.UnauthenticatedKexMemory = int64(n)
			return nil
		},
		dump: func(c *Config) []string {
			if c.UnauthenticatedKexMemory < 0 {
				return []string{"none"}
			}
			return []string{strconv.FormatInt(c.UnauthenticatedKexMemory, 10)}
		}}
	options = append(options, o)
	byKeyword[strings.ToLower(o.name)] = o
}
