package server

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// fakeNet is a compromised network process: the test writes whatever
// frames it likes on the monitor and key sockets of a monitor that runs
// in the test's process (authenticate and serveKeys, as serveMonitor runs
// them, without a process to kill).
type fakeNet struct {
	t     *testing.T
	m     *monitor
	mon   *privsepLink
	keys  *privsepLink
	hello psHelloMsg
	done  chan error // authenticate's result
}

// socketPair is a connected pair of Unix sockets of type typ.
func socketPair(t *testing.T, typ int) (net.Conn, net.Conn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, typ|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	var cs [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "pair")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		cs[i] = c
	}
	t.Cleanup(func() { cs[0].Close(); cs[1].Close() })
	return cs[0], cs[1]
}

// streamPair is a connected pair of Unix stream sockets (buffered, unlike
// net.Pipe: a monitor that stops reading does not block the test).
func streamPair(t *testing.T) (net.Conn, net.Conn) {
	return socketPair(t, syscall.SOCK_STREAM)
}

// startFakeNet starts a monitor of s for a client at 127.0.0.1 and reads
// its hello. link is the listener's control socket (nil: none).
func startFakeNet(t *testing.T, s *Server, link *procLink) *fakeNet {
	t.Helper()
	mc, nc := streamPair(t)
	mk, nk := streamPair(t)
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 22}
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40022}
	m, _, _ := s.newMonitor(mc, mk, local, remote, link)
	f := &fakeNet{t: t, m: m, mon: newPrivsepLink(nc), keys: newPrivsepLink(nk), done: make(chan error, 1)}
	go m.serveKeys()
	go func() {
		err := m.authenticate()
		// As serveMonitor's kill: the network process sees the end.
		mc.Close()
		mk.Close()
		f.done <- err
	}()
	if err := f.mon.readJSON(psHello, &f.hello); err != nil {
		t.Fatalf("hello: %v", err)
	}
	return f
}

// call sends a request and reads the monitor's answer.
func (f *fakeNet) call(typ byte, req any) (psAnswerMsg, error) {
	var a psAnswerMsg
	if err := f.mon.writeJSON(typ, req); err != nil {
		return a, err
	}
	err := f.mon.readJSON(psAnswer, &a)
	return a, err
}

// sign asks for a host-key signature of data on the key socket.
func (f *fakeNet) sign(data []byte) psAnswerMsg {
	f.t.Helper()
	if err := f.keys.writeJSON(psSign, psSignReq{Data: data}); err != nil {
		f.t.Fatal(err)
	}
	var a psAnswerMsg
	if err := f.keys.readJSON(psAnswer, &a); err != nil {
		f.t.Fatal(err)
	}
	return a
}

// session makes a session ID: the first exchange hash signed.
func (f *fakeNet) session() []byte {
	f.t.Helper()
	h := make([]byte, 32)
	rand.Read(h)
	if a := f.sign(h); !a.OK {
		f.t.Fatalf("sign: %+v", a)
	}
	return h
}

// proof is a public-key proof of user with key for session sid, as the
// client signs it (RFC 4252 section 7).
func proof(t *testing.T, sid []byte, user string, key gossh.Signer) psPKReq {
	t.Helper()
	pub := key.PublicKey()
	data := gossh.Marshal(signedUserauth{sid, 50, user, "ssh-connection", "publickey", true, pub.Type(), pub.Marshal()})
	sig, err := key.Sign(rand.Reader, data)
	if err != nil {
		t.Fatal(err)
	}
	return psPKReq{Meta: psMeta{User: user}, Key: pub.Marshal(), Data: data, Sig: sig}
}

// killed waits for the monitor to end the connection as a protocol
// violation.
func (f *fakeNet) killed() {
	f.t.Helper()
	select {
	case err := <-f.done:
		if !errors.Is(err, errPrivsepProtocol) {
			f.t.Fatalf("monitor ended with %v, want a protocol violation", err)
		}
	case <-time.After(10 * time.Second):
		f.t.Fatal("the monitor did not end the connection")
	}
}

// handOff hands the transport over and checks the monitor accepts it.
func (f *fakeNet) handOff() {
	f.t.Helper()
	if err := f.mon.write(psHandoff, nil); err != nil {
		f.t.Fatal(err)
	}
	select {
	case err := <-f.done:
		if err != nil {
			f.t.Fatalf("hand-over refused: %v", err)
		}
	case <-time.After(10 * time.Second):
		f.t.Fatal("the monitor did not take the hand-over")
	}
}

// TestFakeNetHonestPublicKey: the harness itself — a public-key login of
// the test's user through the monitor, then the hand-over.
func TestFakeNetHonestPublicKey(t *testing.T) {
	e := startServer(t, "", "")
	f := startFakeNet(t, e.srv, nil)
	sid := f.session()
	a, err := f.call(psPKSig, proof(t, sid, e.user, e.key))
	if err != nil || !a.OK {
		t.Fatalf("public-key proof: %+v %v", a, err)
	}
	f.handOff()
	if f.m.user != e.user {
		t.Fatalf("logged in as %q, want %q", f.m.user, e.user)
	}
}

// TestFakeNetProofOfAnotherSession: a proof signed for another session ID
// or with another user than it names is refused; a hand-over without a
// login kills the network process.
func TestFakeNetProofOfAnotherSession(t *testing.T) {
	e := startServer(t, "", "")
	f := startFakeNet(t, e.srv, nil)
	f.session()
	other := make([]byte, 32)
	rand.Read(other)
	if a, err := f.call(psPKSig, proof(t, other, e.user, e.key)); err != nil || a.OK {
		t.Fatalf("proof for another session: %+v %v", a, err)
	}
	p := proof(t, f.m.sessionIDNow(), e.user, e.key)
	p.Sig.Blob[3] ^= 1
	if a, err := f.call(psPKSig, p); err != nil || a.OK {
		t.Fatalf("proof with a bad signature: %+v %v", a, err)
	}
	if err := f.mon.write(psHandoff, nil); err != nil {
		t.Fatal(err)
	}
	f.killed()
}

// seqPair is a connected pair of Unix SOCK_SEQPACKET sockets (a control
// socket).
func seqPair(t *testing.T) (*net.UnixConn, *net.UnixConn) {
	a, b := socketPair(t, syscall.SOCK_SEQPACKET)
	return a.(*net.UnixConn), b.(*net.UnixConn)
}

// TestPrivsepNetControlRelaysReservationsOnly: the network process's
// control socket is the monitor's, which passes its key-exchange memory
// reservations on to the listener (the real listener side, serveLink)
// and kills it for anything else: a network process that says "auth"
// (which gives back the MaxStartups slot and spares the source its
// penalties) or "end" reaches no listener.
func TestPrivsepNetControlRelaysReservationsOnly(t *testing.T) {
	e := startServer(t, "", "UnauthenticatedKexMemory 64M")
	for _, forged := range []string{`{"op":"auth","user":"root"}`, `{"op":"end"}`, `{"op":"fail"}`, `{"op":"kex-reserve","n":-5}`, `not json`} {
		t.Run(forged, func(t *testing.T) {
			lisSide, monSide := seqPair(t)
			remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 9), Port: 40022}
			lst, log := e.srv.newConnState(&resumedConn{remote: remote, local: remote, closed: make(chan struct{})})
			lst.block = sourceBlock(lst.host, e.srv.Config().PerSourceNetBlockSize)
			ended := make(chan bool, 1)
			// The monitor's messages come from this process (SO_PASSCRED).
			if rc, err := lisSide.SyscallConn(); err == nil {
				rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PASSCRED, 1) })
			}
			go func() { ended <- e.srv.serveLink(lst, lisSide, os.Getpid(), func() { lisSide.Close() }, log) }()

			mine, theirs := seqPair(t)
			relayed := make(chan error, 1)
			go func() { relayed <- serveNetControl(mine, &procLink{c: monSide}) }()

			ask := func(msg string) procReply {
				t.Helper()
				if _, err := theirs.Write([]byte(msg)); err != nil {
					t.Fatal(err)
				}
				buf := make([]byte, maxProcMessage)
				n, err := theirs.Read(buf)
				if err != nil {
					t.Fatalf("%s: %v", msg, err)
				}
				var r procReply
				if err := json.Unmarshal(buf[:n], &r); err != nil {
					t.Fatal(err)
				}
				return r
			}
			if r := ask(`{"id":7,"op":"kex-reserve","n":1048576}`); r.ID != 7 || !r.OK {
				t.Fatalf("reservation through the monitor: %+v", r)
			}
			if got := e.srv.kexBudget.sourceUsed(lst.block); got != 1<<20 {
				t.Fatalf("the listener holds %d bytes for the source, want 1 MiB", got)
			}
			if r := ask(`{"id":8,"op":"kex-room","n":1048576}`); r.ID != 8 || r.Full != "" {
				t.Fatalf("room through the monitor: %+v", r)
			}
			theirs.Write([]byte(forged))
			select {
			case err := <-relayed:
				if !errors.Is(err, errPrivsepProtocol) {
					t.Fatalf("forged %s: relay ended with %v, want a protocol violation", forged, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("forged %s: the monitor went on relaying", forged)
			}
			monSide.Close()
			if <-ended {
				t.Fatal("the listener was told the connection ended normally")
			}
			if lst.isAuthed() {
				t.Fatal("the listener was told the connection authenticated")
			}
			lst.mu.Lock()
			failures := lst.failures
			lst.mu.Unlock()
			if failures != 0 {
				t.Fatalf("the listener counted %d failures", failures)
			}
			if got := e.srv.kexBudget.sourceUsed(lst.block); got != 0 {
				t.Fatalf("the listener still holds %d bytes for the source after the end", got)
			}
		})
	}
}

// TestPrivsepMonitorCountsFailures: the monitor counts failed attempts
// itself (a network process that never reports them still has each
// counted, once, as the listener's PerSourcePenalties need), and once
// MaxAuthTries have failed — where x/crypto disconnects — the next
// attempt kills the network process instead of being answered: no
// password guessing beyond MaxAuthTries per connection.
func TestPrivsepMonitorCountsFailures(t *testing.T) {
	e := startServer(t, "", "MaxAuthTries 3")
	f := startFakeNet(t, e.srv, nil)
	sid := f.session()
	for i := range 3 {
		stranger := newSigner(t)
		req := psPKReq{Meta: psMeta{User: e.user}, Key: stranger.PublicKey().Marshal()}
		if i == 2 {
			req = proof(t, sid, e.user, stranger)
		}
		a, err := f.call(map[bool]byte{false: psPKQuery, true: psPKSig}[i == 2], req)
		if err != nil || a.OK {
			t.Fatalf("attempt %d with a stranger's key: %+v %v", i, a, err)
		}
		if i == 0 {
			// What the network process reports of an attempt is not
			// counted again.
			f.mon.writeJSON(psAuthLog, psAuthLogReq{Meta: psMeta{User: e.user}, Method: "publickey", Err: "refused"})
		}
	}
	f.m.st.mu.Lock()
	failures := f.m.st.failures
	f.m.st.mu.Unlock()
	if failures != 3 {
		t.Fatalf("%d failures counted, want 3", failures)
	}
	// The fourth attempt, with the right key, is one too many.
	if a, err := f.call(psPKSig, proof(t, sid, e.user, e.key)); err == nil && a.OK {
		t.Fatal("a fourth attempt was answered after MaxAuthTries 3 failures")
	}
	f.killed()
}

// TestFakeNetCertificateLogin: a user certificate from a TrustedUserCAKeys
// CA logs in through the monitor; one from another CA does not.
func TestFakeNetCertificateLogin(t *testing.T) {
	ca := newSigner(t)
	dir := t.TempDir()
	caFile := dir + "/ca.pub"
	os.WriteFile(caFile, gossh.MarshalAuthorizedKey(ca.PublicKey()), 0o644)
	e := startServer(t, "", "TrustedUserCAKeys "+caFile)
	key := newSigner(t)

	f := startFakeNet(t, e.srv, nil)
	sid := f.session()
	if a, err := f.call(psPKSig, proof(t, sid, e.user, certFor(t, newSigner(t), key, []string{e.user}, time.Hour, nil))); err != nil || a.OK {
		t.Fatalf("certificate of another CA: %+v %v", a, err)
	}
	a, err := f.call(psPKSig, proof(t, sid, e.user, certFor(t, ca, key, []string{e.user}, time.Hour, nil)))
	if err != nil || !a.OK {
		t.Fatalf("certificate login: %+v %v", a, err)
	}
	f.handOff()
}
