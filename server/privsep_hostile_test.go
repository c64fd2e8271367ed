package server

import (
	"errors"
	"net"
	"testing"
	"time"
)

// hostileNet is a subverted network process: the other end of a monitor
// that serves a connection of s.
type hostileNet struct {
	link *privsepLink
	done chan error // the monitor's authenticate result
}

func newHostileNet(t *testing.T, e *testEnv) *hostileNet {
	t.Helper()
	mine, theirs := net.Pipe()
	a, b := net.Pipe()
	t.Cleanup(func() { mine.Close(); theirs.Close(); a.Close(); b.Close() })
	s := e.srv
	st, log := s.newConnState(&addrConn{Conn: a})
	m := &monitor{s: s, st: st, log: log, link: newPrivsepLink(mine)}
	m.signers = s.hostSigners()
	h := &hostileNet{link: newPrivsepLink(theirs), done: make(chan error, 1)}
	go func() {
		err := m.authenticate()
		mine.Close() // as serveMonitor does (and kills the process)
		h.done <- err
	}()
	var hello psHelloMsg
	if err := h.link.readJSON(psHello, &hello); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestMonitorBoundsAuthAttempts: the monitor counts the authentication
// attempts it decides itself and kills a network process that asks for
// more than MaxAuthTries, as sshd's monitor ("privsep child made too many
// authentication attempts"): x/crypto in an honest network process
// disconnects at MaxAuthTries, but a subverted one would otherwise get
// maxPrivsepRequests (4,096) public-key queries or passwords per
// connection, none of them logged (it sends the failure log itself).
func TestMonitorBoundsAuthAttempts(t *testing.T) {
	e := startServer(t, "", "MaxAuthTries 6")
	h := newHostileNet(t, e)
	answered := 0
	for range 100 {
		key := newSigner(t).PublicKey()
		if err := h.link.writeJSON(psPKQuery, psPKReq{Meta: psMeta{User: e.user}, Key: key.Marshal()}); err != nil {
			break
		}
		var a psAnswerMsg
		if err := h.link.readJSON(psAnswer, &a); err != nil {
			break
		}
		if a.Err == "" {
			t.Fatal("an unknown key was accepted")
		}
		answered++
	}
	if answered > 6 {
		t.Errorf("the monitor answered %d failed public-key queries, more than MaxAuthTries 6", answered)
	}
	h.link.c.Close()
	select {
	case err := <-h.done:
		if !errors.Is(err, errPrivsepProtocol) {
			t.Errorf("monitor ended with %v, want a protocol error (the network process killed)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the monitor did not end")
	}
	// An honest number of attempts, then a login, is fine.
	h = newHostileNet(t, e)
	for range 5 {
		h.link.writeJSON(psPKQuery, psPKReq{Meta: psMeta{User: e.user}, Key: newSigner(t).PublicKey().Marshal()})
		var a psAnswerMsg
		if err := h.link.readJSON(psAnswer, &a); err != nil {
			t.Fatalf("an attempt within MaxAuthTries: %v", err)
		}
	}
	h.link.writeJSON(psPKQuery, psPKReq{Meta: psMeta{User: e.user}, Key: e.key.PublicKey().Marshal()})
	var a psAnswerMsg
	if err := h.link.readJSON(psAnswer, &a); err != nil || a.Err != "" {
		t.Fatalf("the authorized key after five failures: %v %q", err, a.Err)
	}
}
