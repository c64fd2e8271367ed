package mctiny

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Serve answers McTiny queries arriving on conn until ctx is done, with
// ServerConfig.Workers goroutines each owning its scratch memory, so that
// the packet loop allocates nothing (on a *net.UDPConn; other PacketConns
// may allocate addresses in their own ReadFrom). Invalid packets get no
// reply; every LogInterval in which packets were dropped, one summary line
// is logged. Serve does not close conn. It returns nil when ctx is done and
// the first read error otherwise.
func (s *Server) Serve(ctx context.Context, conn net.PacketConn) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A previous Serve on conn may have left a deadline in the past.
	if err := conn.SetReadDeadline(time.Time{}); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()

	var wg sync.WaitGroup
	wg.Go(func() { s.logLoop(ctx) })
	errc := make(chan error, s.nwork)
	for range s.nwork {
		wg.Go(func() {
			if err := s.loop(ctx, conn, s.newWorker()); err != nil {
				errc <- err
				cancel()
			}
		})
	}
	wg.Wait()
	close(errc)
	return <-errc // nil if every loop ended because ctx was done
}

func (s *Server) loop(ctx context.Context, conn net.PacketConn, w *worker) error {
	buf := make([]byte, MaxPacketSize+1) // a longer datagram reads as too long
	out := make([]byte, 0, MaxPacketSize)
	uc, isUDP := conn.(*net.UDPConn)
	for {
		var n int
		var err error
		var addr net.Addr
		if isUDP {
			var ap netip.AddrPort
			n, ap, err = uc.ReadFromUDPAddrPort(buf)
			if err == nil {
				reply, ok := s.handle(w, out, buf[:n], ap.Addr().Unmap(), time.Now())
				if ok {
					uc.WriteToUDPAddrPort(reply, ap) // a lost reply is a lost packet
				}
				continue
			}
		} else {
			n, addr, err = conn.ReadFrom(buf)
			if err == nil {
				var from netip.Addr
				if ua, ok := addr.(*net.UDPAddr); ok {
					from = ua.AddrPort().Addr().Unmap()
				}
				reply, ok := s.handle(w, out, buf[:n], from, time.Now())
				if ok {
					conn.WriteTo(reply, addr)
				}
				continue
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			continue
		}
		return err
	}
}

// logLoop writes one summary line per interval in which packets were
// dropped, so that a flood costs one log line per interval; with puzzles,
// it adjusts the difficulty every second, logs each change, and logs the
// puzzle counts once per interval in which puzzles were posed or solved.
func (s *Server) logLoop(ctx context.Context) {
	t := time.NewTicker(s.logInt)
	defer t.Stop()
	// The puzzle difficulty is adjusted every second even when no
	// phase-0 query arrives, and each change is logged.
	var sec <-chan time.Time
	if s.puz != nil {
		pt := time.NewTicker(tickInterval)
		defer pt.Stop()
		sec = pt.C
	}
	var last [numDrops]uint64
	var lastReplies [4]uint64
	var lastPuz PuzzleStats
	lastBits := 0
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-sec:
			// The packet path adjusts w too; log whoever changed it.
			s.puz.tick(now)
			if b := int(s.puz.w.Load()); b != lastBits {
				lastBits = b
				lastPuz = s.logPuzzles("mctiny: puzzle difficulty changed", lastPuz)
			}
			continue
		case <-t.C:
		}
		if s.puz != nil {
			if st := s.Stats().Puzzles; st != lastPuz && (st.Posed != lastPuz.Posed || st.Solved != lastPuz.Solved || st.Failed != lastPuz.Failed) {
				lastPuz = s.logPuzzles("mctiny: puzzles", lastPuz)
			}
		}
		var attrs []any
		var total uint64
		for d := dropLength; d < numDrops; d++ {
			n := s.stats.drops[d].Load()
			if n != last[d] {
				attrs = append(attrs, dropNames[d], n-last[d])
				total += n - last[d]
			}
			last[d] = n
		}
		var answered uint64
		for i := range lastReplies {
			n := s.stats.replies[i].Load()
			answered += n - lastReplies[i]
			lastReplies[i] = n
		}
		if total > 0 {
			attrs = append([]any{"dropped", total, "answered", answered, "interval", s.logInt}, attrs...)
			s.log.Warn("mctiny: dropped invalid packets", attrs...)
		}
	}
}

// logPuzzles logs, at INFO, the phase-0 load, the current difficulty and
// the puzzle counts (cumulative, and since the previous line), and returns
// the counts logged.
func (s *Server) logPuzzles(msg string, prev PuzzleStats) PuzzleStats {
	st := s.Stats().Puzzles
	s.log.Info(msg,
		"load_per_s", int64(st.Load+0.5), "rate_per_s", int64(s.puz.rate), "bits", st.Bits,
		"posed", st.Posed, "solved", st.Solved, "failed", st.Failed,
		"posed_since", st.Posed-prev.Posed, "solved_since", st.Solved-prev.Solved, "failed_since", st.Failed-prev.Failed)
	return st
}
