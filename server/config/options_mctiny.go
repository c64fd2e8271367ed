package config

import (
	"fmt"
	"strconv"
	"strings"
)

// McTinySettings are the options of pqsshd's McTiny service
// (draft-pqssh-mctiny-ssh-00): a stateless UDP pre-handshake that hands the
// server a client's one-time Classic McEliece key, consumed by the key
// exchange mctiny6688128x25519-sha512.
type McTinySettings struct {
	// Enabled is McTiny yes|no (default no).
	Enabled bool
	// StateDirectory holds the long-term McEliece key pair and the cookie
	// keys; "" (the default, shown as "auto" by -T) means the directory
	// pqsshd_mctiny beside the first host key.
	StateDirectory string
	// Port is the UDP port; 0 (the default) means the same number as each
	// listening SSH port.
	Port int
}

// The McTiny options live in this file so that they are registered after
// the OpenSSH keywords (they come last in -T output).
func init() {
	reg := func(o *option) {
		options = append(options, o)
		byKeyword[strings.ToLower(o.name)] = o
	}
	reg(&option{name: "McTiny",
		set: func(c *Config, a []string) error {
			v, err := parseYesNo(a)
			if err != nil {
				return fmt.Errorf("McTiny: %w", err)
			}
			c.McTiny.Enabled = v
			return nil
		},
		dump: func(c *Config) []string {
			if c.McTiny.Enabled {
				return []string{"yes"}
			}
			return []string{"no"}
		}})
	reg(&option{name: "McTinyStateDirectory",
		set: func(c *Config, a []string) error {
			if len(a) != 1 || a[0] == "" {
				return fmt.Errorf("McTinyStateDirectory takes one path")
			}
			if !strings.HasPrefix(a[0], "/") {
				return fmt.Errorf("McTinyStateDirectory must be an absolute path, not %q", a[0])
			}
			c.McTiny.StateDirectory = a[0]
			return nil
		},
		dump: func(c *Config) []string {
			if c.McTiny.StateDirectory == "" {
				return []string{"auto"}
			}
			return []string{c.McTiny.StateDirectory}
		}})
	reg(&option{name: "McTinyPort",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("McTinyPort takes one port number")
			}
			p, err := strconv.Atoi(a[0])
			if err != nil || p < 0 || p > 65535 {
				return fmt.Errorf("McTinyPort: bad port number %q", a[0])
			}
			c.McTiny.Port = p
			return nil
		},
		dump: func(c *Config) []string { return []string{strconv.Itoa(c.McTiny.Port)} }})
}
