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
	// PuzzleRate is McTinyPuzzleRate: the phase-0 queries per second above
	// which strangers get a client puzzle first; 0 means the default
	// (DefaultMcTinyPuzzleRate), -1 "none" (never).
	PuzzleRate int
	// PuzzleMinBits and PuzzleMaxBits are McTinyPuzzleBits min:max, the
	// bounds of the puzzle difficulty; 0 means the defaults.
	PuzzleMinBits, PuzzleMaxBits int
	// CookieSecretFile is McTinyCookieSecretFile: a file holding the
	// master secret(s) from which the cookie keys are derived, shared by
	// the replicas of a fleet; "" (the default, "none") means cookie keys
	// of this server's own, in the state directory.
	CookieSecretFile string
}

// Defaults of the McTiny puzzle options (the values of package mctiny).
const (
	DefaultMcTinyPuzzleRate    = 200
	DefaultMcTinyPuzzleMinBits = 12
	DefaultMcTinyPuzzleMaxBits = 24
)

// EffectivePuzzleRate is the puzzle threshold in phase-0 queries per
// second, 0 for never.
func (m McTinySettings) EffectivePuzzleRate() int {
	switch {
	case m.PuzzleRate < 0:
		return 0
	case m.PuzzleRate == 0:
		return DefaultMcTinyPuzzleRate
	}
	return m.PuzzleRate
}

// EffectivePuzzleBits returns the puzzle difficulty bounds.
func (m McTinySettings) EffectivePuzzleBits() (lo, hi int) {
	lo, hi = m.PuzzleMinBits, m.PuzzleMaxBits
	if lo == 0 {
		lo, hi = DefaultMcTinyPuzzleMinBits, DefaultMcTinyPuzzleMaxBits
	}
	return lo, hi
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
	reg(&option{name: "McTinyPuzzleRate",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("McTinyPuzzleRate takes one number of queries per second, or none")
			}
			if strings.EqualFold(a[0], "none") {
				c.McTiny.PuzzleRate = -1
				return nil
			}
			n, err := strconv.Atoi(a[0])
			if err != nil || n < 1 || n > 10_000_000 {
				return fmt.Errorf("McTinyPuzzleRate: bad rate %q (1 to 10000000 queries per second, or none)", a[0])
			}
			c.McTiny.PuzzleRate = n
			return nil
		},
		dump: func(c *Config) []string {
			if r := c.McTiny.EffectivePuzzleRate(); r > 0 {
				return []string{strconv.Itoa(r)}
			}
			return []string{"none"}
		}})
	reg(&option{name: "McTinyPuzzleBits",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("McTinyPuzzleBits takes min:max")
			}
			lo, hi, ok := strings.Cut(a[0], ":")
			l, err1 := strconv.Atoi(lo)
			h, err2 := strconv.Atoi(hi)
			if !ok || err1 != nil || err2 != nil || l < 1 || h > 32 || l > h {
				return fmt.Errorf("McTinyPuzzleBits: bad bounds %q (min:max with 1 <= min <= max <= 32)", a[0])
			}
			c.McTiny.PuzzleMinBits, c.McTiny.PuzzleMaxBits = l, h
			return nil
		},
		dump: func(c *Config) []string {
			lo, hi := c.McTiny.EffectivePuzzleBits()
			return []string{strconv.Itoa(lo) + ":" + strconv.Itoa(hi)}
		}})
	reg(&option{name: "McTinyCookieSecretFile",
		set: func(c *Config, a []string) error {
			if len(a) != 1 || a[0] == "" {
				return fmt.Errorf("McTinyCookieSecretFile takes one path, or none")
			}
			if strings.EqualFold(a[0], "none") {
				c.McTiny.CookieSecretFile = ""
				return nil
			}
			if !strings.HasPrefix(a[0], "/") {
				return fmt.Errorf("McTinyCookieSecretFile must be an absolute path, not %q", a[0])
			}
			c.McTiny.CookieSecretFile = a[0]
			return nil
		},
		dump: func(c *Config) []string {
			if c.McTiny.CookieSecretFile == "" {
				return []string{"none"}
			}
			return []string{c.McTiny.CookieSecretFile}
		}})
}
