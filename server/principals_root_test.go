//go:build root

package server

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/pqsig"
)

// TestAuthorizedPrincipalsCommand: principals printed by
// AuthorizedPrincipalsCommand (run as AuthorizedPrincipalsCommandUser with
// the certificate tokens expanded) admit certificates of an Ed25519 and an
// ML-DSA CA; other principals, a command without its user and a writable
// program admit nothing.
func TestAuthorizedPrincipalsCommand(t *testing.T) {
	needRoot(t) // the program must be root-owned
	dir, err := os.MkdirTemp("/run", "pqsshd-apc-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	cas := []gossh.Signer{newSigner(t), newPQSigner(t, pqsig.MLDSA44Ed25519)}
	caFile := filepath.Join(dir, "ca.pub")
	os.WriteFile(caFile, append(gossh.MarshalAuthorizedKey(cas[0].PublicKey()), gossh.MarshalAuthorizedKey(cas[1].PublicKey())...), 0o644)
	prog := filepath.Join(dir, "apc")
	log := filepath.Join(dir, "args")
	os.WriteFile(log, nil, 0o666) // the program runs as nobody
	os.Chmod(log, 0o666)
	os.WriteFile(prog, []byte("#!/bin/sh\necho \"$@\" > "+log+"\necho '# principals'\necho 'no-pty cmd-team'\n"), 0o755)
	e := startServer(t, "", "")
	base := "HostKey " + e.dir + "/hostkey_ed25519\nPerSourcePenalties no\nTrustedUserCAKeys " + caFile + "\n" +
		"AuthorizedPrincipalsCommand " + prog + " %u %i %s %T %F\n"
	if err := e.srv.Reload(mustConfig(t, base+"AuthorizedPrincipalsCommandUser nobody\n")); err != nil {
		t.Fatal(err)
	}
	for _, ca := range cas {
		key := newPQSigner(t, pqsig.MLDSA44Ed25519)
		c, err := e.dial(e.user, certFor(t, ca, key, []string{"cmd-team"}, time.Hour, nil))
		if err != nil {
			t.Fatalf("%s CA: principal from the command refused: %v", ca.PublicKey().Type(), err)
		}
		c.Close()
		args, _ := os.ReadFile(log)
		want := e.user + " test-cert 42 " + ca.PublicKey().Type() + " " + gossh.FingerprintSHA256(ca.PublicKey()) + "\n"
		if string(args) != want {
			t.Errorf("program arguments %q, want %q", args, want)
		}
		if c, err := e.dial(e.user, certFor(t, ca, key, []string{e.user}, time.Hour, nil)); err == nil {
			c.Close()
			t.Errorf("%s CA: principal not printed by the command accepted", ca.PublicKey().Type())
		}
	}
	cert := certFor(t, cas[1], newSigner(t), []string{"cmd-team"}, time.Hour, nil)
	// Without AuthorizedPrincipalsCommandUser the command is not run, and
	// nothing is accepted.
	if err := e.srv.Reload(mustConfig(t, base)); err != nil {
		t.Fatal(err)
	}
	if c, err := e.dial(e.user, cert); err == nil {
		c.Close()
		t.Fatal("accepted with AuthorizedPrincipalsCommand but no AuthorizedPrincipalsCommandUser")
	}
	e.logs.waitLog(t, "AuthorizedPrincipalsCommand set without AuthorizedPrincipalsCommandUser")
	// A group/world-writable program is not run.
	if err := e.srv.Reload(mustConfig(t, base+"AuthorizedPrincipalsCommandUser nobody\n")); err != nil {
		t.Fatal(err)
	}
	os.Chmod(prog, 0o777)
	if c, err := e.dial(e.user, cert); err == nil {
		c.Close()
		t.Fatal("writable AuthorizedPrincipalsCommand was run")
	}
	e.logs.waitLog(t, "must be a regular file owned by root")
}
