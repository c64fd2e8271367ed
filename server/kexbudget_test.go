package server

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/kex"
)

// halfOpenKex is a raw connection that has offered one key exchange and,
// if the server offered it too, sent all of the client's
// SSH_MSG_KEX_ECDH_INIT but its last bytes: a client that never finishes.
type halfOpenKex struct {
	c       net.Conn
	r       *bufio.Reader
	offered []string // the server's kex_algorithms
	sent    bool     // the server offered kexName and took the packet (it closes the connection if its budget filled up meanwhile)
}

// openHalfKex opens one half-open key exchange offering only kexName (a
// method of package kex; for others it stops after the KEXINITs).
func openHalfKex(t *testing.T, addr, kexName string) *halfOpenKex {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	h := &halfOpenKex{c: c, r: bufio.NewReader(c)}
	io.WriteString(c, "SSH-2.0-halfopen_test\r\n")
	if l, err := h.r.ReadString('\n'); err != nil || !strings.HasPrefix(l, "SSH-2.0-") {
		t.Fatalf("version %q %v", l, err)
	}
	var ki kexInit
	if err := gossh.Unmarshal(readPacket(t, h.r), &ki); err != nil {
		t.Fatal(err)
	}
	h.offered = ki.Kex
	if _, err := c.Write(rawPacket(clientKexInitPayload(kexName))); err != nil {
		t.Fatal(err)
	}
	m, ok := kex.Lookup(kexName)
	if !ok || !slices.Contains(ki.Kex, kexName) {
		return h
	}
	payloadLen := 1 + 4 + m.ClientInitSize()
	pad := 8 - (5+payloadLen)%8
	if pad < 4 {
		pad += 8
	}
	hdr := binary.BigEndian.AppendUint32(nil, uint32(1+payloadLen+pad))
	hdr = append(hdr, byte(pad), 30) // SSH_MSG_KEX_ECDH_INIT
	hdr = binary.BigEndian.AppendUint32(hdr, uint32(m.ClientInitSize()))
	if _, err := c.Write(hdr); err != nil {
		return h // closed by the server: no room left when it read the KEXINIT
	}
	// The public key but its last KiB, from a small buffer: the test
	// process itself holds no copy.
	zero := make([]byte, 32<<10)
	for left := m.ClientInitSize() - 1024; left > 0; {
		n, err := c.Write(zero[:min(left, len(zero))])
		if err != nil {
			return h
		}
		left -= n
	}
	h.sent = true
	return h
}

func offersLarge(names []string) bool {
	return slices.ContainsFunc(names, func(n string) bool { _, large := kexCost(n); return large })
}

// heapObjects is the live heap after a GC (runtime/metrics).
func heapObjects() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestKexBudget holds 40 McEliece key exchanges half-open against a 16 MiB
// UnauthenticatedKexMemory: the first ones (as many as the budget holds)
// are offered McEliece and hold their packet buffers, the others are not
// offered it (their KEXINIT is parsed) and are closed; the heap grows by
// no more than the budget; a non-key-exchange packet of 1 MiB from an
// unreserved connection is refused; logins with mlkem768 (and a
// McEliece-first client falling back to it) work while the budget is
// full, McEliece-only logins fail then and succeed once the half-open
// connections are gone.
func TestKexBudget(t *testing.T) {
	const budget = 16 << 20
	const conns = 40
	e := startServer(t, "", "UnauthenticatedKexMemory 16M\nMaxStartups 100\nLogLevel DEBUG")
	mc := kex.MCELIECE6688128X25519SHA512
	var cost int64
	for _, n := range e.srv.Config().KexAlgorithms {
		if c, large := kexCost(n); large {
			cost = max(cost, c)
		}
	}
	want := int(budget / cost)
	mcCost, _ := kexCost(mc) // reserved when a KEXINIT selects mc
	if want < 2 || want >= conns {
		t.Fatalf("cost %d: %d reservations in the budget, want a few", cost, want)
	}
	base := heapObjects()

	var open []*halfOpenKex
	for i := range conns {
		h := openHalfKex(t, e.addr, mc)
		defer h.c.Close()
		if got := offersLarge(h.offered); got != (i < want) {
			t.Fatalf("connection %d: server KEXINIT offers large methods = %v, want %v (reservation %d bytes, budget %d): %v",
				i, got, i < want, cost, budget, h.offered)
		}
		if !slices.Contains(h.offered, kex.MLKEM768X25519SHA256) {
			t.Fatalf("connection %d: mlkem768 not offered: %v", i, h.offered)
		}
		if h.sent {
			open = append(open, h)
			// The reservation is taken when the server reads the
			// client's KEXINIT: wait for it before the next connection.
			waitKexMemory(t, e.srv, int64(len(open))*mcCost)
		} else {
			// No common method: the server ends the connection.
			if b, err := io.ReadAll(h.r); isTimeout(err) {
				t.Fatalf("connection %d: server kept a connection without a common method (%d bytes, %v)", i, len(b), err)
			}
		}
	}
	if used, peak, limit := e.srv.KexMemory(); used != int64(want)*mcCost || peak > limit || limit != budget {
		t.Errorf("KexMemory used %d peak %d limit %d; want used %d, peak <= %d", used, peak, limit, int64(want)*mcCost, budget)
	}
	if n := strings.Count(e.logs.String(), "UnauthenticatedKexMemory exhausted"); n != conns-want {
		t.Errorf("%d log lines about the exhausted budget, want %d", n, conns-want)
	}
	// The half-open connections' buffers are allocated from their
	// length headers; wait until they all are, then bound the heap.
	var grown uint64
	for range 100 {
		if grown = heapObjects() - min(base, heapObjects()); grown >= uint64(want)<<20 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if grown < uint64(want)<<20 || grown > budget+4<<20 {
		t.Errorf("heap grew by %d bytes with %d half-open McEliece exchanges, want between %d and budget+4 MiB = %d",
			grown, len(open), want<<20, budget+4<<20)
	}
	t.Logf("%d connections, %d half-open McEliece exchanges, heap +%.1f MiB (budget %d MiB, %d bytes each)",
		conns, len(open), float64(grown)/(1<<20), budget>>20, cost)

	// A connection without a reservation cannot send a large packet of
	// another kind (here a 1 MiB SSH_MSG_IGNORE after a curve25519 KEXINIT).
	h := openHalfKex(t, e.addr, "curve25519-sha256")
	h.c.Write(binary.BigEndian.AppendUint32(nil, 1<<20-16))
	h.c.Write(make([]byte, 64<<10))
	if _, err := io.ReadAll(h.r); isTimeout(err) {
		t.Errorf("server kept a connection sending a 1 MiB packet without a reservation: %v", err)
	}
	h.c.Close()
	e.logs.waitLog(t, "without a large key exchange")

	// Logins while the budget is full: small methods work, a
	// McEliece-first client falls back, a McEliece-only one is refused.
	for _, kx := range [][]string{{kex.MLKEM768X25519SHA256}, {mc, kex.MLKEM768X25519SHA256}, {kex.SNTRUP761X25519SHA512, "curve25519-sha256"}} {
		c, err := e.dial(e.user, e.key, kx...)
		if err != nil {
			t.Fatalf("login offering %v with the budget full: %v", kx, err)
		}
		c.Close()
	}
	if n := strings.Count(e.logs.String(), "kex="+kex.MLKEM768X25519SHA256); n != 2 {
		t.Errorf("%d logins with mlkem768, want 2 (one a McEliece-first client falling back)", n)
	}
	if c, err := e.dial(e.user, e.key, mc); err == nil {
		c.Close()
		t.Error("McEliece-only login succeeded with the budget full")
	}

	for _, h := range open {
		h.c.Close()
	}
	for i := 0; ; i++ {
		used, _, _ := e.srv.KexMemory()
		if used == 0 {
			break
		}
		if i == 1000 {
			t.Fatalf("%d bytes still reserved after the half-open connections closed", used)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c, err := e.dial(e.user, e.key, mc)
	if err != nil {
		t.Fatalf("McEliece login after the half-open connections closed: %v", err)
	}
	defer c.Close()
	if out, err := run(t, c, "echo ok"); err != nil || out != "ok\n" {
		t.Errorf("session over McEliece: %q %v", out, err)
	}
	e.logs.waitLog(t, "kex="+mc)
	if used, peak, _ := e.srv.KexMemory(); used != 0 || peak > budget {
		t.Errorf("after an authenticated McEliece login: reserved %d (want 0), peak %d", used, peak)
	}
}

// waitKexMemory waits until srv has want bytes reserved.
func waitKexMemory(t *testing.T, srv *Server, want int64) {
	t.Helper()
	for i := 0; ; i++ {
		used, _, _ := srv.KexMemory()
		if used == want {
			return
		}
		if i == 1000 {
			t.Fatalf("%d bytes reserved, want %d", used, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// isTimeout tells a connection the server kept open (the read deadline
// passed) from one it closed (EOF, or a reset when it closed with unread
// data).
func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestKexBudgetOnlyLarge: with only McEliece configured and no budget for
// it, a connection is refused outright (logged), never offered x/crypto's
// default methods instead.
func TestKexBudgetOnlyLarge(t *testing.T) {
	mc := kex.MCELIECE6688128X25519SHA512
	e := startServer(t, "", "KexAlgorithms "+mc+"\nUnauthenticatedKexMemory 0")
	if c, err := e.dial(e.user, e.key, mc, "curve25519-sha256"); err == nil {
		c.Close()
		t.Fatal("login succeeded with UnauthenticatedKexMemory 0 and only McEliece configured")
	}
	e.logs.waitLog(t, "refusing connection: UnauthenticatedKexMemory exhausted and only large key exchanges are configured")
	if strings.Contains(e.logs.String(), "accepted publickey") {
		t.Error("a connection was accepted")
	}
}

// TestKexBudgetLoginGraceTime: a client that never finishes its McEliece
// packet (slow loris) is closed at LoginGraceTime and its reservation
// given back; MaxStartups counts it meanwhile.
func TestKexBudgetLoginGraceTime(t *testing.T) {
	e := startServer(t, "", "UnauthenticatedKexMemory 8M\nLoginGraceTime 1")
	h := openHalfKex(t, e.addr, kex.MCELIECE6688128X25519SHA512)
	defer h.c.Close()
	if !h.sent {
		t.Fatalf("McEliece not offered on an idle server: %v", h.offered)
	}
	mcCost, _ := kexCost(kex.MCELIECE6688128X25519SHA512)
	waitKexMemory(t, e.srv, mcCost) // taken when the server reads the KEXINIT
	if n := e.srv.Unauthenticated(); n != 1 {
		t.Errorf("MaxStartups counts %d unauthenticated connections, want 1", n)
	}
	if _, err := io.ReadAll(h.r); isTimeout(err) {
		t.Fatalf("server kept the half-open exchange past LoginGraceTime: %v", err)
	}
	e.logs.waitLog(t, "timeout before authentication: LoginGraceTime")
	for i := 0; ; i++ {
		if used, _, _ := e.srv.KexMemory(); used == 0 {
			break
		}
		if i == 1000 {
			t.Fatal("reservation kept after LoginGraceTime closed the connection")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
