package server

import (
	"testing"
	"time"
)

// TestAuthCommandBackgroundChild: an AuthorizedKeysCommand or
// AuthorizedPrincipalsCommand that leaves a process behind holding its
// standard output (a shell script that starts something in the
// background) does not hold the authentication up beyond
// keysCommandTimeout: the command's whole session is killed and the wait
// for its output is bounded.
func TestAuthCommandBackgroundChild(t *testing.T) {
	e := startServer(t, "", "")
	a, err := lookupAccount(e.user)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, err := e.srv.runAuthCommand(authCommand{
		keyword: "AuthorizedKeysCommand", command: `/bin/sh -c "sleep 25 & echo done"`, user: "root",
	}, a, e.key.PublicKey())
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("command returned after %v (out %q, err %v)", d, out, err)
	}
}
