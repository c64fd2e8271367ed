// Command mctiny-load measures a McTiny server's memory and CPU against the
// number of concurrent clients: it starts the server as a child process
// (so that its resident set is its own), runs batches of concurrent client
// exchanges against it over loopback UDP, and reports for each batch the
// server's peak RSS and its CPU time per exchange.
//
//	mctiny-load -clients 1,10,100,1000 [-state DIR] [-window 8]
//
// With -flood, it measures instead the server under a flood of well-formed
// phase-0 queries (one valid query, replayed, each costing a decapsulation
// unless the server answers with a puzzle): for each attack rate it
// reports the rate achieved, the server's CPU use, and the latency of
// legitimate exchanges run one after the other during the flood.
//
//	mctiny-load -flood 1000,5000,max -puzzle-rate 200 [-flood-time 5s] [-logins 5]
//
// All clients share one one-time key pair, generated once: key generation
// costs about a second and does not touch the server, and reusing a
// one-time key is acceptable only in a load test.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pqssh/pqssh/mctiny"
)

func main() {
	serve := flag.Bool("serve", false, "run as the server child (internal)")
	state := flag.String("state", "", "server state directory (default: a temporary one)")
	clients := flag.String("clients", "1,10,100,1000", "comma-separated batch sizes of concurrent clients")
	window := flag.Int("window", 8, "maximum queries in flight per client")
	timeout := flag.Duration("timeout", 10*time.Minute, "time limit per batch")
	flood := flag.String("flood", "", "comma-separated attack rates in phase-0 queries per second (max: as fast as possible)")
	puzzleRate := flag.Int("puzzle-rate", 0, "server's puzzle threshold in phase-0 queries per second (0: no puzzles)")
	puzzleBits := flag.String("puzzle-bits", "12:24", "server's puzzle difficulty bounds min:max")
	floodTime := flag.Duration("flood-time", 5*time.Second, "duration of each flood")
	logins := flag.Int("logins", 5, "legitimate exchanges per flood, one after the other")
	flag.Parse()
	var lo, hi int
	if _, err := fmt.Sscanf(*puzzleBits, "%d:%d", &lo, &hi); err != nil {
		fmt.Fprintln(os.Stderr, "mctiny-load: bad -puzzle-bits")
		os.Exit(2)
	}
	pc := mctiny.PuzzleConfig{Rate: float64(*puzzleRate), MinBits: lo, MaxBits: hi}
	if *serve {
		if err := runServer(*state, pc); err != nil {
			fmt.Fprintln(os.Stderr, "mctiny-load server:", err)
			os.Exit(1)
		}
		return
	}
	if *flood != "" {
		err := runFlood(*state, *flood, *puzzleRate, *puzzleBits, *floodTime, *logins)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mctiny-load:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*state, *clients, *window, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "mctiny-load:", err)
		os.Exit(1)
	}
}

// runServer is the child: it serves on a loopback port, prints the port
// on stdout and serves until stdin closes.
func runServer(state string, pc mctiny.PuzzleConfig) error {
	s, err := mctiny.NewServer(state, &mctiny.ServerConfig{Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)), Puzzles: pc})
	if err != nil {
		return err
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	conn.SetReadBuffer(4 << 20) // best effort; capped by net.core.rmem_max
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer cancel()
	go func() {
		io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	fmt.Println(conn.LocalAddr().String())
	return s.Serve(ctx, conn)
}

type proc struct {
	cmd  *exec.Cmd
	addr *net.UDPAddr
	pk   []byte
}

func startServer(state string, args ...string) (*proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{"-serve", "-state", state}, args...)...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	_ = stdin // closed when the parent exits
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("server did not start: %w", err)
	}
	addr, err := net.ResolveUDPAddr("udp", strings.TrimSpace(line))
	if err != nil {
		return nil, err
	}
	pk, err := os.ReadFile(state + "/" + mctiny.PublicKeyFile)
	if err != nil {
		return nil, err
	}
	return &proc{cmd: cmd, addr: addr, pk: pk}, nil
}

// rss returns the child's resident set in bytes.
func (p *proc) rss() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpu returns the child's user+system CPU time.
func (p *proc) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

func run(state, clients string, window int, timeout time.Duration) error {
	if state == "" {
		d, err := os.MkdirTemp("", "mctiny-load")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		state = d
	}
	var sizes []int
	for _, f := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return fmt.Errorf("bad -clients entry %q", f)
		}
		sizes = append(sizes, n)
	}
	fmt.Fprintln(os.Stderr, "starting server (generates its long-term key on first start) ...")
	p, err := startServer(state)
	if err != nil {
		return err
	}
	defer p.cmd.Process.Kill()
	fmt.Fprintln(os.Stderr, "generating the shared one-time key ...")
	key, err := mctiny.GenerateOneTimeKey()
	if err != nil {
		return err
	}
	time.Sleep(200 * time.Millisecond)
	fmt.Printf("server idle RSS: %.1f MiB\n", float64(p.rss())/(1<<20))
	fmt.Printf("%8s %9s %7s %9s %14s %14s %15s %12s\n", "clients", "completed", "failed", "wall", "RSS before", "RSS peak", "server CPU/exch", "retransmits")
	for _, n := range sizes {
		if err := batch(p, key, n, window, timeout); err != nil {
			return err
		}
	}
	return nil
}

func batch(p *proc, key *mctiny.OneTimeKey, n, window int, timeout time.Duration) error {
	before := p.rss()
	cpu0 := p.cpu()
	var peak atomic.Int64
	peak.Store(before)
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if r := p.rss(); r > peak.Load() {
					peak.Store(r)
				}
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var ok, failed, retrans atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
				return
			}
			defer conn.Close()
			res, err := mctiny.Exchange(ctx, conn, p.addr, p.pk, &mctiny.ClientConfig{
				OneTimeKey: key, MaxWindow: window, MaxTries: 20,
			})
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
				return
			}
			ok.Add(1)
			retrans.Add(int64(res.Stats.Retransmissions))
		})
	}
	wg.Wait()
	wall := time.Since(start)
	close(stop)
	sampler.Wait()
	cpu := p.cpu() - cpu0
	per := time.Duration(0)
	if ok.Load() > 0 {
		per = cpu / time.Duration(ok.Load())
	}
	fmt.Printf("%8d %9d %7d %9s %10.1f MiB %10.1f MiB %15s %12d\n", n, ok.Load(), failed.Load(),
		wall.Round(time.Millisecond), float64(before)/(1<<20), float64(peak.Load())/(1<<20), per.Round(100*time.Microsecond), retrans.Load())
	if e := firstErr.Load(); e != nil {
		fmt.Fprintln(os.Stderr, "first failure:", e)
	}
	return nil
}
