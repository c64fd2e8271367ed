//go:build interop && linux

package interop_test

import (
	"testing"

	. "github.com/pqssh/pqssh/interop/peers"
)

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
// exec, exit status, 10 MiB round trip, and (ssh → pqsshd) a terminal
// session; the method read from both sides' logs.
func TestFoundation(t *testing.T) {
	names := []string{MLKEM768, Curve25519}
	runMatrix(t, []pair{
		{Pqssh, cli, OpenSSH10, srv},
		{OpenSSH10, cli, Pqssh, srv},
	}, names)
	for _, name := range names {
		p := pair{OpenSSH10, cli, Pqssh, srv}
		t.Run(p.String()+"/pty/"+name, func(t *testing.T) { checkPTY(t, p, name, name) })
	}
}

// TestDefaults checks that with nobody choosing, pqssh and OpenSSH 10.0
// agree on a post-quantum method in both directions.
func TestDefaults(t *testing.T) {
	for _, p := range []pair{{Pqssh, cli, OpenSSH10, srv}, {OpenSSH10, cli, Pqssh, srv}} {
		t.Run(p.String(), func(t *testing.T) { checkPair(t, p, "", "pq") })
	}
}

// TestSntrup761 runs both sntrup761 names between pqssh and OpenSSH 10.0.
func TestSntrup761(t *testing.T) {
	runMatrix(t, []pair{
		{Pqssh, cli, OpenSSH10, srv},
		{OpenSSH10, cli, Pqssh, srv},
	}, []string{SNTRUP761, SNTRUP761OpenSSH})
}

// TestOpenSSH92 runs Debian bookworm's OpenSSH 9.2 client and server
// against pqssh with every name 9.2 speaks.
func TestOpenSSH92(t *testing.T) {
	runMatrix(t, []pair{
		{Pqssh, cli, OpenSSH92, bookwormHost},
		{OpenSSH92, bookwormHost, Pqssh, srv},
	}, OpenSSH92.Kex)
}

// TestTinySSH logs in to TinySSH, which speaks sntrup761 under its
// @openssh.com name only.
func TestTinySSH(t *testing.T) {
	runMatrix(t, []pair{{Pqssh, cli, TinySSH, srv}}, []string{SNTRUP761OpenSSH})
}

// TestDropbear runs Dropbear's server and client against pqssh with every
// name Dropbear speaks (pqssh is the side restricted to the name, and the
// side whose log is read).
func TestDropbear(t *testing.T) {
	runMatrix(t, []pair{
		{Pqssh, cli, Dropbear, srv},
		{Dropbear, cli, Pqssh, srv},
	}, Dropbear.Kex)
}

// TestPuTTY runs plink against pqsshd: with both sides' defaults (which
// must negotiate a post-quantum method), then with pqsshd restricted to
// each post-quantum name PuTTY speaks.
func TestPuTTY(t *testing.T) {
	p := pair{PuTTY, cli, Pqssh, srv}
	t.Run(p.String()+"/defaults", func(t *testing.T) { checkPair(t, p, "", "pq") })
	runMatrix(t, []pair{p}, []string{MLKEM768, SNTRUP761, SNTRUP761OpenSSH})
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
}
