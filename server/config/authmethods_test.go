package config

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// TestAuthMethodsNamingDisabledMethods follows sshd: a configuration whose
// every AuthenticationMethods list names a disabled method cannot be
// satisfied (sshd refuses to start); a list naming one is skipped while
// another is usable; a Match block's lists are judged with the Match
// block's settings, for the connection it applies to.
func TestAuthMethodsNamingDisabledMethods(t *testing.T) {
	for _, c := range []struct {
		text     string
		user     string // "": the configuration outside Match blocks
		fatal    bool
		lists    string
		disabled []string
	}{
		{"PasswordAuthentication no\nAuthenticationMethods password", "", true, "[[password]]", []string{"password"}},
		{"PasswordAuthentication no\nAuthenticationMethods publickey,password", "", true, "[[publickey password]]", []string{"publickey,password"}},
		{"KbdInteractiveAuthentication no\nAuthenticationMethods keyboard-interactive:pam", "", true, "[[keyboard-interactive]]", []string{"keyboard-interactive:pam"}},
		{"PubkeyAuthentication no\nAuthenticationMethods publickey,password", "", true, "[[publickey password]]", []string{"publickey,password"}},
		{"PasswordAuthentication no\nAuthenticationMethods password publickey", "", false, "[[publickey]]", []string{"password"}},
		{"PasswordAuthentication no\nAuthenticationMethods publickey,keyboard-interactive", "", false, "[[publickey keyboard-interactive]]", nil},
		{"PasswordAuthentication no\nAuthenticationMethods any", "", false, "[]", nil},
		{"PasswordAuthentication no", "", false, "[]", nil},
		// A Match block: the configuration outside it starts; the user it
		// applies to gets no usable list.
		{"PasswordAuthentication no\nMatch User alice\n\tAuthenticationMethods password", "", false, "[]", nil},
		{"PasswordAuthentication no\nMatch User alice\n\tAuthenticationMethods password", "alice", true, "[[password]]", []string{"password"}},
		{"AuthenticationMethods password\nMatch User alice\n\tPasswordAuthentication no", "bob", false, "[[password]]", nil},
		{"AuthenticationMethods password\nMatch User alice\n\tPasswordAuthentication no", "alice", true, "[[password]]", []string{"password"}},
		{"AuthenticationMethods password publickey\nMatch User alice\n\tPasswordAuthentication no", "alice", false, "[[publickey]]", []string{"password"}},
	} {
		cfg, err := Parse("sshd_config", []byte(c.text))
		if err != nil {
			t.Fatalf("%q: %v", c.text, err)
		}
		if c.user != "" {
			cfg = cfg.ForConnection(ConnInfo{User: c.user, Address: "192.0.2.1", Host: "192.0.2.1"})
		}
		err = cfg.CheckAuthenticationMethods()
		if c.fatal != (err != nil) || (err != nil && !errors.Is(err, ErrAuthMethodsUnsatisfiable)) {
			t.Errorf("%q for %q: %v, want fatal %v", c.text, c.user, err, c.fatal)
		}
		if err != nil && err.Error() != "AuthenticationMethods cannot be satisfied by enabled authentication methods" {
			t.Errorf("message %q is not sshd's", err)
		}
		if got := fmt.Sprint(cfg.AuthMethodLists()); got != c.lists {
			t.Errorf("%q for %q: lists %s, want %s", c.text, c.user, got, c.lists)
		}
		if got := cfg.DisabledAuthMethodLists(); !slices.Equal(got, c.disabled) {
			t.Errorf("%q for %q: disabled lists %q, want %q", c.text, c.user, got, c.disabled)
		}
	}
}
