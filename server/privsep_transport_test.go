package server

import (
	"bytes"
	"encoding/binary"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

func testTransportState() *gossh.TransportState {
	algs := gossh.NegotiatedAlgorithms{KeyExchange: "mlkem768x25519-sha256", HostKey: gossh.KeyAlgoED25519}
	algs.Read.Cipher, algs.Write.Cipher = gossh.CipherAES128GCM, gossh.CipherAES128GCM
	return &gossh.TransportState{
		SessionID: bytes.Repeat([]byte{7}, 32), ClientVersion: []byte("SSH-2.0-c"), ServerVersion: []byte("SSH-2.0-s"),
		Algorithms: algs,
		Read:       gossh.DirectionState{Key: make([]byte, 16), IV: make([]byte, 12), Seq: 9},
		Write:      gossh.DirectionState{Key: make([]byte, 16), IV: make([]byte, 12), Seq: 11},
		Buffered:   []byte("next packet"),
	}
}

// TestTransportFrameRoundTrip: what the network process sends in a
// psTransport frame is what the monitor reads.
func TestTransportFrameRoundTrip(t *testing.T) {
	body := marshalTransport(psTransportMsg{In: 1234, Out: 5678, State: testTransportState()})
	m, err := parseTransport(body)
	if err != nil {
		t.Fatal(err)
	}
	want := testTransportState()
	if m.In != 1234 || m.Out != 5678 || !bytes.Equal(m.State.SessionID, want.SessionID) ||
		m.State.Read.Seq != 9 || m.State.Write.Seq != 11 || !bytes.Equal(m.State.Buffered, want.Buffered) ||
		m.State.Algorithms.Read.Cipher != gossh.CipherAES128GCM {
		t.Fatalf("parsed %+v", m)
	}
}

// TestTransportFrameUntrusted: the monitor refuses, without panicking,
// every truncation of a psTransport body, negative byte counts, bodies
// too large and bytes that are no state.
func TestTransportFrameUntrusted(t *testing.T) {
	body := marshalTransport(psTransportMsg{In: 1, Out: 2, State: testTransportState()})
	for i := range len(body) {
		if _, err := parseTransport(body[:i]); err == nil {
			t.Fatalf("truncated body (%d of %d bytes) accepted", i, len(body))
		}
	}
	neg := bytes.Clone(body)
	binary.BigEndian.PutUint64(neg[:8], 1<<63)
	if _, err := parseTransport(neg); err == nil {
		t.Fatal("negative byte count accepted")
	}
	big := append(bytes.Clone(body[:16]), make([]byte, gossh.MaxTransportStateSize+1)...)
	if _, err := parseTransport(big); err == nil {
		t.Fatal("oversized state accepted")
	}
	junk := append(bytes.Clone(body), 0)
	if _, err := parseTransport(junk); err == nil {
		t.Fatal("state with trailing bytes accepted")
	}
	flipped := bytes.Clone(body)
	binary.BigEndian.PutUint32(flipped[16:20], 99) // format version
	if _, err := parseTransport(flipped); err == nil {
		t.Fatal("state of an unknown format version accepted")
	}
}

// FuzzTransportFrame: no psTransport body makes the monitor panic.
func FuzzTransportFrame(f *testing.F) {
	f.Add(marshalTransport(psTransportMsg{In: 1, Out: 2, State: testTransportState()}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		parseTransport(b)
	})
}
