package mctiny

import (
	"bytes"
	"crypto/rand"
	"crypto/sha3"
	"fmt"
	"log/slog"
	"testing"
	"time"
)

// Phases 1 to 3 do not involve the long-term key, so they are tested here
// against a random matrix T (the server's arithmetic does not care whether
// T is a Goppa code) and a naive computation of He and Z. The full protocol
// with real Classic McEliece keys is in exchange_test.go.

// newServerWithoutKEM is a Server whose long-term key is absent: it answers
// phases 1 to 3 only.
func newServerWithoutKEM(t testing.TB, dir string) *Server {
	t.Helper()
	keys, err := OpenCookieKeys(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{keys: keys, lt: &longTermKey{}, log: slog.Default(), rand: rand.Reader, nwork: 1, logInt: time.Minute}
	s.pool = make(chan *worker, 1)
	s.pool <- s.newWorker()
	return s
}

// fakePhase0 plays the server's phase 0 without the KEM: it picks S and a
// valid E and returns a client ready for phase 1, and e.
func fakePhase0(t testing.TB, s *Server, pk []byte) (*client, []byte) {
	t.Helper()
	c := &client{res: new(Result), pk: pk, cwnd: 16, ssthresh: 128, rto: time.Second}
	c.cfg.MaxWindow = 128
	rand.Read(c.S[:])
	rand.Read(c.N[:])
	var ev errorVector
	var w [eWords]uint64
	se := make([]byte, 64)
	copy(se, c.S[:])
	for {
		rand.Read(se[32:])
		ev.expand(se[32:])
		if ev.full(&w) == mceT {
			break
		}
	}
	var e [ErrorBytes]byte
	errorBytes(&e, &w)
	r := s.keys.load()
	var n [NonceSize]byte
	setNonce(&n, c.N[:], 1, 0)
	c0 := seal(nil, se, &n, &r.hs[r.current()])
	copy(c.C0[:], append(c0, cookieID(r.current(), 0)))
	c.qs[qPhase0].state = qDone
	c.startPhase1()
	return c, e[:]
}

// naiveSyndrome computes He for H = (I | T).
func naiveSyndrome(pk, e []byte) []byte {
	bit := func(b []byte, i int) byte { return b[i/8] >> (i % 8) & 1 }
	he := make([]byte, CiphertextSize)
	for row := range Rows {
		v := bit(e, row)
		for col := range Cols {
			v ^= bit(pk[row*RowBytes:], col) & bit(e, Rows+col)
		}
		he[row/8] |= v << (row % 8)
	}
	return he
}

// drive sends query q from c to s and feeds the reply back.
func drive(t testing.TB, s *Server, c *client, q int, now time.Time) []byte {
	t.Helper()
	pkt := c.packet(q)
	c.qs[q].state = qInflight
	c.qs[q].tries = 1
	c.inflight = append(c.inflight, q)
	reply, ok := s.Handle(make([]byte, 0, MaxPacketSize), pkt, now)
	if !ok {
		t.Fatalf("server dropped query %d (%s)", q, phaseName(q))
	}
	if q == qPhase3 {
		return reply
	}
	if _, err := c.receive(reply, now, true); err != nil {
		t.Fatal(err)
	}
	if c.qs[q].state != qDone {
		t.Fatalf("client did not accept the reply to query %d", q)
	}
	return reply
}

func TestPhases123(t *testing.T) {
	s := newServerWithoutKEM(t, t.TempDir())
	pk := make([]byte, PublicKeySize)
	rand.Read(pk)
	c, e := fakePhase0(t, s, pk)
	for q := qPhase1; q < qPhase2; q++ {
		drive(t, s, c, q, t0)
	}
	if len(c.urgent) != Pieces {
		t.Fatalf("%d pieces ready after phase 1, want %d", len(c.urgent), Pieces)
	}
	for _, q := range c.urgent {
		drive(t, s, c, q, t0)
	}
	want := naiveSyndrome(pk, e)
	if !bytes.Equal(c.he[:], want) {
		t.Fatal("syndrome from the pieces differs from He")
	}
	reply := drive(t, s, c, qPhase3, t0)
	if len(reply) != R3Size {
		t.Fatalf("R3 is %d bytes", len(reply))
	}
	var n [NonceSize]byte
	copy(n[:], reply[len(reply)-NonceSize:])
	msg, ok := open(nil, reply[:len(reply)-NonceSize], &n, &c.S)
	if !ok {
		t.Fatal("R3 does not open")
	}
	if !bytes.Equal(msg[CZSize:], want) {
		t.Fatal("R3 ciphertext is not He")
	}
	var z [SessionKeySize]byte
	if err := s.keys.OpenSessionCookie(&z, msg[:CZSize], n[:]); err != nil {
		t.Fatal(err)
	}
	h := sha3.NewSHAKE256()
	h.Write([]byte{1})
	h.Write(e)
	h.Write(want)
	wantZ := make([]byte, 32)
	h.Read(wantZ)
	if !bytes.Equal(z[:], wantZ) {
		t.Fatal("Z in C_Z is not SHAKE256(1 ‖ e ‖ C)")
	}
}

// TestCookieReencryption: a phase-1 query whose C0 was made under an older
// cookie key is answered with C0 re-encrypted under the newest key.
func TestCookieReencryption(t *testing.T) {
	s := newServerWithoutKEM(t, t.TempDir())
	pk := make([]byte, PublicKeySize)
	rand.Read(pk)
	c, _ := fakePhase0(t, s, pk)
	old := c.C0
	later := t0.Add(3 * CookieKeyInterval)
	drive(t, s, c, qPhase1, later)
	if c.C0 == old {
		t.Fatal("C0 was not refreshed")
	}
	if int(c.C0[C0Size-1]&7) != s.keys.load().current() {
		t.Fatal("refreshed C0 is not under the newest key")
	}
	// Nine intervals on, the old C0 is dead.
	c2 := *c
	c2.C0 = old
	pkt := c2.packet(qPhase1 + 1)
	if _, ok := s.Handle(make([]byte, 0, MaxPacketSize), pkt, t0.Add(9*CookieKeyInterval)); ok {
		t.Fatal("expired C0 accepted")
	}
}

// TestHandlerRejects: each kind of invalid packet is dropped without reply.
func TestHandlerRejects(t *testing.T) {
	s := newServerWithoutKEM(t, t.TempDir())
	pk := make([]byte, PublicKeySize)
	rand.Read(pk)
	c, _ := fakePhase0(t, s, pk)
	good1 := bytes.Clone(c.packet(qPhase1 + 9))
	dst := make([]byte, 0, MaxPacketSize)
	if _, ok := s.Handle(dst, good1, t0); !ok {
		t.Fatal("valid phase-1 query dropped")
	}
	mut := func(f func(p []byte) []byte) []byte { return f(bytes.Clone(good1)) }
	cases := map[string][]byte{
		"empty":         nil,
		"short":         good1[:Q1Size-1],
		"long":          append(bytes.Clone(good1), 0),
		"odd n22":       mut(func(p []byte) []byte { p[Q1Size-2] |= 1; return p }),
		"row too large": mut(func(p []byte) []byte { p[Q1Size-2] = 2 * RowBlocks; return p }),
		"column > l":    mut(func(p []byte) []byte { p[Q1Size-1] = n23Phase1 + ColBlocks; return p }),
		"other column":  mut(func(p []byte) []byte { p[Q1Size-1]++; return p }),
		"other nonce":   mut(func(p []byte) []byte { p[Q1Size-NonceSize] ^= 1; return p }),
		"bad tag":       mut(func(p []byte) []byte { p[0] ^= 1; return p }),
		"bad block":     mut(func(p []byte) []byte { p[100] ^= 1; return p }),
		"bad C0":        mut(func(p []byte) []byte { p[Q1Size-NonceSize-40] ^= 1; return p }),
		"bad C0 slot":   mut(func(p []byte) []byte { p[Q1Size-NonceSize-1] ^= 1; return p }),
		"phase 3 len":   good1[:Q3Size],
		"phase 2 len":   good1[:Q2Size],
		"phase 0 len":   good1[:Q0Size],
	}
	for name, p := range cases {
		if r, ok := s.Handle(dst, p, t0); ok || r != nil {
			t.Errorf("%s: answered", name)
		}
	}
	st := s.Stats()
	if st.Replies[1] != 1 {
		t.Errorf("phase-1 replies %d, want 1", st.Replies[1])
	}
	var dropped uint64
	for _, n := range st.Dropped {
		dropped += n
	}
	if dropped != uint64(len(cases)) {
		t.Errorf("dropped %d, want %d (%v)", dropped, len(cases), st.Dropped)
	}
}

// serverAfterPhase2 is a server without the KEM and a client that has run
// phases 1 and 2 with it (random public key), so that c.packet gives valid
// queries of phases 1 to 3.
func serverAfterPhase2(t *testing.T) (*Server, *client) {
	t.Helper()
	s := newServerWithoutKEM(t, t.TempDir())
	pk := make([]byte, PublicKeySize)
	rand.Read(pk)
	c, _ := fakePhase0(t, s, pk)
	for q := qPhase1; q < qPhase2; q++ {
		drive(t, s, c, q, t0)
	}
	for _, q := range c.urgent {
		drive(t, s, c, q, t0)
	}
	return s, c
}

// TestHandleAllocatesNothing: phases 1 to 3 and invalid packets (the
// flood case) run without heap allocation.
func TestHandleAllocatesNothing(t *testing.T) {
	s, c := serverAfterPhase2(t)
	pkts := map[string][]byte{
		"phase 1": bytes.Clone(c.packet(qPhase1 + 17)),
		"phase 2": bytes.Clone(c.packet(qPhase2 + 3)),
		"phase 3": bytes.Clone(c.packet(qPhase3)),
	}
	forged := bytes.Clone(pkts["phase 1"])
	forged[5] ^= 1
	pkts["forged phase 1"] = forged
	pkts["garbage"] = make([]byte, 600)
	dst := make([]byte, 0, MaxPacketSize)
	for name, p := range pkts {
		allocs := testing.AllocsPerRun(100, func() { s.Handle(dst, p, t0) })
		if allocs != 0 {
			t.Errorf("%s: %v allocations per packet", name, allocs)
		}
	}
}

// TestReplayedQueryFreshAnswer: the server keeps no replay cache; a query
// sent twice gets two answers with fresh nonces carrying the same value.
func TestReplayedQueryFreshAnswer(t *testing.T) {
	s := newServerWithoutKEM(t, t.TempDir())
	pk := make([]byte, PublicKeySize)
	rand.Read(pk)
	c, _ := fakePhase0(t, s, pk)
	q := qPhase1 + 42
	pkt := bytes.Clone(c.packet(q))
	open1 := func() (nonce, cij []byte) {
		r, ok := s.Handle(make([]byte, 0, MaxPacketSize), pkt, t0)
		if !ok {
			t.Fatal("replayed query dropped")
		}
		var n [NonceSize]byte
		copy(n[:], r[len(r)-NonceSize:])
		msg, ok := open(nil, r[:len(r)-NonceSize], &n, &c.S)
		if !ok {
			t.Fatal("reply does not open")
		}
		// Open C_ij with the server's key to compare the values.
		ring := s.keys.load()
		ck := msg[C0Size:]
		var key [KeySize]byte
		var sh sha3.SHAKE
		cijKey(&sh, &key, ring, int(ck[CijSize-1]&7), c.S[:])
		i, j := 42/ColBlocks, 42%ColBlocks
		var cn [NonceSize]byte
		setNonce(&cn, c.N[:], byte(2*i+1), byte(n23Phase1+j))
		v, ok := open(nil, ck[:CijSize-1], &cn, &key)
		if !ok {
			t.Fatal("C_ij does not open")
		}
		return n[:], v
	}
	n1, v1 := open1()
	n2, v2 := open1()
	if bytes.Equal(n1, n2) {
		t.Error("two replies share a nonce")
	}
	if !bytes.Equal(v1, v2) {
		t.Error("replayed query gave a different c_ij")
	}
}

// TestHandleWipesWorker: after each phase's query (answered or forged),
// the worker's scratch holds none of the secrets the handler used: S, E,
// cookie keys and their subkeys, key streams, plaintexts, e.
func TestHandleWipesWorker(t *testing.T) {
	s, c := serverAfterPhase2(t)
	forged := bytes.Clone(c.packet(qPhase2 + 3))
	forged[TagSize+100] ^= 1 // C_ij opened, then the outer box fails
	pkts := map[string][]byte{
		"phase 1":        bytes.Clone(c.packet(qPhase1 + 17)),
		"phase 2":        bytes.Clone(c.packet(qPhase2 + 3)),
		"phase 3":        bytes.Clone(c.packet(qPhase3)),
		"forged phase 2": forged,
	}
	zero := func(b []byte) bool { return bytes.Equal(b, make([]byte, len(b))) }
	for name, p := range pkts {
		_, ok := s.Handle(make([]byte, 0, MaxPacketSize), p, t0)
		if ok == (name == "forged phase 2") {
			t.Fatalf("%s: answered %v", name, ok)
		}
		w := <-s.pool
		fields := map[string][]byte{
			"S": w.S[:], "S‖E": w.se[:], "C_ij key": w.ckey[:], "key stream": w.ks[:],
			"cookie key stream": w.ks2[:], "reply": w.msg[:], "c_ij": w.cb[:], "Z": w.z[:],
			"e": w.eb[:],
		}
		for i := range w.cks {
			for j := range w.cks[i] {
				fields[fmt.Sprintf("C_ij subkey %d/%d", i, j)] = w.cks[i][j][:]
			}
		}
		for f, b := range fields {
			if !zero(b) {
				t.Errorf("%s: %s not wiped", name, f)
			}
		}
		for _, x := range append(append(w.ew[:], w.full[:]...), w.ev.pos[:]...) {
			if x != 0 {
				t.Errorf("%s: error vector not wiped", name)
				break
			}
		}
		if w.lanes != (salsaLanes{}) || w.subs != [3][32]byte{} {
			t.Errorf("%s: Salsa20 lanes or subkeys not wiped", name)
		}
		if w.have != [2][cookieSlots]bool{} || w.wide {
			t.Errorf("%s: scratch flags left set", name)
		}
		s.pool <- w
	}
}
