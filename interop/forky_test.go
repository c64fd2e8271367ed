//go:build interop && linux

package interop_test

import (
	"context"
	"slices"
	"strconv"
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

// libsshHost returns the container with libssh 0.12 and the project's
// client on it, built and started on first use.
func libsshHost(t *testing.T) *harness.Container {
	t.Helper()
	libsshOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		libsshC, libsshErr = lab.NewContainer(ctx, "forky-libssh", ForkyLibSSH)
	})
	if libsshErr != nil {
		t.Fatal(libsshErr)
	}
	return libsshC
}

var (
	libsshOnce sync.Once
	libsshC    *harness.Container
	libsshErr  error
)

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

// TestPuTTY085 runs forky's plink 0.85 against pqsshd with every method
// both speak (pqsshd restricted to it; plink cannot be), among them
// mlkem1024nistp384-sha384 and curve448-sha512, which OpenSSH 10.6 lacks.
func TestPuTTY085(t *testing.T) {
	srv, cli := forkyHosts(t)
	runMatrix(t, []pair{{PuTTY085, cli, Pqssh, srv}}, common(PuTTY085))
}

// TestDropbear2026 runs forky's Dropbear 2026.94, server and client,
// against pqssh with every method both speak (pqssh is the side
// restricted to the name, and the side whose log is read).
func TestDropbear2026(t *testing.T) {
	srv, cli := forkyHosts(t)
	runMatrix(t, []pair{
		{Pqssh, cli, Dropbear2026, srv},
		{Dropbear2026, cli, Pqssh, srv},
	}, common(Dropbear2026))
}

// TestTinySSH2026 logs in to forky's TinySSH 20261001 with every method
// both speak: sntrup761 under both its names now, and curve25519-sha256.
func TestTinySSH2026(t *testing.T) {
	srv, cli := forkyHosts(t)
	runMatrix(t, []pair{{Pqssh, cli, TinySSH2026, srv}}, common(TinySSH2026))
}

// TestForkyDefaults checks what today's peers negotiate with pqssh and
// pqsshd when nobody configures anything, in every direction each peer
// has: it must be post-quantum, and (checkWarnings) neither OpenSSH 10.6's
// ssh nor sshd nor pqssh nor pqsshd may warn of a key exchange that is not.
func TestForkyDefaults(t *testing.T) {
	srv, cli := forkyHosts(t)
	for _, p := range []pair{
		{Pqssh, cli, OpenSSH106, srv},
		{OpenSSH106, cli, Pqssh, srv},
		{Pqssh, cli, Dropbear2026, srv},
		{Dropbear2026, cli, Pqssh, srv},
		{Pqssh, cli, TinySSH2026, srv},
		{PuTTY085, cli, Pqssh, srv},
		{LibSSH012, libsshHost(t), Pqssh, srv},
	} {
		t.Run(p.String(), func(t *testing.T) { checkPair(t, p, "", "pq") })
	}
}

// TestForkyKexLists checks the methods each forky peer is declared with
// against what the peer itself says it speaks: Dropbear's `dbclient -Q
// kex` and `dropbear -Q kex`, and, for the programs that cannot list
// them, the KEXINIT they send — tinysshd's as OpenSSH 10.6's ssh -vv
// prints it, plink's as sshd 10.6 logs it at DEBUG2. For each method of
// pqsshKex, the declaration must say what the peer says. (OpenSSH 10.6:
// TestOpenSSH106KexList.)
func TestForkyKexLists(t *testing.T) {
	srv, cli := forkyHosts(t)
	lh := libsshHost(t) // (built before the clock starts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, c := range []struct {
		what string
		peer *harness.Peer
		list func(t *testing.T) []string
	}{
		{"ssh_get_supported_methods", LibSSH012, func(t *testing.T) []string {
			return strings.Split(strings.Join(shList(t, ctx, lh, LibSSHClientBin+" -Q"), ""), ",")
		}},
		{"dbclient -Q kex", Dropbear2026, func(t *testing.T) []string { return shList(t, ctx, cli, "dbclient -Q kex") }},
		{"dropbear -Q kex", Dropbear2026, func(t *testing.T) []string { return shList(t, ctx, srv, "dropbear -Q kex") }},
		{"tinysshd's KEXINIT", TinySSH2026, func(t *testing.T) []string {
			s := startServer(t, ctx, pair{OpenSSH106, cli, TinySSH2026, srv}, "")
			// The login fails (no key given): only the KEXINIT matters.
			res, err := cli.Run(ctx, harness.Exec{Args: []string{"ssh", "-vv", "-F", "/dev/null", "-o", "BatchMode=yes",
				"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-p", strconv.Itoa(s.Port), srv.IP, "true"}})
			if err != nil {
				t.Fatal(err)
			}
			return kexinitOffer(t, res.Stderr, "peer server KEXINIT proposal")
		}},
		{"plink's KEXINIT", PuTTY085, func(t *testing.T) []string {
			debug2 := *OpenSSH106
			server := *OpenSSH106.Server
			server.Command = func(ctx context.Context, c *harness.Container, cfg harness.ServerConfig) ([]string, error) {
				argv, err := OpenSSH106.Server.Command(ctx, c, cfg)
				return append(argv, "-o", "LogLevel=DEBUG2"), err
			}
			debug2.Server = &server
			p := pair{PuTTY085, cli, &debug2, srv}
			s := startServer(t, ctx, p, "")
			from := len(s.Log())
			if _, err := lab.Connect(ctx, p.client, p.cc, s, harness.Login{Command: "true"}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond)
			return kexinitOffer(t, s.Log()[from:], "peer client KEXINIT proposal")
		}},
	} {
		t.Run(c.peer.Name+"/"+c.what, func(t *testing.T) {
			list := c.list(t)
			t.Logf("%s %s: %s", c.peer.Name, c.what, strings.Join(list, " "))
			for _, n := range pqsshKex {
				if got := slices.Contains(list, n); got != c.peer.Speaks(n) {
					t.Errorf("%s: %s lists %s: %v; the declaration says %v", c.peer.Name, c.what, n, got, c.peer.Speaks(n))
				}
			}
		})
	}
}

// shList runs a command in c and returns the words of its output.
func shList(t *testing.T, ctx context.Context, c *harness.Container, cmd string) []string {
	t.Helper()
	out, err := c.Sh(ctx, cmd)
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return strings.Fields(out)
}

// kexinitOffer returns the key exchange methods of the KEXINIT OpenSSH
// logs at debug level 2 after the line containing heading ("debug2: KEX
// algorithms: a,b,c").
func kexinitOffer(t *testing.T, log, heading string) []string {
	t.Helper()
	i := strings.Index(log, heading)
	if i < 0 {
		t.Fatalf("no %q in:\n%s", heading, log)
	}
	const prefix = "KEX algorithms: "
	j := strings.Index(log[i:], prefix)
	if j < 0 {
		t.Fatalf("no %q after %q in:\n%s", prefix, heading, log)
	}
	f := strings.Fields(log[i+j+len(prefix):])
	if len(f) == 0 {
		t.Fatalf("empty %q line", prefix)
	}
	return strings.Split(f[0], ",")
}

// TestLibSSH012 runs libssh 0.12 (through the project's small client,
// interop/libssh-client) against pqsshd with every method both speak,
// mlkem1024nistp384-sha384 among them.
func TestLibSSH012(t *testing.T) {
	srv, _ := forkyHosts(t)
	runMatrix(t, []pair{{LibSSH012, libsshHost(t), Pqssh, srv}}, common(LibSSH012))
}
