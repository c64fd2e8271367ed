package mctiny

import (
	"bytes"
	"context"
	"crypto/rand"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pqssh/pqssh/kem/mceliece"
)

// phase0Query builds a valid phase-0 query for s.
func phase0Query(t testing.TB, s *Server) []byte {
	t.Helper()
	c := &client{}
	ct, err := encapsulate(&c.S, s.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	var R [NoncePrefixSize]byte
	rand.Read(R[:])
	setNonce(&c.nonce, R[:], 0, 0)
	q := seal(nil, make([]byte, ExtensionSize), &c.nonce, &c.S)
	q = append(q, s.lt.pkHash[:]...)
	q = append(q, ct...)
	return append(q, c.nonce[:]...)
}

// TestPhase0 checks phase 0 and that its handler adds no allocation to
// those of kem/mceliece's Decapsulate (which returns a new 32-byte slice).
func TestPhase0(t *testing.T) {
	s := newTestServer(t, stateDir(t))
	q := phase0Query(t, s)
	dst := make([]byte, 0, MaxPacketSize)
	reply, ok := s.Handle(dst, q, time.Now())
	if !ok || len(reply) != R0Size {
		t.Fatalf("phase 0: ok=%v len=%d", ok, len(reply))
	}
	for name, bad := range map[string]func(p []byte){
		"other server key": func(p []byte) { p[TagSize+ExtensionSize] ^= 1 },
		"bad ciphertext":   func(p []byte) { p[Q0Size-NonceSize-1] ^= 1 },
		"bad box":          func(p []byte) { p[3] ^= 1 },
		"position":         func(p []byte) { p[Q0Size-1] = 1 },
	} {
		p := bytes.Clone(q)
		bad(p)
		if _, ok := s.Handle(dst, p, time.Now()); ok {
			t.Errorf("%s: answered", name)
		}
	}
	sk := s.lt.sk
	ct := q[TagSize+ExtensionSize+HashSize : Q0Size-NonceSize]
	decap := testing.AllocsPerRun(5, func() { mceliece.Scheme().Decapsulate(sk, ct) })
	handler := testing.AllocsPerRun(5, func() { s.Handle(dst, q, time.Now()) })
	if handler != decap {
		t.Errorf("phase 0 allocates %v times, Decapsulate alone %v", handler, decap)
	}
	t.Logf("phase-0 allocations: %v, all in mceliece Decapsulate", handler)
}

// readHook is a client PacketConn that calls hook after every datagram read.
type readHook struct {
	net.PacketConn
	hook func(n int)
}

func (r *readHook) ReadFrom(b []byte) (int, net.Addr, error) {
	n, a, err := r.PacketConn.ReadFrom(b)
	if err == nil {
		r.hook(n)
	}
	return n, a, err
}

// TestServerRestart stops the server in the middle of the client's phase 1
// and starts a new Server from the same state directory on the same socket:
// it opens the cookies its predecessor issued and the client finishes.
func TestServerRestart(t *testing.T) {
	dir := stateDir(t)
	s1 := newTestServer(t, dir)
	sc := listenUDP(t)
	stop1 := serve(t, s1, sc)
	var s2 *Server
	var restarted sync.WaitGroup
	restarted.Add(1)
	var replies atomic.Int32
	cc := &readHook{PacketConn: listenUDP(t), hook: func(n int) {
		if n == R1Size && replies.Add(1) == 300 {
			go func() {
				defer restarted.Done()
				stop1()
				time.Sleep(50 * time.Millisecond) // queries in between are lost
				s2 = newTestServer(t, dir)
				serve(t, s2, sc)
			}()
		}
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := Exchange(ctx, cc, sc.LocalAddr(), s1.PublicKey(), &ClientConfig{MinRTO: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	restarted.Wait()
	checkResult(t, s2, res)
	st1, st2 := s1.Stats(), s2.Stats()
	t.Logf("old server replies %v, new server replies %v, client %+v", st1.Replies, st2.Replies, res.Stats)
	if st1.Replies[0] != 1 || st2.Replies[0] != 0 {
		t.Errorf("phase 0 answered by old %d / new %d, want 1 / 0", st1.Replies[0], st2.Replies[0])
	}
	if st2.Replies[1] == 0 || st1.Replies[2]+st2.Replies[2] < Pieces || st2.Replies[3] == 0 {
		t.Errorf("new server answered %v, want phase 1 to 3", st2.Replies)
	}
	if st2.Dropped["auth"] != 0 {
		t.Errorf("new server rejected %d cookies of its predecessor", st2.Dropped["auth"])
	}
}

// TestFlood floods the server with forged packets of every query length
// and with replays of the legitimate client's queries while that client
// runs: the client completes, the forgeries are dropped, and the UDP
// packet loop allocates nothing per packet.
func TestFlood(t *testing.T) {
	s := newTestServer(t, stateDir(t))
	sc := listenUDP(t)
	serve(t, s, sc)
	server := sc.LocalAddr().(*net.UDPAddr).AddrPort()

	// 1. Allocation: a burst of forged packets through Serve.
	fc := listenUDP(t)
	forged := make([][]byte, 0, 4)
	for _, n := range []int{Q0Size, Q1Size, Q2Size, Q3Size, 77} {
		p := make([]byte, n)
		rand.Read(p)
		if n == Q1Size {
			p[n-2], p[n-1] = 4, n23Phase1+2 // passes the nonce check
		}
		forged = append(forged, p)
	}
	const burst = 20000
	dropped := func() uint64 {
		var n uint64
		for d := range s.stats.drops {
			n += s.stats.drops[d].Load()
		}
		return n
	}
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	before := dropped()
	sent := 0
	for sent < burst {
		for _, p := range forged {
			fc.WriteToUDPAddrPort(p, server)
			sent++
		}
		if sent%50 == 0 {
			time.Sleep(time.Millisecond) // stay within the socket buffer
		}
	}
	// Wait until the handlers have drained the socket.
	for last := uint64(0); dropped() != last || last == 0; {
		last = dropped()
		time.Sleep(100 * time.Millisecond)
	}
	runtime.ReadMemStats(&ms1)
	got := dropped() - before
	allocs := ms1.Mallocs - ms0.Mallocs
	t.Logf("%d forged packets dropped, %d heap allocations in the process meanwhile", got, allocs)
	if got < burst/2 {
		t.Fatalf("only %d of %d forged packets reached the handler", got, burst)
	}
	if allocs > got/100 {
		t.Errorf("%d allocations for %d packets", allocs, got)
	}

	// 2. A legitimate client under a flood of forgeries and replays.
	var replay struct {
		sync.Mutex
		pkts [][]byte
	}
	cc := &writeHook{PacketConn: listenUDP(t), hook: func(p []byte) {
		replay.Lock()
		if len(replay.pkts) < 64 {
			replay.pkts = append(replay.pkts, bytes.Clone(p))
		}
		replay.Unlock()
	}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			fc.WriteToUDPAddrPort(forged[i%len(forged)], server)
			replay.Lock()
			if len(replay.pkts) > 0 {
				fc.WriteToUDPAddrPort(replay.pkts[i%len(replay.pkts)], server)
			}
			replay.Unlock()
			if i%50 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	})
	// Let the flood reach a steady state before the client starts, so the
	// whole exchange runs under it however fast the exchange is.
	before = dropped()
	for deadline := time.Now().Add(30 * time.Second); dropped()-before < 500; {
		if time.Now().After(deadline) {
			t.Fatalf("flood never reached the handler: %d drops in 30 s", dropped()-before)
		}
		time.Sleep(5 * time.Millisecond)
	}
	before = dropped()
	ectx, ecancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer ecancel()
	res, err := Exchange(ectx, cc, sc.LocalAddr(), s.PublicKey(), nil)
	cancel()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, s, res)
	t.Logf("under flood: %d packets dropped; client %+v", dropped()-before, res.Stats)
	// The exchange is fast (≈100 ms); the flood drops ≈5 packets per
	// millisecond here, so fewer than 100 means it did not overlap.
	if dropped()-before < 100 {
		t.Errorf("flood too weak: %d drops during the exchange", dropped()-before)
	}
}

// writeHook is a client PacketConn that shows hook every datagram written.
type writeHook struct {
	net.PacketConn
	hook func(p []byte)
}

func (w *writeHook) WriteTo(p []byte, a net.Addr) (int, error) {
	w.hook(p)
	return w.PacketConn.WriteTo(p, a)
}

var _ = netip.AddrPort{}
