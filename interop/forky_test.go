//go:build interop && linux

package interop_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	. "github.com/pqssh/pqssh/interop/peers"
)

// forkyHosts returns the two Debian forky containers (server and client),
// started on first use: only the tests of today's peers need them.
func forkyHosts(t *testing.T) (srv, cli *harness.Container) {
	t.Helper()
	forkyOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		if forkySrv, forkyErr = lab.NewContainer(ctx, "forky-srv", Forky); forkyErr == nil {
			forkyCli, forkyErr = lab.NewContainer(ctx, "forky-cli", Forky)
		}
	})
	if forkyErr != nil {
		t.Fatal(forkyErr)
	}
	return forkySrv, forkyCli
}

var (
	forkyOnce          sync.Once
	forkySrv, forkyCli *harness.Container
	forkyErr           error
)

// TestOpenSSH106KexList checks the names OpenSSH106 declares against its
// own `ssh -Q kex`, and records that it lacks mlkem1024nistp384-sha384,
// mlkem1024-sha384 and curve448-sha512 (docs/kex.md).
func TestOpenSSH106KexList(t *testing.T) {
	srv, _ := forkyHosts(t)
	out, err := srv.Sh(context.Background(), "ssh -Q kex")
	if err != nil {
		t.Fatal(err)
	}
	list := strings.Fields(out)
	t.Logf("OpenSSH 10.6 ssh -Q kex: %s", strings.Join(list, " "))
	has := func(n string) bool {
		for _, k := range list {
			if k == n {
				return true
			}
		}
		return false
	}
	for _, n := range OpenSSH106.Kex {
		if !has(n) {
			t.Errorf("OpenSSH106 declares %s, which its ssh -Q kex does not list", n)
		}
	}
	for _, n := range []string{MLKEM1024P384, "mlkem1024-sha384", Curve448} {
		if has(n) {
			t.Errorf("OpenSSH 10.6 now lists %s: add it to OpenSSH106 and to the tests", n)
		}
	}
}

// TestOpenSSH106 runs pqssh against Debian forky's OpenSSH 10.6p1 in both
// directions with every name both speak, among them the ones OpenSSH
// added since 10.0 that pqssh has: mlkem768nistp256-sha256 and
// diffie-hellman-group18-sha512.
func TestOpenSSH106(t *testing.T) {
	srv, cli := forkyHosts(t)
	runMatrix(t, []pair{
		{Pqssh, cli, OpenSSH106, srv},
		{OpenSSH106, cli, Pqssh, srv},
	}, common(OpenSSH106))
}

// TestPuTTY085 runs forky's plink 0.85 against pqsshd with each method
// pqssh has that PuTTY 0.85 speaks beyond what 0.83 did (pqsshd restricted
// to it; plink cannot be): mlkem1024nistp384-sha384 and curve448-sha512,
// which OpenSSH 10.6 lacks, mlkem768nistp256-sha256 and
// diffie-hellman-group18-sha512.
func TestPuTTY085(t *testing.T) {
	srv, cli := forkyHosts(t)
	runMatrix(t, []pair{{PuTTY085, cli, Pqssh, srv}}, []string{MLKEM768P256, MLKEM1024P384, Curve448, DH18})
}
