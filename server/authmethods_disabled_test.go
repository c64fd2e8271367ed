package server

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pqssh/pqssh/server/config"
)

// TestAuthMethodsDisabledMethodRefusesStart: AuthenticationMethods whose
// every list names a disabled method stop pqsshd at start and in Check
// (pqsshd -t, reloads) with sshd's message.
func TestAuthMethodsDisabledMethodRefusesStart(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "sshd_config"), []byte("HostKey "+filepath.Join(dir, "hk")+"\nPasswordAuthentication no\nAuthenticationMethods password publickey,password\n"))
	if err != nil {
		t.Fatal(err)
	}
	const want = "AuthenticationMethods cannot be satisfied by enabled authentication methods"
	if _, err := New(cfg, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("New: %v, want %q", err, want)
	}
	if err := Check(cfg); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Check: %v, want %q", err, want)
	}
}

// TestAuthMethodsDisabledInMatch: a Match block's AuthenticationMethods
// are judged per connection, as sshd does: a list naming a disabled
// method is skipped with sshd's log line and the others still work; with
// no list left, the login is refused and the connection ends.
func TestAuthMethodsDisabledInMatch(t *testing.T) {
	t.Run("one list left", func(t *testing.T) {
		e := startServer(t, "", "PasswordAuthentication no\nMatch User "+currentUser(t)+"\n\tAuthenticationMethods password publickey")
		c, err := e.dial(e.user, e.key)
		if err != nil {
			t.Fatalf("publickey login with its list usable: %v", err)
		}
		c.Close()
		e.logs.waitLog(t, `Authentication methods list \"password\" contains disabled method, skipping`) // quotes escaped by the text handler
	})
	t.Run("none left", func(t *testing.T) {
		e := startServer(t, "", "PasswordAuthentication no\nMatch User "+currentUser(t)+"\n\tAuthenticationMethods password publickey,password")
		if c, err := e.dial(e.user, e.key); err == nil {
			c.Close()
			t.Fatal("login succeeded though every AuthenticationMethods list names a disabled method")
		}
		e.logs.waitLog(t, `Authentication methods list \"publickey,password\" contains disabled method, skipping`)
		e.logs.waitLog(t, "No AuthenticationMethods left after eliminating disabled methods")
	})
}
