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

// pqsshKex lists the names pqssh and pqsshd implement, the ones the
// matrix below runs with every peer that speaks them. Grow it as methods
// land (check bin/pqssh -Q kex); never shrink it to make a run green.
var pqsshKex = []string{MLKEM768, SNTRUP761, SNTRUP761OpenSSH, MCELIECE, MCELIECEOpenSSH, MCELIECESNTRUP761, Curve25519,
	MLKEM768P256, MLKEM1024P384, Curve448, DH18}

// common returns the names of pqsshKex that peer speaks too.
func common(peer *harness.Peer) []string {
	var names []string
	for _, n := range pqsshKex {
		if peer.Speaks(n) {
			names = append(names, n)
		}
	}
	return names
}

// runMatrix runs checkPair for every pair and name, as subtests named
// "client→server/name".
func runMatrix(t *testing.T, pairs []pair, names []string) {
	for _, p := range pairs {
		for _, name := range names {
			t.Run(p.String()+"/"+name, func(t *testing.T) { checkPair(t, p, name, name) })
		}
	}
}

// TestFoundation is the foundation list: pqssh against OpenSSH 10.0 in
// both directions with ML-KEM hybrid and classical curve25519 — login,
// exec, exit status, 10 MiB round trip, and a terminal session; the
// method read from both sides' logs.
func TestFoundation(t *testing.T) {
	names := []string{MLKEM768, Curve25519}
	runMatrix(t, []pair{
		{Pqssh, cli, OpenSSH10, srv},
		{OpenSSH10, cli, Pqssh, srv},
	}, names)
	for _, p := range []pair{{OpenSSH10, cli, Pqssh, srv}, {Pqssh, cli, OpenSSH10, srv}} {
		for _, name := range names {
			t.Run(p.String()+"/pty/"+name, func(t *testing.T) { checkPTY(t, p, name, name) })
		}
	}
}

// TestDefaults checks that with nobody choosing, pqssh and OpenSSH 10.0
// agree on a post-quantum method in both directions.
func TestDefaults(t *testing.T) {
	for _, p := range []pair{{Pqssh, cli, OpenSSH10, srv}, {OpenSSH10, cli, Pqssh, srv}} {
		t.Run(p.String(), func(t *testing.T) { checkPair(t, p, "", "pq") })
	}
}

// TestOpenSSH10 runs pqssh against OpenSSH 10.0 in both directions with
// every name both speak: mlkem768x25519-sha256, sntrup761x25519-sha512
// under both its names, curve25519-sha256.
func TestOpenSSH10(t *testing.T) {
	runMatrix(t, []pair{
		{Pqssh, cli, OpenSSH10, srv},
		{OpenSSH10, cli, Pqssh, srv},
	}, common(OpenSSH10))
}

// TestOpenSSH92 runs Debian bookworm's OpenSSH 9.2 client and server
// against pqssh with every name 9.2 speaks.
func TestOpenSSH92(t *testing.T) {
	runMatrix(t, []pair{
		{Pqssh, cli, OpenSSH92, bookwormHost},
		{OpenSSH92, bookwormHost, Pqssh, srv},
	}, common(OpenSSH92))
}

// TestTinySSH logs in to TinySSH, which speaks sntrup761 under its
// @openssh.com name only (and curve25519-sha256).
func TestTinySSH(t *testing.T) {
	runMatrix(t, []pair{{Pqssh, cli, TinySSH, srv}}, common(TinySSH))
}

// TestDropbear runs Dropbear's server and client against pqssh with every
// name Dropbear speaks (pqssh is the side restricted to the name, and the
// side whose log is read).
func TestDropbear(t *testing.T) {
	runMatrix(t, []pair{
		{Pqssh, cli, Dropbear, srv},
		{Dropbear, cli, Pqssh, srv},
	}, common(Dropbear))
}

// TestPuTTY runs plink against pqsshd: with both sides' defaults (which
// must negotiate a post-quantum method), then with pqsshd restricted to
// each post-quantum name PuTTY speaks.
func TestPuTTY(t *testing.T) {
	p := pair{PuTTY, cli, Pqssh, srv}
	t.Run(p.String()+"/defaults", func(t *testing.T) { checkPair(t, p, "", "pq") })
	var pq []string
	for _, n := range common(PuTTY) {
		if PostQuantum(n) {
			pq = append(pq, n)
		}
	}
	runMatrix(t, []pair{p}, pq)
}

// TestPeerDescriptions runs every peer description against OpenSSH 10.0
// (or 10.0 against it), without pqssh: when a pqssh test fails, this
// tells whether the peer's description or pqssh is at fault.
func TestPeerDescriptions(t *testing.T) {
	runMatrix(t, []pair{{OpenSSH10, cli, OpenSSH10, srv}}, []string{MLKEM768, Curve25519})
	runMatrix(t, []pair{
		{OpenSSH92, bookwormHost, OpenSSH10, srv},
		{OpenSSH10, cli, OpenSSH92, bookwormHost},
		{OpenSSH10, cli, TinySSH, srv},
	}, []string{SNTRUP761OpenSSH})
	runMatrix(t, []pair{
		{OpenSSH10, cli, Dropbear, srv},
		{Dropbear, cli, OpenSSH10, srv},
		{PuTTY, cli, OpenSSH10, srv},
	}, []string{MLKEM768})
	p := pair{OpenSSH10, cli, OpenSSH10, srv}
	t.Run(p.String()+"/pty", func(t *testing.T) { checkPTY(t, p, MLKEM768, MLKEM768) })

	// The patched OpenSSH against itself, in its own container.
	t.Run("openssh-10.0-mceliece", func(t *testing.T) {
		mc := mcelieceHost(t)
		runMatrix(t, []pair{{OpenSSHMcEliece, mc, OpenSSHMcEliece, mc}}, []string{MCELIECE, MCELIECEOpenSSH})
	})
}

// TestMcEliece runs pqssh against the patched OpenSSH 10.0 (the only
// other implementation of Classic McEliece key exchange) in both
// directions, across the lab's network, with both McEliece names.
func TestMcEliece(t *testing.T) {
	mc := mcelieceHost(t)
	runMatrix(t, []pair{
		{Pqssh, cli, OpenSSHMcEliece, mc},
		{OpenSSHMcEliece, mc, Pqssh, srv},
	}, []string{MCELIECE, MCELIECEOpenSSH})
}

// TestPqssh runs pqssh against pqsshd across the lab's network with every
// name pqssh implements, the multi-hybrid
// mceliece6688128sntrup761x25519-sha512@pqssh.org (which nobody else
// speaks) among them.
func TestPqssh(t *testing.T) {
	runMatrix(t, []pair{{Pqssh, cli, Pqssh, srv}}, pqsshKex)
}

// mcelieceHost returns the container of the patched OpenSSH, started (and
// its root filesystem built, compiling OpenSSH) on first use.
func mcelieceHost(t *testing.T) *harness.Container {
	t.Helper()
	mcelieceOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		mcelieceC, mcelieceErr = lab.NewContainer(ctx, "mceliece", OpenSSHMcEliece.Recipe)
	})
	if mcelieceErr != nil {
		t.Fatal(mcelieceErr)
	}
	return mcelieceC
}

var (
	mcelieceOnce sync.Once
	mcelieceC    *harness.Container
	mcelieceErr  error
)

// TestPostQuantumWarning checks pqssh's courtesy copied from OpenSSH 10.1:
// a warning when the negotiated method is not post-quantum and the user
// did not choose the method list, none when they did or when it is.
func TestPostQuantumWarning(t *testing.T) {
	const warning = "WARNING: connection is not using a post-quantum key exchange algorithm"
	p := pair{Pqssh, cli, OpenSSH10, srv}
	for _, c := range []struct {
		name       string
		serverKex  string // what the server is restricted to
		clientKex  string // what the user chose; "" for defaults
		want       string
		wantWarned bool
	}{
		{"classical server, defaults", Curve25519, "", Curve25519, true},
		{"classical server, chosen", Curve25519, Curve25519, Curve25519, false},
		{"post-quantum", "", "", MLKEM768, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			s := startServer(t, ctx, p, c.serverKex)
			from := len(s.Log())
			res, err := lab.Connect(ctx, p.client, p.cc, s, harness.Login{Kex: c.clientKex, Command: "true"})
			if err != nil {
				t.Fatal(err)
			}
			if res.ExitCode != 0 {
				t.Fatalf("exit status %d: %s", res.ExitCode, res.Stderr)
			}
			checkKex(t, p, s, from, res, c.want)
			if warned := strings.Contains(res.Stderr, warning); warned != c.wantWarned {
				t.Errorf("warned = %v, want %v; stderr:\n%s", warned, c.wantWarned, res.Stderr)
			}
		})
	}
}

// TestPTY runs the terminal session check between pqssh and every other
// peer, in each direction the peer has, with the first name both speak.
func TestPTY(t *testing.T) {
	for _, p := range []pair{
		{OpenSSH92, bookwormHost, Pqssh, srv},
		{Pqssh, cli, OpenSSH92, bookwormHost},
		{Dropbear, cli, Pqssh, srv},
		{Pqssh, cli, Dropbear, srv},
		{Pqssh, cli, TinySSH, srv},
		{PuTTY, cli, Pqssh, srv},
	} {
		other := p.server
		if other == Pqssh {
			other = p.client
		}
		name := common(other)[0]
		t.Run(p.String()+"/"+name, func(t *testing.T) { checkPTY(t, p, name, name) })
	}
}
