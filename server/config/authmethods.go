package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// authMethodNames are the methods an AuthenticationMethods list may name
// (sshd_config(5)); keyboard-interactive may carry a device after a colon
// ("keyboard-interactive:pam").
var authMethodNames = map[string]string{
	"publickey":            "",
	"password":             "",
	"keyboard-interactive": "",
	"hostbased":            "host-based authentication is not supported",
	"gssapi-with-mic":      "GSSAPI is not supported",
}

// ParseAuthenticationMethods checks the arguments of AuthenticationMethods
// and returns the value pqsshd keeps: "any", or the lists joined by
// spaces, each a comma-separated sequence of methods that must all
// succeed, in order, for a login (see AuthMethodLists).
func ParseAuthenticationMethods(a []string) (string, error) {
	if len(a) == 0 {
		return "", fmt.Errorf("AuthenticationMethods: missing argument")
	}
	if len(a) == 1 && strings.EqualFold(a[0], "any") {
		return "any", nil
	}
	for _, list := range a {
		if strings.EqualFold(list, "any") {
			return "", fmt.Errorf("AuthenticationMethods: \"any\" must be the only argument")
		}
		for _, m := range strings.Split(list, ",") {
			name, dev, hasDev := strings.Cut(m, ":")
			why, ok := authMethodNames[name]
			switch {
			case !ok || m == "":
				return "", fmt.Errorf("AuthenticationMethods: unknown method %q in %q", m, list)
			case why != "":
				return "", fmt.Errorf("AuthenticationMethods %s is not supported: %s", list, why)
			case hasDev && (name != "keyboard-interactive" || dev != "pam"):
				return "", fmt.Errorf("AuthenticationMethods: method %q: only keyboard-interactive:pam names a device", m)
			}
		}
	}
	return strings.Join(a, " "), nil
}

// AuthMethodLists returns the lists of AuthenticationMethods ("any" is
// none: one successful method of any kind suffices) that name only enabled
// methods: as sshd, a list naming a method the configuration disables
// (PasswordAuthentication no, say) is skipped (DisabledAuthMethodLists).
// When every list is, they are all returned: none can be completed, as no
// disabled method succeeds, and the connection is refused before
// (CheckAuthenticationMethods). A "keyboard-interactive:pam" entry is
// "keyboard-interactive": PAM is the only device.
func (c *Config) AuthMethodLists() [][]string {
	if c.AuthenticationMethods == "" || c.AuthenticationMethods == "any" {
		return nil
	}
	var all, enabled [][]string
	for _, list := range strings.Fields(c.AuthenticationMethods) {
		var l []string
		for _, m := range strings.Split(list, ",") {
			name, _, _ := strings.Cut(m, ":")
			l = append(l, name)
		}
		all = append(all, l)
		if !slices.ContainsFunc(l, c.authMethodDisabled) {
			enabled = append(enabled, l)
		}
	}
	if len(enabled) == 0 {
		return all
	}
	return enabled
}

// authMethodDisabled reports whether the configuration turns method off
// (PubkeyAuthentication, PasswordAuthentication,
// KbdInteractiveAuthentication).
func (c *Config) authMethodDisabled(method string) bool {
	switch method {
	case "publickey":
		return !c.PubkeyAuthentication
	case "password":
		return !c.PasswordAuthentication
	case "keyboard-interactive":
		return !c.KbdInteractiveAuth
	}
	return true
}

// DisabledAuthMethodLists returns the AuthenticationMethods lists, as
// written, that name a method the configuration disables.
func (c *Config) DisabledAuthMethodLists() []string {
	if c.AuthenticationMethods == "" || c.AuthenticationMethods == "any" {
		return nil
	}
	var out []string
	for _, list := range strings.Fields(c.AuthenticationMethods) {
		for _, m := range strings.Split(list, ",") {
			if name, _, _ := strings.Cut(m, ":"); c.authMethodDisabled(name) {
				out = append(out, list)
				break
			}
		}
	}
	return out
}

// ErrAuthMethodsUnsatisfiable is sshd's error for AuthenticationMethods
// whose every list names a disabled method.
var ErrAuthMethodsUnsatisfiable = errors.New("AuthenticationMethods cannot be satisfied by enabled authentication methods")

// CheckAuthenticationMethods fails with ErrAuthMethodsUnsatisfiable when
// AuthenticationMethods names lists and each names a disabled method: no
// login could succeed. sshd refuses to start so (for the configuration
// outside Match blocks; a Match block's lists are checked per connection).
func (c *Config) CheckAuthenticationMethods() error {
	lists := strings.Fields(c.AuthenticationMethods)
	if c.AuthenticationMethods == "any" || len(lists) == 0 || len(c.DisabledAuthMethodLists()) < len(lists) {
		return nil
	}
	return ErrAuthMethodsUnsatisfiable
}
