package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/pqssh/pqssh/kex"
)

// TestKexBudgetAcrossSessionProcesses: with per-connection processes the
// listener holds UnauthenticatedKexMemory for all of them. With room for
// one McEliece key exchange, a half-open one in one session process keeps
// the next connections (other processes) from being offered McEliece,
// while small key exchanges log in; once it closes, the listener gets the
// reservation back (at the control socket's end) and McEliece logins work.
func TestKexBudgetAcrossSessionProcesses(t *testing.T) {
	cost, large := kexCost(kex.MCELIECE6688128X25519SHA512)
	if !large {
		t.Fatal("McEliece is not a large key exchange")
	}
	d := startPlainDaemon(t, fmt.Sprintf("UnauthenticatedKexMemory %d\nPerSourceKexMemory none\nMaxStartups 20\n", cost+cost/2))
	first := openHalfKex(t, d.addr(), kex.MCELIECE6688128X25519SHA512)
	defer first.c.Close()
	if !first.sent {
		t.Fatalf("the first connection was not offered McEliece (offer %v)", first.offered)
	}
	// The first process reserves when it has read the client's KEXINIT;
	// from then on, other connections are not offered McEliece.
	refused := false
	for range 100 {
		h := openHalfKex(t, d.addr(), kex.MLKEM768X25519SHA256)
		h.c.Close()
		if !offersLarge(h.offered) {
			refused = true
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !refused {
		t.Fatal("McEliece still offered while another session process holds the whole budget")
	}
	d.logs.waitLog(t, "UnauthenticatedKexMemory exhausted")
	if err := d.login(kex.MLKEM768X25519SHA256); err != nil {
		t.Fatalf("mlkem768 login while the budget is held: %v", err)
	}
	if err := d.login(kex.MCELIECE6688128X25519SHA512); err == nil {
		t.Fatal("McEliece-only login while the budget is held by another process")
	}
	first.c.Close()
	var err error
	for range 100 { // the session process ends, then the listener releases
		if err = d.login(kex.MCELIECE6688128X25519SHA512); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("McEliece login after the half-open exchange closed: %v", err)
	}
}
