package main

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// TestPrivsepFailuresCountedByTheMonitor: the monitor counts failed
// attempts (its MaxAuthTries check must let an honest network process
// reach x/crypto's own limit): with MaxAuthTries 3, two strangers' keys
// and then the right one log in; four strangers' keys end with x/crypto's
// "too many authentication failures", and the failures the monitor
// reported make the listener refuse the source (PerSourcePenalties
// authfail).
func TestPrivsepFailuresCountedByTheMonitor(t *testing.T) {
	kdir := t.TempDir()
	key := clientKey(t, kdir)
	cmd, addr, _, _ := daemon(t, fmt.Sprintf("AuthorizedKeysFile %s/keys\nMaxAuthTries 3\nPerSourcePenalties authfail:1h min:1h\n", kdir))
	strangers := func(n int) []gossh.Signer {
		var out []gossh.Signer
		for range n {
			out = append(out, clientKey(t, t.TempDir()))
		}
		return out
	}
	dialKeys := func(keys []gossh.Signer) (*gossh.Client, error) {
		return gossh.Dial("tcp", addr, &gossh.ClientConfig{
			User: me(t), Auth: []gossh.AuthMethod{gossh.PublicKeys(keys...)},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		})
	}
	c, err := dialKeys(append(strangers(2), key))
	if err != nil {
		t.Fatalf("two strangers' keys, then the right one, with MaxAuthTries 3: %v", err)
	}
	c.Close()
	_, err = dialKeys(append(strangers(4), key))
	if err == nil || !strings.Contains(err.Error(), "too many authentication failures") {
		t.Fatalf("four strangers' keys with MaxAuthTries 3: %v, want x/crypto's disconnect", err)
	}
	// The failed connection's source is penalized once it has ended.
	refused := false
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		c, err := dialKeys([]gossh.Signer{key})
		if err != nil {
			refused = true
			break
		}
		c.Close()
	}
	if !refused {
		t.Fatal("the source was not penalized for its failed attempts")
	}
	if syscall.Kill(cmd.Process.Pid, 0) != nil {
		t.Fatal("the listener is gone")
	}
}
