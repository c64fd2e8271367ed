//go:build root

package server

import (
	"os"
	"path/filepath"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

func TestUserEnvironmentFile(t *testing.T) {
	needRoot(t)
	name, _ := testAccount(t)
	a, _ := lookupAccount(name)
	for _, tc := range []struct{ pue, want string }{{"yes", "[from-file]"}, {"no", "[]"}} {
		e := startServer(t, "", "PermitUserEnvironment "+tc.pue)
		e.authorizeHome(name, "", e.key.PublicKey())
		p := filepath.Join(a.Home, ".ssh", "environment")
		os.WriteFile(p, []byte("# comment\nPQ_ENV_FILE=from-file\n"), 0o600)
		os.Chown(p, a.UID, a.GID)
		c, err := e.dial(name, e.key)
		if err != nil {
			t.Fatal(err)
		}
		if out, _ := run(t, c, `echo "[$PQ_ENV_FILE]"`); out != tc.want+"\n" {
			t.Errorf("PermitUserEnvironment %s: %q, want %s", tc.pue, out, tc.want)
		}
		c.Close()
	}
}

func TestAuthorizedKeysCommand(t *testing.T) {
	needRoot(t) // the program must be root-owned
	dir, err := os.MkdirTemp("/run", "pqsshd-akc-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	e := startServer(t, "", "")
	cmdKey := newSigner(t)
	keys := filepath.Join(dir, "keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(cmdKey.PublicKey()), 0o644)
	prog := filepath.Join(dir, "akc")
	log := filepath.Join(dir, "args")
	os.WriteFile(log, nil, 0o666) // the program runs as nobody
	os.Chmod(log, 0o666)
	os.WriteFile(prog, []byte("#!/bin/sh\necho \"$@\" > "+log+"\ncat "+keys+"\n"), 0o755)
	e.srv.Reload(mustConfig(t, "HostKey "+e.dir+"/hostkey_ed25519\nPerSourcePenalties no\nAuthorizedKeysFile none\n"+
		"AuthorizedKeysCommand "+prog+" %u %t %f\nAuthorizedKeysCommandUser nobody\n"))
	c, err := e.dial(e.user, cmdKey)
	if err != nil {
		t.Fatalf("key from AuthorizedKeysCommand refused: %v", err)
	}
	c.Close()
	args, _ := os.ReadFile(log)
	want := e.user + " ssh-ed25519 " + gossh.FingerprintSHA256(cmdKey.PublicKey()) + "\n"
	if string(args) != want {
		t.Fatalf("program arguments %q, want %q", args, want)
	}
	if c, err := e.dial(e.user, e.key); err == nil { // only in the file, which is now "none"
		c.Close()
		t.Fatal("key not returned by the command accepted")
	}
	// A group/world-writable program is not run.
	os.Chmod(prog, 0o777)
	if c, err := e.dial(e.user, cmdKey); err == nil {
		c.Close()
		t.Fatal("writable AuthorizedKeysCommand was run")
	}
	e.logs.waitLog(t, "must be a regular file owned by root")
}
