package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pqssh/pqssh/mctiny"
)

// runFlood runs one flood per rate in rates against a server child with
// the given puzzle settings.
func runFlood(state, rates string, puzzleRate int, puzzleBits string, d time.Duration, logins int) error {
	if state == "" {
		dir, err := os.MkdirTemp("", "mctiny-flood")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		state = dir
	}
	p, err := startServer(state, "-puzzle-rate", strconv.Itoa(puzzleRate), "-puzzle-bits", puzzleBits)
	if err != nil {
		return err
	}
	defer p.cmd.Process.Kill()
	key, err := mctiny.GenerateOneTimeKey()
	if err != nil {
		return err
	}
	q0, err := mctiny.NewPhase0Query(p.pk)
	if err != nil {
		return err
	}
	puz := "off"
	if puzzleRate > 0 {
		puz = fmt.Sprintf("on (rate %d/s, bits %s)", puzzleRate, puzzleBits)
	}
	fmt.Printf("puzzles %s; %v per flood; %d legitimate exchanges per flood, one after the other\n", puz, d, logins)
	fmt.Printf("%10s %10s %10s %9s %12s %12s %9s %7s\n", "attack/s", "sent/s", "replies/s", "srv CPU", "login p50", "login max", "logins ok", "puzzles")
	for _, f := range strings.Split(rates, ",") {
		rate := 0
		if f = strings.TrimSpace(f); f != "max" {
			if rate, err = strconv.Atoi(f); err != nil || rate <= 0 {
				return fmt.Errorf("bad -flood entry %q", f)
			}
		}
		if err := flood(p, key, q0, rate, d, logins); err != nil {
			return err
		}
		time.Sleep(3 * time.Second) // let the server's load estimate settle
	}
	return nil
}

// flood sends q0 at rate per second (0: as fast as it can) from four
// sockets for d, while running legitimate exchanges one after the other.
func flood(p *proc, key *mctiny.OneTimeKey, q0 []byte, rate int, d time.Duration, logins int) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var sent, replies atomic.Int64
	var wg sync.WaitGroup
	const senders = 4
	for range senders {
		conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return err
		}
		defer conn.Close()
		wg.Go(func() { // count the replies, then drop them
			buf := make([]byte, 2048)
			for {
				conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
				if _, _, err := conn.ReadFrom(buf); err == nil {
					replies.Add(1)
				} else if ctx.Err() != nil {
					return
				}
			}
		})
		wg.Go(func() {
			start := time.Now()
			var n int64
			for ctx.Err() == nil {
				if rate > 0 {
					due := int64(time.Since(start).Seconds() * float64(rate) / senders)
					if n >= due {
						time.Sleep(time.Millisecond)
						continue
					}
				}
				if _, err := conn.WriteTo(q0, p.addr); err == nil {
					n++
					sent.Add(1)
				}
			}
		})
	}
	time.Sleep(1500 * time.Millisecond) // the flood is on, puzzles (if any) too
	cpu0, t0 := p.cpu(), time.Now()
	sent0, rep0 := sent.Load(), replies.Load()
	var lat []time.Duration
	puzzles, ok := 0, 0
	for range logins {
		if ctx.Err() != nil {
			break
		}
		conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return err
		}
		res, err := mctiny.Exchange(ctx, conn, p.addr, p.pk, &mctiny.ClientConfig{OneTimeKey: key, MaxTries: 20})
		conn.Close()
		if err != nil {
			continue
		}
		ok++
		puzzles += res.Stats.Puzzles
		lat = append(lat, res.Stats.Total)
	}
	<-ctx.Done()
	el := time.Since(t0).Seconds()
	cpu := (p.cpu() - cpu0).Seconds() / el
	sentRate := float64(sent.Load()-sent0) / el
	repRate := float64(replies.Load()-rep0) / el
	wg.Wait()
	slices.Sort(lat)
	p50, mx := "-", "-"
	if len(lat) > 0 {
		p50 = lat[len(lat)/2].Round(time.Millisecond).String()
		mx = lat[len(lat)-1].Round(time.Millisecond).String()
	}
	name := "max"
	if rate > 0 {
		name = strconv.Itoa(rate)
	}
	fmt.Printf("%10s %10.0f %10.0f %8.0f%% %12s %12s %6d/%-2d %7d\n", name, sentRate, repRate, 100*cpu, p50, mx, ok, logins, puzzles)
	return nil
}
