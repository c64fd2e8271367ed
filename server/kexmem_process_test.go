package server

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pqssh/pqssh/kex"
)

// Memory held by hostile connections before authentication, measured as
// the VmRSS of a pqsshd process serving them all (pqsshd -r).
//
// The bound asserted is UnauthenticatedKexMemory plus hostilePerConn for
// each of the MaxStartups (hostileMaxStartups) connections plus
// hostileSlack:
//
//   - hostilePerConn (256 KiB) is what one connection may hold besides its
//     reservation: three goroutine stacks, bufio buffers of 4 KiB each
//     way, a cleartext packet of at most 35000 bytes (the gate) or an
//     encrypted one of at most 35000 (PreAuthMaxPacket) with its copy, and
//     a KEXINIT of at most 32 KiB with at most 256 names per list, kept
//     raw and parsed until the exchange ends (measured: about 100 KiB for
//     the most costly KEXINIT the bounds allow, boundedKexInit);
//   - hostileSlack (16 MiB) is the Go runtime's room to collect garbage
//     (GOGC 100 lets the heap grow to twice the live heap before a
//     collection) on top of the process's baseline, which is measured
//     before the connections are opened.
const (
	hostileConns       = 100
	hostileMaxStartups = hostileConns + 10 // room for logins meanwhile
	hostilePerConn     = 256 << 10
	hostileSlack       = 16 << 20
	hostileBudget      = 16 << 20 // UnauthenticatedKexMemory of the tests
)

// hostileDaemon starts pqsshd with a 16 MiB budget, room for hostileConns
// unauthenticated connections and a LoginGraceTime longer than any test,
// and measures its VmRSS after a warm-up login.
func hostileDaemon(t *testing.T) (d *daemon, base int64) {
	t.Helper()
	// -r: every connection in the one process measured.
	d = startPlainDaemon(t, fmt.Sprintf("UnauthenticatedKexMemory %d\nMaxStartups %d\nLoginGraceTime 600\n", hostileBudget, hostileMaxStartups), "-r")
	if err := d.login(kex.MLKEM768X25519SHA256); err != nil {
		t.Fatalf("warm-up login: %v", err)
	}
	return d, d.maxRSS()
}

// checkHostileRSS samples d's VmRSS and fails if it grew from base by more
// than the budget plus hostilePerConn per connection plus hostileSlack.
func checkHostileRSS(t *testing.T, d *daemon, base int64, what string) {
	t.Helper()
	peak := d.maxRSS()
	bound := int64(hostileBudget + hostileMaxStartups*hostilePerConn + hostileSlack)
	t.Logf("%s: VmRSS %.1f MiB -> %.1f MiB (+%.1f MiB; bound +%.1f MiB = budget %d MiB + %d x %d KiB + %d MiB)",
		what, float64(base)/(1<<20), float64(peak)/(1<<20), float64(peak-base)/(1<<20), float64(bound)/(1<<20),
		hostileBudget>>20, hostileMaxStartups, hostilePerConn>>10, hostileSlack>>20)
	if peak-base > bound {
		t.Errorf("%s: VmRSS grew by %d bytes, more than UnauthenticatedKexMemory %d + MaxStartups %d x %d + %d",
			what, peak-base, hostileBudget, hostileMaxStartups, hostilePerConn, hostileSlack)
	}
}

// TestKexMemoryHostileProcessRSS holds hostileConns hostile connections
// against a pqsshd process, half of them sending a huge first KEXINIT (1
// MB of names where the server offered McEliece and so accepts 1 MiB
// packets, 34,000 bytes elsewhere), half completing an mlkem768 exchange
// and then sending an encrypted rekey KEXINIT of 500,000 names. Each is
// closed with a log line, and the process's VmRSS stays within the
// budget plus the constant above. A second run holds the most costly
// connections the bounds allow (boundedKexInit, first or as a rekey, and
// McEliece exchanges left half-open where the budget admits them): the
// server keeps them all, within the same bound. Logins work throughout.
func TestKexMemoryHostileProcessRSS(t *testing.T) {
	t.Run("huge", func(t *testing.T) {
		d, base := hostileDaemon(t)
		var conns []*hostileConn
		var first, rekey int
		for i := range hostileConns {
			h, err := dialHostile(d.addr())
			if err != nil {
				t.Fatalf("connection %d: %v", i, err)
			}
			defer h.c.Close()
			conns = append(conns, h)
			if i%2 == 0 {
				first++
				size := 34000
				if slices.Contains(h.serverKex, kex.MCELIECE6688128X25519SHA512) {
					size = 1000000
				}
				h.writeClear(hostileKexInit([]string{kex.MCELIECE6688128X25519SHA512, kex.MLKEM768X25519SHA256}, size))
				continue
			}
			rekey++
			if err := h.keyExchange(hostileKexInit([]string{kex.MLKEM768X25519SHA256}, 0)); err != nil {
				t.Fatalf("connection %d: mlkem768 exchange: %v", i, err)
			}
			h.writeEncrypted(hostileKexInit([]string{kex.MLKEM768X25519SHA256}, 1000000))
		}
		checkHostileRSS(t, d, base, fmt.Sprintf("%d huge first KEXINITs, %d huge rekey KEXINITs", first, rekey))
		if err := d.login(kex.MLKEM768X25519SHA256); err != nil {
			t.Errorf("login with the hostile connections open: %v", err)
		}
		var wg sync.WaitGroup
		closed := make([]bool, len(conns))
		deadline := time.Now().Add(30 * time.Second)
		for i, h := range conns {
			wg.Go(func() { closed[i] = h.closedByServer(deadline) })
		}
		wg.Wait()
		if n := len(conns) - count(closed); n > 0 {
			t.Errorf("%d of %d hostile connections kept open by the server", n, len(conns))
		}
		logs := d.logs.String()
		gate := strings.Count(logs, "closing connection: client sent a")
		bound := strings.Count(logs, "closing connection: client exceeded a pre-authentication bound")
		t.Logf("log lines: %d from the gate, %d from the transport's bounds", gate, bound)
		if gate+bound < hostileConns {
			t.Errorf("%d log lines about closed hostile connections, want %d", gate+bound, hostileConns)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		d, base := hostileDaemon(t)
		var conns []*hostileConn
		var halfOpen int
		for i := range hostileConns {
			h, err := dialHostile(d.addr())
			if err != nil {
				t.Fatalf("connection %d: %v", i, err)
			}
			defer h.c.Close()
			conns = append(conns, h)
			switch i % 4 {
			case 0:
				// A McEliece SSH_MSG_KEX_ECDH_INIT but its last KiB
				// where the budget admits one, else a stalled mlkem768
				// exchange.
				if h.halfMcEliece() {
					halfOpen++
				}
			case 1:
				// The largest KEXINIT the bounds allow.
				h.writeClear(boundedKexInit())
			default:
				// The same as an encrypted rekey KEXINIT.
				if err := h.keyExchange(hostileKexInit([]string{kex.MLKEM768X25519SHA256}, 0)); err != nil {
					t.Fatalf("connection %d: mlkem768 exchange: %v", i, err)
				}
				h.writeEncrypted(boundedKexInit())
			}
		}
		checkHostileRSS(t, d, base, fmt.Sprintf("%d connections within the bounds (%d half-open McEliece exchanges)", hostileConns, halfOpen))
		if err := d.login(kex.MLKEM768X25519SHA256); err != nil {
			t.Errorf("login with the hostile connections open: %v", err)
		}
		// Within the bounds nothing is cut: the server waits for each
		// client (until LoginGraceTime).
		var wg sync.WaitGroup
		closed := make([]bool, len(conns))
		deadline := time.Now().Add(2 * time.Second)
		for i, h := range conns {
			wg.Go(func() { closed[i] = h.closedByServer(deadline) })
		}
		wg.Wait()
		if n := count(closed); n > 0 {
			t.Errorf("%d of %d connections within the bounds closed by the server:\n%s", n, len(conns), d.logs.String())
		}
	})
}

func count(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}
