package mctiny

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"
)

// recordExchange runs one exchange over a lossless in-memory link and
// returns the server, the time of the exchange, and every distinct query
// the client sent, in order.
func recordExchange(b *testing.B) (*Server, time.Time, [][]byte) {
	b.Helper()
	s := newTestServer(b, stateDir(b))
	cc, sc := memPipe(0, 1)
	serve(b, s, sc)
	var mu sync.Mutex
	seen := map[[2]byte]bool{}
	var pkts [][]byte
	hook := &writeHook{PacketConn: cc, hook: func(p []byte) {
		mu.Lock()
		defer mu.Unlock()
		k := [2]byte{p[len(p)-2], p[len(p)-1]}
		if len(p) == Q1Size || !seen[k] { // phase-1 positions repeat per row
			seen[k] = true
			pkts = append(pkts, bytes.Clone(p))
		}
	}}
	now := time.Now()
	if _, err := Exchange(context.Background(), hook, sc.LocalAddr(), s.PublicKey(), nil); err != nil {
		b.Fatal(err)
	}
	return s, now, pkts
}

// BenchmarkServerExchange measures the server's CPU time for one complete
// exchange: the 971 queries of a recorded exchange replayed through
// Handle on one goroutine (the server is stateless, so a replay costs what
// the original did).
func BenchmarkServerExchange(b *testing.B) {
	s, now, pkts := recordExchange(b)
	if len(pkts) < Queries {
		b.Fatalf("recorded %d queries, want %d", len(pkts), Queries)
	}
	dst := make([]byte, 0, MaxPacketSize)
	var phase0, rest time.Duration
	for b.Loop() {
		t := time.Now()
		for i, p := range pkts {
			if _, ok := s.Handle(dst, p, now); !ok {
				b.Fatalf("query %d dropped", i)
			}
			if i == 0 {
				phase0 += time.Since(t)
			}
		}
		rest += time.Since(t)
	}
	n := float64(b.N)
	b.ReportMetric(float64(phase0.Microseconds())/1e3/n, "ms-phase0/op")
	b.ReportMetric(float64((rest-phase0).Microseconds())/1e3/n, "ms-phase1-3/op")
}

// BenchmarkServerPhase1 is the cost of one phase-1 query.
func BenchmarkServerPhase1(b *testing.B) {
	s, now, pkts := recordExchange(b)
	dst := make([]byte, 0, MaxPacketSize)
	p := pkts[1]
	for b.Loop() {
		s.Handle(dst, p, now)
	}
}

// BenchmarkClientExchange measures the client's wall time for a whole
// exchange against a server on loopback UDP, without one-time key
// generation (BenchmarkOneTimeKeyGen), and the bytes each way.
func BenchmarkClientExchange(b *testing.B) {
	s := newTestServer(b, stateDir(b))
	sc := listenUDP(b)
	serve(b, s, sc)
	cc := listenUDP(b)
	key, err := GenerateOneTimeKey()
	if err != nil {
		b.Fatal(err)
	}
	var sent, recv, retrans int
	for b.Loop() {
		res, err := Exchange(context.Background(), cc, sc.LocalAddr(), s.PublicKey(), &ClientConfig{OneTimeKey: key})
		if err != nil {
			b.Fatal(err)
		}
		sent += res.Stats.BytesSent
		recv += res.Stats.BytesReceived
		retrans += res.Stats.Retransmissions
	}
	b.ReportMetric(float64(sent)/float64(b.N), "bytes-to-server/op")
	b.ReportMetric(float64(recv)/float64(b.N), "bytes-to-client/op")
	b.ReportMetric(float64(retrans)/float64(b.N), "retransmissions/op")
}

// BenchmarkOneTimeKeyGen is the client's one-time key generation, which
// overlaps phase 0.
func BenchmarkOneTimeKeyGen(b *testing.B) {
	for b.Loop() {
		if _, err := GenerateOneTimeKey(); err != nil {
			b.Fatal(err)
		}
	}
}
