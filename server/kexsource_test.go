package server

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/kex"
)

// idleConns opens n TCP connections from 127.0.0.1 that never send
// anything, and waits for the server's version line on each: by then the
// server has built the connection's key-exchange offer.
func idleConns(t *testing.T, addr string, n int) {
	t.Helper()
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if l, err := bufio.NewReader(c).ReadString('\n'); err != nil || !strings.HasPrefix(l, "SSH-2.0-") {
			t.Fatalf("idle connection %d: version %q, %v", i, l, err)
		}
	}
}

// dialFrom logs in to e from the local address src offering kexNames and
// returns the client and the key exchange negotiated.
func (e *testEnv) dialFrom(src string, kexNames ...string) (*gossh.Client, string, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 10 * time.Second}
	nc, err := d.Dial("tcp", e.addr)
	if err != nil {
		return nil, "", err
	}
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	cc, chans, reqs, err := gossh.NewClientConn(nc, e.addr, e.clientConfig(e.user, e.key, kexNames...))
	if err != nil {
		nc.Close()
		return nil, "", err
	}
	nc.SetDeadline(time.Time{})
	c := gossh.NewClient(cc, chans, reqs)
	return c, cc.(gossh.AlgorithmsConnMetadata).Algorithms().KeyExchange, nil
}

// TestKexBudgetIdleConnections: 25 connections from one source that never
// send a KEXINIT (more than the default UnauthenticatedKexMemory could
// reserve McEliece for) take nothing from the budget: a client preferring
// McEliece, as pqssh does, still negotiates it.
func TestKexBudgetIdleConnections(t *testing.T) {
	e := startServer(t, "", "MaxStartups 100")
	idleConns(t, e.addr, 25)
	if used, _, _ := e.srv.KexMemory(); used != 0 {
		t.Errorf("%d bytes reserved for connections that sent nothing", used)
	}
	c, got, err := e.dialFrom("127.0.0.1", kex.DefaultKeyExchanges()...)
	if err != nil {
		t.Fatalf("login with 25 idle connections open: %v", err)
	}
	defer c.Close()
	if _, large := kexCost(got); !large {
		t.Errorf("with 25 idle connections open the client negotiated %s, want its McEliece hybrid (%v)", got, kex.DefaultKeyExchanges())
	}
	if out, err := run(t, c, "echo ok"); err != nil || out != "ok\n" {
		t.Errorf("session: %q %v", out, err)
	}
}

// TestKexBudgetIdleConnectionsOnlyLarge: with only McEliece configured,
// idle connections do not deny a login.
func TestKexBudgetIdleConnectionsOnlyLarge(t *testing.T) {
	mc := kex.MCELIECE6688128X25519SHA512
	e := startServer(t, "", "KexAlgorithms "+mc+"\nMaxStartups 100")
	idleConns(t, e.addr, 25)
	c, got, err := e.dialFrom("127.0.0.1", mc)
	if err != nil {
		t.Fatalf("McEliece-only login with 25 idle connections open: %v", err)
	}
	defer c.Close()
	if got != mc {
		t.Errorf("negotiated %s, want %s", got, mc)
	}
}

// TestPerSourceLimits: one source beyond PerSourceMaxStartups is refused
// while another (127.0.0.2) logs in with McEliece; and one source holding
// McEliece exchanges half-open gets no more than PerSourceKexMemory (its
// next connection is not offered McEliece) while another source still
// negotiates McEliece.
func TestPerSourceLimits(t *testing.T) {
	mc := kex.MCELIECE6688128X25519SHA512
	t.Run("PerSourceMaxStartups", func(t *testing.T) {
		e := startServer(t, "", "PerSourceMaxStartups 5\nMaxStartups 100")
		idleConns(t, e.addr, 5)
		over, err := net.Dial("tcp", e.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer over.Close()
		if got := readAllTimeout(t, over); got != "" {
			t.Fatalf("a sixth connection from 127.0.0.1 got %q, want it refused", got)
		}
		e.logs.waitLog(t, "dropping connection: PerSourceMaxStartups")
		c, got, err := e.dialFrom("127.0.0.2", mc, kex.MLKEM768X25519SHA256)
		if err != nil {
			t.Fatalf("login from 127.0.0.2: %v", err)
		}
		defer c.Close()
		if got != mc {
			t.Errorf("127.0.0.2 negotiated %s, want %s", got, mc)
		}
	})
	t.Run("PerSourceKexMemory", func(t *testing.T) {
		e := startServer(t, "", "PerSourceKexMemory 16M\nMaxStartups 100")
		mcCost, _ := kexCost(mc)
		var maxCost int64
		for _, n := range e.srv.Config().KexAlgorithms {
			if c, large := kexCost(n); large {
				maxCost = max(maxCost, c)
			}
		}
		// As many as fit: the offer needs room for the largest method
		// configured, the reservation is for the one selected.
		want := int((16<<20-maxCost)/mcCost) + 1
		for i := range want + 1 {
			h := openHalfKex(t, e.addr, mc)
			defer h.c.Close()
			if offered := offersLarge(h.offered); offered != (i < want) {
				t.Fatalf("connection %d from 127.0.0.1: McEliece offered = %v, want %v", i, offered, i < want)
			}
			if h.sent {
				waitKexMemory(t, e.srv, int64(i+1)*mcCost)
			}
		}
		e.logs.waitLog(t, "PerSourceKexMemory exhausted: not offering large key exchanges on this connection")
		c, got, err := e.dialFrom("127.0.0.2", mc, kex.MLKEM768X25519SHA256)
		if err != nil {
			t.Fatalf("login from 127.0.0.2: %v", err)
		}
		defer c.Close()
		if got != mc {
			t.Errorf("127.0.0.2 negotiated %s with 127.0.0.1 at its PerSourceKexMemory, want %s", got, mc)
		}
	})
}
