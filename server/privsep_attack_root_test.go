//go:build root

package server

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/pqssh/pqssh/server/pam"
)

// pamPasswordServer is a server with UsePAM (pam_unix; with two, then
// pam_stress's OTP prompt, see pamService) and the given configuration,
// and a test account with a password and the server's test key in its
// authorized_keys.
func pamPasswordServer(t *testing.T, extra string, two bool) (*testEnv, string) {
	t.Helper()
	needRoot(t)
	if !pam.Available {
		t.Fatal("this test needs a build with cgo (PAM)")
	}
	name, _ := testAccount(t)
	setPassword(t, name, "pw-Secret1")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	svc := pamService(t, dir, "", "", two)
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
	e, name := pamPasswordServer(t, "AuthenticationMethods publickey,password", false)

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

	// A hand-over after the first of two methods.
	f = startFakeNet(t, e.srv, nil)
	sid = f.session()
	if a, err := f.call(psPKSig, proof(t, sid, name, e.key)); err != nil || a.Partial == nil {
		t.Fatalf("the account's key: %+v %v, want a partial success", a, err)
	}
	f.mon.write(psHandoff, nil)
	f.killed()
}

// kbdRound reads the monitor's challenges of one keyboard-interactive
// attempt, answering each with the next of answers, and returns its
// outcome.
func (f *fakeNet) kbdRound(user string, answers ...[]string) (psAnswerMsg, [][]string) {
	f.t.Helper()
	if err := f.mon.writeJSON(psKbdStart, psKbdReq{Meta: psMeta{User: user}}); err != nil {
		f.t.Fatal(err)
	}
	var prompts [][]string
	for {
		typ, body, err := f.mon.read(maxPrivsepRequest)
		if err != nil {
			f.t.Fatalf("keyboard-interactive: %v", err)
		}
		switch typ {
		case psAnswer:
			var a psAnswerMsg
			json.Unmarshal(body, &a)
			return a, prompts
		case psKbdChallenge:
			var c psKbdChallengeMsg
			json.Unmarshal(body, &c)
			prompts = append(prompts, c.Questions)
			var r psKbdReq
			if len(c.Questions) > 0 {
				if len(answers) == 0 {
					r.Err = "no more answers"
				} else {
					r.Answers, answers = answers[0], answers[1:]
				}
			}
			f.mon.writeJSON(psKbdAnswers, r)
		default:
			f.t.Fatalf("frame type %d during keyboard-interactive", typ)
		}
	}
}

// TestPrivsepKbdIntPAMTwoPrompts: AuthenticationMethods
// publickey,keyboard-interactive through the monitor with a PAM stack of
// two prompts (pam_unix's password, then pam_stress's OTP) completes; a
// wrong number of answers, or answers outside an attempt, kill the
// network process.
func TestPrivsepKbdIntPAMTwoPrompts(t *testing.T) {
	e, name := pamPasswordServer(t, "AuthenticationMethods publickey,keyboard-interactive", true)

	f := startFakeNet(t, e.srv, nil)
	sid := f.session()
	a, err := f.call(psPKSig, proof(t, sid, name, e.key))
	if err != nil || len(a.Partial) != 1 || a.Partial[0] != "keyboard-interactive" {
		t.Fatalf("key: %+v %v, want a partial success offering keyboard-interactive", a, err)
	}
	if a, err := f.call(psPassword, psPasswordReq{Meta: psMeta{User: name}, Password: []byte("pw-Secret1")}); err != nil || a.OK {
		t.Fatalf("password where keyboard-interactive is next: %+v %v", a, err)
	}
	a, prompts := f.kbdRound(name, []string{"pw-Secret1"}, []string{"otp-4242"})
	if !a.OK || len(prompts) != 2 {
		t.Fatalf("keyboard-interactive: %+v, prompts %q (want two rounds)", a, prompts)
	}
	f.handOff()
	if f.m.user != name {
		t.Fatalf("logged in as %q, want %q", f.m.user, name)
	}

	// Two answers to one prompt.
	f = startFakeNet(t, e.srv, nil)
	sid = f.session()
	f.call(psPKSig, proof(t, sid, name, e.key))
	f.mon.writeJSON(psKbdStart, psKbdReq{Meta: psMeta{User: name}})
	var c psKbdChallengeMsg
	if err := f.mon.readJSON(psKbdChallenge, &c); err != nil || len(c.Questions) != 1 {
		t.Fatalf("first challenge: %+v %v", c, err)
	}
	f.mon.writeJSON(psKbdAnswers, psKbdReq{Answers: []string{"pw-Secret1", "otp-4242"}})
	f.killed()

	// Answers with no attempt going on.
	f = startFakeNet(t, e.srv, nil)
	f.mon.writeJSON(psKbdAnswers, psKbdReq{Answers: []string{"pw-Secret1"}})
	f.killed()
}
