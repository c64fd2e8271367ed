package mctiny

import (
	"bytes"
	"crypto/rand"
	"testing"
)

// FuzzHandle feeds arbitrary datagrams, seeded with valid queries of every
// phase, to the server and to the client's reply parser: neither panics,
// and the server answers only with a reply of the length of its phase.
func FuzzHandle(f *testing.F) {
	s := newServerWithoutKEM(f, f.TempDir())
	pk := make([]byte, PublicKeySize)
	rand.Read(pk)
	c, _ := fakePhase0(f, s, pk)
	// Phase-2 and phase-3 seeds carry zero cookies and syndrome: they are
	// well formed and authentic under S, and fail only at the inner cookies.
	for _, q := range []int{qPhase1, qPhase1 + 100, qPhase2, qPhase3} {
		f.Add(bytes.Clone(c.packet(q)))
	}
	f.Add(make([]byte, Q0Size))
	f.Add([]byte{})
	replyLen := map[int]int{Q0Size: R0Size, Q1Size: R1Size, Q2Size: R2Size, Q3Size: R3Size}
	dst := make([]byte, 0, MaxPacketSize)
	f.Fuzz(func(t *testing.T, pkt []byte) {
		if len(pkt) == Q0Size {
			return // phase 0 needs the long-term key; covered by TestPhase0
		}
		reply, ok := s.Handle(dst, pkt, t0)
		if ok && len(reply) != replyLen[len(pkt)] {
			t.Fatalf("reply of %d bytes to a %d-byte query", len(reply), len(pkt))
		}
		// The client ignores anything that is not an authentic reply to a
		// query in flight.
		cl := *c
		for q := range cl.qs {
			cl.qs[q].state = qInflight
		}
		if done, err := cl.receive(pkt, t0, true); done || err != nil {
			if ok {
				return
			}
			t.Fatalf("client accepted a forged packet: done=%v err=%v", done, err)
		}
	})
}

// FuzzPuzzle varies the puzzle fields: the solution n' ‖ z' and the
// client's address in a query Q0', and an arbitrary puzzle reply for the
// client. The server never panics, accepts a solution at most once, and
// then only the one it posed; the client never panics and solves only
// puzzles that echo its R.
func FuzzPuzzle(f *testing.F) {
	s := newTestServer(f, stateDir(f))
	forcePuzzles(f, s, 4)
	tp := clock(s)
	c := puzzleClient(f, s)
	dst := make([]byte, 0, MaxPacketSize)
	p0, ok := s.HandleFrom(dst, c.q0, clientA, tp)
	if !ok {
		f.Fatal("no puzzle")
	}
	p0 = bytes.Clone(p0)
	q := solve(f, c, p0)
	valid := bytes.Clone(q[TagSize+solvedExtensionSize : TagSize+ExtensionSize])
	f.Add(valid, byte(0), p0)
	f.Add(make([]byte, SolutionSize), byte(1), make([]byte, P0Size))
	fresh := puzzleClient(f, s) // a client whose Q0 is in flight
	var accepted int
	f.Fuzz(func(t *testing.T, sol []byte, addr byte, reply []byte) {
		pkt := bytes.Clone(q)
		copy(pkt[TagSize+solvedExtensionSize:TagSize+ExtensionSize], sol)
		from := clientA
		if addr&1 == 1 {
			from = clientB
		}
		r, ok := s.HandleFrom(dst, pkt, from, tp)
		if ok {
			accepted++
			if accepted > 1 || len(r) != R0Size || from != clientA ||
				!bytes.Equal(pkt[TagSize+solvedExtensionSize:TagSize+ExtensionSize], valid) {
				t.Fatalf("accepted solution %x from %v (%d accepted)", sol, from, accepted)
			}
		}
		if z, err := ParsePuzzle(reply); err == nil && z.Bits > 12 {
			return // keep each run fast
		}
		cl := *fresh
		cl.inflight = []int{qPhase0}
		cl.urgent = nil
		cl.receive(reply, tp, false)
		if cl.stats.Puzzles > 0 && !bytes.Equal(reply[2*PuzzleValueSize+PuzzleNonceSize+1:P0Size-2], cl.R[:]) {
			t.Fatal("client solved a puzzle for another query")
		}
	})
}
