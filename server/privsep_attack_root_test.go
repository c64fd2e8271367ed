//go:build root

package server

import (
	"os"
	"testing"

	"github.com/pqssh/pqssh/server/pam"
)

// pamPasswordServer is a server with UsePAM (pam_unix) and the given
// configuration, and a test account with a password and the server's
// test key in its authorized_keys.
func pamPasswordServer(t *testing.T, extra string) (*testEnv, string) {
	t.Helper()
	needRoot(t)
	if !pam.Available {
		t.Fatal("this test needs a build with cgo (PAM)")
	}
	name, _ := testAccount(t)
	setPassword(t, name, "pw-Secret1")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	svc := pamService(t, dir, "", "", false)
	e := startServer(t, "", "UsePAM yes\nPAMServiceName "+svc+"\nMaxAuthTries 10\n"+extra)
	e.authorizeHome(name, "", e.key.PublicKey())
	return e, name
}

// TestPrivsepPartialSuccessKeepsTheUser: with AuthenticationMethods
// publickey,password, the honest path (the account's key, then its
// password) logs in through the monitor; a network process that follows
// the test user's key (a partial success for that user) with the
// account's password (another user) is killed, not logged in as the
// account on its password alone.
func TestPrivsepPartialSuccessKeepsTheUser(t *testing.T) {
	e, name := pamPasswordServer(t, "AuthenticationMethods publickey,password")

	f := startFakeNet(t, e.srv, nil)
	sid := f.session()
	a, err := f.call(psPKSig, proof(t, sid, name, e.key))
	if err != nil || len(a.Partial) != 1 || a.Partial[0] != "password" {
		t.Fatalf("the account's key: %+v %v, want a partial success offering password", a, err)
	}
	a, err = f.call(psPassword, psPasswordReq{Meta: psMeta{User: name}, Password: []byte("pw-Secret1")})
	if err != nil || !a.OK {
		t.Fatalf("the account's password after its key: %+v %v", a, err)
	}
	f.handOff()
	if f.m.user != name {
		t.Fatalf("logged in as %q, want %q", f.m.user, name)
	}

	f = startFakeNet(t, e.srv, nil)
	sid = f.session()
	a, err = f.call(psPKSig, proof(t, sid, e.user, e.key))
	if err != nil || a.Partial == nil {
		t.Fatalf("the test user's key: %+v %v, want a partial success", a, err)
	}
	a, err = f.call(psPassword, psPasswordReq{Meta: psMeta{User: name}, Password: []byte("pw-Secret1")})
	if err == nil && a.OK {
		t.Fatalf("logged in as %s with its password after a partial success of %s", name, e.user)
	}
	f.killed()
}
