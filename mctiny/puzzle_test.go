package mctiny

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// forcePuzzles makes s pose puzzles of the given difficulty and stop
// adapting it.
func forcePuzzles(t testing.TB, s *Server, bits int32) {
	t.Helper()
	if s.puz == nil {
		p, err := newPuzzles(PuzzleConfig{Rate: 1})
		if err != nil {
			t.Fatal(err)
		}
		s.puz = p
	}
	s.puz.w.Store(bits)
	s.puz.tickAt.Store(math.MaxInt64) // no adjustment ever
}

// puzzleClient is a client that has sent its phase-0 query to s.
func puzzleClient(t testing.TB, s *Server) *client {
	t.Helper()
	c := &client{res: new(Result), cwnd: 16, ssthresh: 64, rto: time.Second, ctx: context.Background()}
	c.cfg.MaxPuzzleBits = 26
	if err := c.buildQ0(s.PublicKey()); err != nil {
		t.Fatal(err)
	}
	c.qs[qPhase0].state = qInflight
	c.qs[qPhase0].tries = 1
	c.inflight = []int{qPhase0}
	return c
}

// clock is the start of a test's synthetic clock for s: one second into
// the current interval of s's cookie keys (which start at the real time
// when s is made), so that tests move time forward from there whatever
// the real clock does meanwhile.
func clock(s *Server) time.Time {
	return time.Unix(s.keys.load().interval*int64(CookieKeyInterval/time.Second), 0).Add(time.Second)
}

var (
	clientA = netip.MustParseAddr("192.0.2.7")
	clientB = netip.MustParseAddr("2001:db8::9")
)

// solve has c solve the puzzle P0 and returns the query Q0'.
func solve(t testing.TB, c *client, p0 []byte) []byte {
	t.Helper()
	if len(p0) != P0Size {
		t.Fatalf("puzzle reply of %d bytes, want %d", len(p0), P0Size)
	}
	if _, err := c.receive(p0, time.Now(), false); err != nil {
		t.Fatal(err)
	}
	if c.stats.Puzzles == 0 || c.qs[qPhase0].state != qReady {
		t.Fatal("client did not solve the puzzle")
	}
	c.qs[qPhase0].state = qInflight
	c.inflight = []int{qPhase0}
	return bytes.Clone(c.q0)
}

func TestPuzzleRoundTrip(t *testing.T) {
	s := newTestServer(t, stateDir(t))
	tp := clock(s)
	forcePuzzles(t, s, 10)
	c := puzzleClient(t, s)
	dst := make([]byte, 0, MaxPacketSize)
	p0, ok := s.HandleFrom(dst, c.q0, clientA, tp)
	if !ok {
		t.Fatal("no puzzle")
	}
	if len(p0) > len(c.q0) {
		t.Fatalf("puzzle (%d bytes) larger than the query (%d)", len(p0), len(c.q0))
	}
	z, err := ParsePuzzle(p0)
	if err != nil || z.Bits != 10 || z.Prefix != c.R {
		t.Fatalf("puzzle %+v, %v", z, err)
	}
	q := solve(t, c, p0)
	if len(q) != Q0Size || q[Q0Size-1] != n23Solved {
		t.Fatalf("Q0' is %d bytes, position %d", len(q), q[len(q)-1])
	}
	r0, ok := s.HandleFrom(dst, q, clientA, tp.Add(time.Second))
	if !ok || len(r0) != R0Size {
		t.Fatalf("solution refused: %+v", s.Stats())
	}
	if _, err := c.receive(r0, time.Now(), false); err != nil || c.qs[qPhase0].state != qDone {
		t.Fatalf("client did not accept R0: %v", err)
	}
	st := s.Stats()
	if st.Puzzles.Posed != 1 || st.Puzzles.Solved != 1 || st.Puzzles.Failed != 0 || st.Replies[0] != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPuzzleRefusals(t *testing.T) {
	s := newTestServer(t, stateDir(t))
	tp := clock(s)
	forcePuzzles(t, s, 6)
	dst := make([]byte, 0, MaxPacketSize)
	fresh := func(from netip.Addr, now time.Time) []byte {
		c := puzzleClient(t, s)
		p0, ok := s.HandleFrom(dst, c.q0, from, now)
		if !ok {
			t.Fatal("no puzzle")
		}
		return solve(t, c, p0)
	}
	sol := TagSize + solvedExtensionSize
	for _, tc := range []struct {
		name   string
		from   netip.Addr
		later  time.Duration
		alter  func(q []byte)
		reason string
	}{
		{"wrong solution", clientA, 0, func(q []byte) { q[sol+PuzzleNonceSize+31] ^= 1 }, "puzzle_invalid"},
		{"other nonce", clientA, 0, func(q []byte) { q[sol+9] ^= 1 }, "puzzle_invalid"},
		{"other ciphertext", clientA, 0, func(q []byte) { q[Q0Size-NonceSize-1] ^= 1 }, "puzzle_invalid"},
		{"other address", clientB, 0, nil, "puzzle_invalid"},
		{"expired nonce", clientA, 2 * CookieKeyInterval, nil, "puzzle_expired"},
		{"future nonce", clientA, 0, func(q []byte) { q[sol+7]++ }, "puzzle_expired"},
	} {
		q := fresh(clientA, tp)
		if tc.alter != nil {
			tc.alter(q)
		}
		before := s.Stats().Dropped[tc.reason]
		if _, ok := s.HandleFrom(dst, q, tc.from, tp.Add(tc.later)); ok {
			t.Errorf("%s: accepted", tc.name)
		}
		if got := s.Stats().Dropped[tc.reason]; got != before+1 {
			t.Errorf("%s: %s count %d -> %d", tc.name, tc.reason, before, got)
		}
	}
	// One interval later a solution is still fresh.
	q := fresh(clientA, tp)
	if _, ok := s.HandleFrom(dst, q, clientA, tp.Add(CookieKeyInterval)); !ok {
		t.Error("solution from the previous interval refused")
	}
	// A solution is accepted once: replaying it, also from another worker,
	// is refused without a decapsulation.
	q = fresh(clientA, tp)
	if _, ok := s.HandleFrom(dst, q, clientA, tp); !ok {
		t.Fatal("solution refused")
	}
	decaps := s.puz.decaps.Load()
	for range 3 {
		if _, ok := s.HandleFrom(dst, q, clientA, tp); ok {
			t.Error("replayed solution accepted")
		}
	}
	if s.Stats().Dropped["puzzle_replayed"] != 3 || s.puz.decaps.Load() != decaps {
		t.Errorf("replays: %+v", s.Stats())
	}
	// Without puzzles configured, a query with a solution is refused.
	s2 := newTestServer(t, stateDir(t))
	if _, ok := s2.HandleFrom(dst, fresh(clientA, tp), clientA, tp); ok {
		t.Error("server without puzzles accepted a solution")
	}
}

// TestPuzzleAdaptsToLoad drives the difficulty controller with synthetic
// time: no puzzles below the rate, MinBits above it, harder while
// solutions still exceed the rate, none once the load is gone.
func TestPuzzleAdaptsToLoad(t *testing.T) {
	dir := stateDir(t)
	s, err := NewServer(dir, &ServerConfig{Logger: quiet, Puzzles: PuzzleConfig{Rate: 10, MinBits: 4, MaxBits: 6}})
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]byte, 0, MaxPacketSize)
	c := puzzleClient(t, s)
	now := clock(s)
	send := func(n int, per time.Duration) (puzzles int) {
		for range n {
			now = now.Add(per)
			r, ok := s.HandleFrom(dst, c.q0plain, clientA, now)
			if ok && len(r) == P0Size {
				puzzles++
			}
		}
		return puzzles
	}
	if send(20, 200*time.Millisecond) != 0 || s.Stats().Puzzles.Bits != 0 {
		t.Fatalf("puzzles at 5 queries/s: %+v", s.Stats().Puzzles)
	}
	send(60, 20*time.Millisecond) // 50/s
	if b := s.Stats().Puzzles.Bits; b != 4 {
		t.Fatalf("bits %d at 50 queries/s, want 4", b)
	}
	// Solved puzzles at 50/s still exceed the rate: w rises to MaxBits.
	for range 4 * 50 {
		now = now.Add(20 * time.Millisecond)
		cl := puzzleClient(t, s)
		p0, ok := s.HandleFrom(dst, cl.q0, clientA, now)
		if !ok || len(p0) != P0Size {
			continue
		}
		s.HandleFrom(dst, solve(t, cl, p0), clientA, now)
	}
	if st := s.Stats().Puzzles; st.Bits != 6 || st.Solved == 0 {
		t.Fatalf("after solved load: %+v", st)
	}
	// Load gone: one quiet second later, no puzzles.
	now = now.Add(3 * time.Second)
	send(1, 0)
	if st := s.Stats().Puzzles; st.Bits != 0 {
		t.Fatalf("puzzles on an idle server: %+v", st)
	}
}

// TestNoAmplification: every reply the server sends in an exchange, the
// puzzle included, is no longer than the query it answers.
func TestNoAmplification(t *testing.T) {
	for _, q := range [][2]int{{Q0Size, R0Size}, {Q0Size, P0Size}, {Q1Size, R1Size}, {Q2Size, R2Size}, {Q3Size, R3Size}} {
		if q[1] > q[0] {
			t.Errorf("reply of %d bytes to a %d-byte query", q[1], q[0])
		}
	}
	s := newTestServer(t, stateDir(t))
	s.nwork = 1 // one packet at a time, so each write follows its read
	forcePuzzles(t, s, 8)
	sc := &ampCheck{PacketConn: listenUDP(t)}
	serve(t, s, sc)
	cc := listenUDP(t)
	res, err := Exchange(context.Background(), cc, sc.LocalAddr(), s.PublicKey(), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, s, res)
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.bad != "" {
		t.Fatal(sc.bad)
	}
	for _, k := range [][2]int{{Q0Size, P0Size}, {Q0Size, R0Size}, {Q1Size, R1Size}, {Q2Size, R2Size}, {Q3Size, R3Size}} {
		if sc.seen[k] == 0 {
			t.Errorf("no %d-byte reply to a %d-byte query seen", k[1], k[0])
		}
	}
	if res.Stats.Puzzles != 1 || res.Stats.PuzzleBits != 8 {
		t.Errorf("client stats %+v", res.Stats)
	}
	t.Logf("reply kinds (query, reply bytes): %v", sc.seen)
}

// ampCheck is a server PacketConn that compares each reply with the query
// read before it.
type ampCheck struct {
	net.PacketConn
	mu   sync.Mutex
	last int
	seen map[[2]int]int
	bad  string
}

func (a *ampCheck) ReadFrom(b []byte) (int, net.Addr, error) {
	n, addr, err := a.PacketConn.ReadFrom(b)
	a.mu.Lock()
	a.last = n
	a.mu.Unlock()
	return n, addr, err
}

func (a *ampCheck) WriteTo(p []byte, addr net.Addr) (int, error) {
	a.mu.Lock()
	if a.seen == nil {
		a.seen = map[[2]int]int{}
	}
	a.seen[[2]int{a.last, len(p)}]++
	if len(p) > a.last && a.bad == "" {
		a.bad = fmt.Sprintf("reply larger than its query: %d > %d bytes", len(p), a.last)
	}
	a.mu.Unlock()
	return a.PacketConn.WriteTo(p, addr)
}

func TestPuzzleSolveAndParse(t *testing.T) {
	for _, bad := range [][]byte{nil, make([]byte, P0Size), make([]byte, P0Size+1)} {
		if _, err := ParsePuzzle(bad); err == nil {
			t.Errorf("parsed a %d-byte non-puzzle", len(bad))
		}
	}
	// A puzzle with no solution fails; a cancelled context stops it.
	z := &Puzzle{Bits: 4}
	if _, err := z.Solve(context.Background()); err != ErrPuzzleUnsolved {
		t.Error(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	z.Bits = 24
	if _, err := z.Solve(ctx); err != ErrPuzzleUnsolved {
		t.Error(err)
	}
}

// TestPuzzleLogging: a flood of phase-0 queries yields INFO lines on
// difficulty changes and per interval, not per packet.
func TestPuzzleLogging(t *testing.T) {
	h := &recordHandler{}
	s, err := NewServer(stateDir(t), &ServerConfig{Logger: slog.New(h), LogInterval: 200 * time.Millisecond,
		Workers: 1, Puzzles: PuzzleConfig{Rate: 1, MinBits: 4, MaxBits: 4}})
	if err != nil {
		t.Fatal(err)
	}
	sc := listenUDP(t)
	serve(t, s, sc)
	c := puzzleClient(t, s)
	fc := listenUDP(t)
	// 600 queries over 3 seconds: the difficulty is adjusted once a second.
	const n = 600
	for i := range n {
		fc.WriteTo(c.q0plain, sc.LocalAddr())
		if i%20 == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	time.Sleep(1500 * time.Millisecond)
	st := s.Stats()
	if st.Puzzles.Posed == 0 {
		t.Fatalf("no puzzles posed under flood: %+v", st)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var changes, counts int
	for _, r := range h.recs {
		switch r.Message {
		case "mctiny: puzzle difficulty changed":
			changes++
		case "mctiny: puzzles":
			counts++
		}
		if r.Level != slog.LevelInfo {
			t.Errorf("%s logged at %v", r.Message, r.Level)
		}
	}
	if changes == 0 || len(h.recs) > 30 {
		t.Errorf("%d records (%d changes, %d counts) for %d packets", len(h.recs), changes, counts, n)
	}
}

// TestPuzzleTooHard: a client ignores a puzzle above its limit and, when
// phase 0 then goes unanswered, says so.
func TestPuzzleTooHard(t *testing.T) {
	s := newTestServer(t, stateDir(t))
	forcePuzzles(t, s, 20)
	sc := listenUDP(t)
	serve(t, s, sc)
	_, err := Exchange(context.Background(), listenUDP(t), sc.LocalAddr(), s.PublicKey(),
		&ClientConfig{MaxPuzzleBits: 10, InitialRTO: 20 * time.Millisecond, Phase0Tries: 3})
	if !errorsIs(err, ErrPuzzleTooHard) || !errorsIs(err, ErrNoPhase0Reply) {
		t.Fatalf("err = %v", err)
	}
}
