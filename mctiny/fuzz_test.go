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
