package server

import (
	"bufio"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestDailyLimitsHoldUnderLoad is the bounded daily-driver load test on
// loopback: 60 idle unauthenticated connections against MaxStartups 10 (at
// most 10 get a banner, the rest are dropped at once, LoginGraceTime closes
// the 10), then 24 concurrent clients that log in (retrying while
// MaxStartups drops some handshakes) and each open MaxSessions sessions (one
// more is refused), 12 concurrent clients with unknown keys (refused after
// MaxAuthTries), and afterwards no goroutine is left behind.
func TestDailyLimitsHoldUnderLoad(t *testing.T) {
	e := startServer(t, "", "MaxStartups 10\nLoginGraceTime 2\nMaxSessions 3\nMaxAuthTries 2")
	// Let the listener goroutines start before the baseline.
	e.mustDial().Close()
	time.Sleep(100 * time.Millisecond)
	baseline := runtime.NumGoroutine()

	// Phase 1: idle connections.
	var banners, dropped atomic.Int32
	var wg sync.WaitGroup
	for range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", e.addr)
			if err != nil {
				dropped.Add(1)
				return
			}
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(15 * time.Second))
			r := bufio.NewReader(c)
			if _, err := r.ReadString('\n'); err == nil {
				banners.Add(1)
			} else {
				dropped.Add(1)
			}
			// Whether served or dropped, the server closes it: at once or
			// after LoginGraceTime (2 s); a timeout means it did not.
			if _, err := io.Copy(io.Discard, r); err != nil {
				t.Errorf("idle connection not closed by the server: %v", err)
			}
		}()
	}
	wg.Wait()
	if banners.Load() > 10 || banners.Load()+dropped.Load() != 60 {
		t.Fatalf("%d idle connections got a banner and %d were dropped; want at most 10 served (MaxStartups 10)", banners.Load(), dropped.Load())
	}
	e.logs.waitLog(t, "LoginGraceTime")
	e.logs.waitLog(t, "MaxStartups")

	// Phase 2: concurrent logins with sessions up to MaxSessions.
	for range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			for try := 0; try < 100; try++ {
				c, derr := e.dial(e.user, e.key)
				if derr != nil {
					err = derr // dropped by MaxStartups while others handshake
					time.Sleep(time.Duration(10+try*5) * time.Millisecond)
					continue
				}
				defer c.Close()
				for i := range 3 {
					s, serr := c.NewSession()
					if serr != nil {
						t.Errorf("session %d of MaxSessions 3 refused: %v", i+1, serr)
						return
					}
					defer s.Close()
				}
				if _, serr := c.NewSession(); serr == nil {
					t.Error("a fourth session was accepted with MaxSessions 3")
				}
				return
			}
			t.Errorf("no login within 100 tries: %v", err)
		}()
	}
	// Phase 3, at the same time: unknown keys.
	var refused atomic.Int32
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for try := 0; try < 100; try++ {
				c, err := e.dial(e.user, newSigner(t))
				if err == nil {
					c.Close()
					t.Error("login with an unknown key")
					return
				}
				if e.isAuthRefusal(err) {
					refused.Add(1)
					return
				}
				time.Sleep(time.Duration(10+try*5) * time.Millisecond)
			}
			t.Error("an unknown key was never refused by authentication (always dropped?)")
		}()
	}
	wg.Wait()
	if refused.Load() != 12 {
		t.Errorf("%d of 12 unknown keys refused", refused.Load())
	}

	// Afterwards the server holds nothing for the 96 connections.
	for i := 0; ; i++ {
		n := runtime.NumGoroutine()
		if n <= baseline+5 {
			break
		}
		if i > 500 {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines 10 s after the load, %d before:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// isAuthRefusal tells an authentication failure from a dropped connection.
func (e *testEnv) isAuthRefusal(err error) bool {
	return err != nil && strings.Contains(err.Error(), "unable to authenticate")
}
