package config

import (
	"strings"

	"github.com/pqssh/pqssh/internal/sshconf"
)

// matchCommaList reports whether s matches the comma-separated host-style
// pattern list (case-insensitive, '!' negating), as Match criteria do.
func matchCommaList(s, list string) bool {
	return sshconf.MatchHostList(s, strings.Split(list, ",")) == 1
}
