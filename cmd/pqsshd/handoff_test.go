package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/server"
)

// netProcessesAfterLogin returns the network processes of the daemon's
// one session process, once they settled: a network process that handed
// its transport over exits right after the login, so this waits (at most
// about ten seconds) for it to go before it reports any left.
func netProcessesAfterLogin(t *testing.T, daemonPid int) []int {
	t.Helper()
	sessions := sessionChildren(t, daemonPid)
	if len(sessions) != 1 {
		t.Fatalf("session processes %v, want one", sessions)
	}
	var nets []int
	for range 100 {
		if nets = childrenNamed(t, sessions[0], server.NetArg0); len(nets) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nets
}

// handoffSession logs in with cipher (empty: the defaults), checks the
// network process is gone (exported) or still there (relaying), and then
// moves data both ways through re-keys every 64 KiB in both directions.
func handoffSession(t *testing.T, cipher string, wantNetProcess bool) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	cfg := fmt.Sprintf("AuthorizedKeysFile %s/keys\nPerSourcePenalties no\nRekeyLimit 64K\n", kdir)
	conf := gossh.Config{RekeyThreshold: 64 << 10}
	if cipher != "" {
		cfg += "Ciphers " + cipher + "\n"
		conf.Ciphers = []string{cipher}
	}
	cmd, addr, logs, _ := daemon(t, cfg)
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: me(t), Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
		Config: conf,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cs := startCat(t, c)
	cs.echo(t, "after the login")

	nets := netProcessesAfterLogin(t, cmd.Process.Pid)
	if wantNetProcess && len(nets) != 1 {
		t.Fatalf("network processes %v after the login with %s, want the one that relays", nets, cipher)
	}
	if !wantNetProcess && len(nets) != 0 {
		t.Fatalf("network processes %v still running after the login, want none (transport handed over)", nets)
	}

	// Re-keys after the hand-over: the server's (RekeyLimit) and the
	// client's (RekeyThreshold), 4 MiB out and 1 MiB in, and the monitor's
	// last line counts the bytes.
	downloadZeros(t, c, bulkSize)
	line := strings.Repeat("x", 1023)
	for range 1024 {
		cs.echo(t, line)
	}
	cs.echo(t, "after many re-keyings")
	c.Close()
	wantBytesOut(t, logs, bulkSize)
}

// TestNetProcessExitsAfterLogin: with a cipher whose state can be exported
// (the default list), the network process hands the transport itself to
// the monitor and exits after the login, as OpenSSH's sshd-auth; the
// session, and re-keying in both directions, go on in the monitor.
func TestNetProcessExitsAfterLogin(t *testing.T) {
	handoffSession(t, "", false)
}

// TestPrivsepRelayFallback: with a cipher whose state cannot be exported
// (CBC), the network process stays and relays the packets; the session and
// re-keying work as well.
func TestPrivsepRelayFallback(t *testing.T) {
	handoffSession(t, "aes128-cbc", true)
}
