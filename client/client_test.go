package client

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pqssh/pqssh/client/config"
	"github.com/pqssh/pqssh/client/internal/sshtest"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// testConfig resolves a configuration for srv with an agent holding the
// user key.
func testConfig(t *testing.T, srvPort int, extra ...string) *config.Resolved {
	return testConfigB(t, srvPort, extra...)
}

func testConfigB(t testing.TB, srvPort int, extra ...string) *config.Resolved {
	t.Helper()
	home := t.TempDir()
	opts := append([]string{
		"HostName 127.0.0.1", "Port " + itoa(srvPort), "User tester",
		"UserKnownHostsFile " + filepath.Join(home, "known_hosts"),
		"GlobalKnownHostsFile none", "StrictHostKeyChecking accept-new", "BatchMode yes",
		"IdentityAgent none", "IdentityFile " + filepath.Join(home, "none"),
	}, extra...)
	o, err := config.Load(config.Context{Host: "test", LocalUser: "me", Home: home}, opts, "none")
	if err != nil {
		t.Fatal(err)
	}
	r, err := o.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func itoa(i int) string { return strconv.Itoa(i) }

func userKey() (ssh.Signer, agent.ExtendedAgent) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	s, _ := ssh.NewSignerFromKey(priv)
	kr := agent.NewKeyring()
	kr.Add(agent.AddedKey{PrivateKey: priv})
	return s, kr.(agent.ExtendedAgent)
}

func TestDialLibrary(t *testing.T) {
	signer, ag := userKey()
	srv := sshtest.New(t, signer.PublicKey()).Start(t)
	cfg := testConfig(t, srv.Port())
	d := &Dialer{Config: cfg, Agent: ag}
	c, err := d.Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Algorithms.KeyExchange != "mlkem768x25519-sha256" || c.AuthMethod != "publickey" {
		t.Errorf("algorithms %+v, auth %q", c.Algorithms, c.AuthMethod)
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.Output("echo lib")
	if err != nil || string(out) != "lib\n" {
		t.Fatalf("%q %v", out, err)
	}
	if sent, recv := c.Stats(); sent == 0 || recv == 0 {
		t.Errorf("stats %d %d", sent, recv)
	}
	// The short form.
	if _, err := Dial(context.Background(), cfg); err == nil {
		t.Error("Dial without agent or key authenticated")
	}
}

func TestBannerTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // silent: never sends a version line
		}
	}()
	cfg := testConfig(t, l.Addr().(*net.TCPAddr).Port, "ConnectTimeout 1")
	start := time.Now()
	_, err = (&Dialer{Config: cfg}).Dial(context.Background())
	if err == nil || !strings.Contains(err.Error(), "timed out during banner exchange") {
		t.Fatalf("want banner timeout, got %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("ConnectTimeout not applied")
	}
}

func TestOrderHostKeyAlgorithms(t *testing.T) {
	algs := []string{"ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"}
	got := orderHostKeyAlgorithms(algs, []string{"ssh-rsa"})
	if !slices.Equal(got, []string{"rsa-sha2-512", "rsa-sha2-256", "ssh-ed25519", "ecdsa-sha2-nistp256"}) {
		t.Errorf("known RSA first: %v", got)
	}
	if got := orderHostKeyAlgorithms(algs, nil); !slices.Equal(got, algs) {
		t.Errorf("unchanged without known keys: %v", got)
	}
}

func TestParseDestination(t *testing.T) {
	for in, want := range map[string][3]string{
		"host":               {"", "host", "0"},
		"u@host":             {"u", "host", "0"},
		"ssh://u@host:2222":  {"u", "host", "2222"},
		"ssh://[::1]:22/":    {"", "::1", "22"},
		"a@b@host":           {"a@b", "host", "0"},
		"fe80::1":            {"", "fe80::1", "0"},
		"[2001:db8::2]:2200": {"", "2001:db8::2", "2200"},
	} {
		u, h, p, err := ParseDestination(in)
		if err != nil || u != want[0] || h != want[1] || itoa(p) != want[2] {
			t.Errorf("%s: %q %q %d %v", in, u, h, p, err)
		}
	}
	if _, _, _, err := ParseDestination("ssh://host:99999"); err == nil {
		t.Error("bad port accepted")
	}
}

func TestGarbageFromServer(t *testing.T) {
	for name, reply := range map[string][]byte{
		"binary after version": append([]byte("SSH-2.0-evil\r\n"), bytes.Repeat([]byte{0xff}, 64<<10)...),
		"huge packet length":   append([]byte("SSH-2.0-evil\r\n"), 0x7f, 0xff, 0xff, 0xff, 4, 20),
		"no version line":      bytes.Repeat([]byte("x"), 300<<10),
	} {
		t.Run(name, func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			go func() {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Write(reply)
				time.Sleep(100 * time.Millisecond)
				c.Close()
			}()
			cfg := testConfig(t, l.Addr().(*net.TCPAddr).Port, "ConnectTimeout 5")
			_, err = (&Dialer{Config: cfg}).Dial(context.Background())
			if err == nil {
				t.Fatal("garbage accepted")
			}
		})
	}
}
