package server

import (
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pqssh/pqssh/internal/sshwire"
	gossh "golang.org/x/crypto/ssh"
)

func TestKeyOptionCommand(t *testing.T) {
	e := startServer(t, `command="echo forced:$SSH_ORIGINAL_COMMAND"`, "")
	c := e.mustDial()
	out, err := run(t, c, "rm -rf /nothing")
	if err != nil || out != "forced:rm -rf /nothing\n" {
		t.Fatalf("forced command: %q %v", out, err)
	}
	// A subsystem request runs the forced command too.
	s, _ := c.NewSession()
	defer s.Close()
	o, _ := s.StdoutPipe()
	if err := s.RequestSubsystem("sftp"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := o.Read(buf)
	if string(buf[:n]) != "forced:sftp\n" {
		t.Fatalf("subsystem under command=: %q", buf[:n])
	}
}

func TestForceCommandConfig(t *testing.T) {
	e := startServer(t, "", "Match User *\n\tForceCommand echo from-config")
	out, err := run(t, e.mustDial(), "id")
	if err != nil || out != "from-config\n" {
		t.Fatalf("%q %v", out, err)
	}
}

func TestKeyOptionFrom(t *testing.T) {
	e := startServer(t, `from="192.0.2.0/24"`, "")
	if c, err := e.dial(e.user, e.key); err == nil {
		c.Close()
		t.Fatal("login from 127.0.0.1 allowed by from=192.0.2.0/24")
	}
	e.logs.waitLog(t, "not allowed by from=")
	e2 := startServer(t, `from="192.0.2.1,127.0.0.*"`, "")
	c := e2.mustDial()
	c.Close()
}

func TestKeyOptionNoPTY(t *testing.T) {
	for _, tc := range []struct {
		opts    string
		allowed bool
	}{{"no-pty", false}, {"restrict", false}, {"restrict,pty", true}, {"", true}} {
		e := startServer(t, tc.opts, "")
		s, err := e.mustDial().NewSession()
		if err != nil {
			t.Fatal(err)
		}
		err = s.RequestPty("xterm", 24, 80, nil)
		if (err == nil) != tc.allowed {
			t.Errorf("%q: pty request error %v, want allowed=%v", tc.opts, err, tc.allowed)
		}
		s.Close()
	}
	e := startServer(t, "", "PermitTTY no")
	s, _ := e.mustDial().NewSession()
	defer s.Close()
	if err := s.RequestPty("xterm", 24, 80, nil); err == nil {
		t.Error("pty allowed with PermitTTY no")
	}
}

func TestKeyOptionEnvironment(t *testing.T) {
	e := startServer(t, `environment="PQ_FROM_KEY=yes"`, "PermitUserEnvironment yes")
	if out, _ := run(t, e.mustDial(), `echo "[$PQ_FROM_KEY]"`); out != "[yes]\n" {
		t.Fatalf("with PermitUserEnvironment yes: %q", out)
	}
	e = startServer(t, `environment="PQ_FROM_KEY=yes"`, "")
	if out, _ := run(t, e.mustDial(), `echo "[$PQ_FROM_KEY]"`); out != "[]\n" {
		t.Fatalf("with PermitUserEnvironment no: %q", out)
	}
	e = startServer(t, `environment="PQ_FROM_KEY=yes",environment="OTHER=1"`, "PermitUserEnvironment PQ_*")
	if out, _ := run(t, e.mustDial(), `echo "[$PQ_FROM_KEY][$OTHER]"`); out != "[yes][]\n" {
		t.Fatalf("with PermitUserEnvironment PQ_*: %q", out)
	}
}

func TestKeyOptionExpiry(t *testing.T) {
	e := startServer(t, `expiry-time="20000101"`, "")
	if c, err := e.dial(e.user, e.key); err == nil {
		c.Close()
		t.Fatal("expired key accepted")
	}
	e.logs.waitLog(t, "key expired")
	future := time.Now().AddDate(1, 0, 0).UTC().Format("20060102")
	startServer(t, `expiry-time="`+future+`Z"`, "").mustDial()
}

func TestBadAuthorizedKeysLineGrantsNothing(t *testing.T) {
	e := startServer(t, `no-such-option`, "")
	if c, err := e.dial(e.user, e.key); err == nil {
		c.Close()
		t.Fatal("key on a line with an unknown option accepted")
	}
}

// certFor signs a user certificate for key.
func certFor(t *testing.T, ca, key gossh.Signer, principals []string, valid time.Duration, crit map[string]string) gossh.Signer {
	t.Helper()
	cert := &gossh.Certificate{
		Key:             key.PublicKey(),
		CertType:        gossh.UserCert,
		KeyId:           "test-cert",
		Serial:          42,
		ValidPrincipals: principals,
		ValidAfter:      uint64(time.Now().Add(-time.Minute).Unix()),
		ValidBefore:     uint64(time.Now().Add(valid).Unix()),
		Permissions: gossh.Permissions{
			CriticalOptions: crit,
			Extensions:      map[string]string{"permit-pty": "", "permit-port-forwarding": ""},
		},
	}
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewCertSigner(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCertificates(t *testing.T) {
	ca := newSigner(t)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pub")
	os.WriteFile(caFile, gossh.MarshalAuthorizedKey(ca.PublicKey()), 0o644)
	e := startServer(t, "", "TrustedUserCAKeys "+caFile)
	userKey := newSigner(t) // not in authorized_keys

	good := certFor(t, ca, userKey, []string{e.user}, time.Hour, nil)
	c, err := e.dial(e.user, good)
	if err != nil {
		t.Fatalf("valid certificate refused: %v", err)
	}
	c.Close()
	e.logs.waitLog(t, `cert_id="test-cert serial 42"`)

	for name, cert := range map[string]gossh.Signer{
		"wrong principal": certFor(t, ca, userKey, []string{"someone-else"}, time.Hour, nil),
		"expired":         certFor(t, ca, userKey, []string{e.user}, -time.Second, nil),
		"untrusted CA":    certFor(t, newSigner(t), userKey, []string{e.user}, time.Hour, nil),
		"source-address":  certFor(t, ca, userKey, []string{e.user}, time.Hour, map[string]string{"source-address": "192.0.2.0/24"}),
	} {
		if c, err := e.dial(e.user, cert); err == nil {
			c.Close()
			t.Errorf("%s: certificate accepted", name)
		}
	}

	forced := certFor(t, ca, userKey, []string{e.user}, time.Hour, map[string]string{"force-command": "echo cert-forced"})
	fc, err := e.dial(e.user, forced)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	if out, err := run(t, fc, "id"); err != nil || out != "cert-forced\n" {
		t.Fatalf("force-command: %q %v", out, err)
	}
	// No permit-agent-forwarding extension: agent forwarding refused.
	s, _ := fc.NewSession()
	defer s.Close()
	if ok, _ := s.SendRequest("auth-agent-req@openssh.com", true, nil); ok {
		t.Fatal("agent forwarding allowed without permit-agent-forwarding")
	}
}

func TestCertAuthorityInAuthorizedKeys(t *testing.T) {
	ca := newSigner(t)
	e := startServer(t, "", "")
	e.authorize(e.user, `cert-authority,principals="deploy"`, ca.PublicKey())
	userKey := newSigner(t)
	if c, err := e.dial(e.user, certFor(t, ca, userKey, []string{e.user}, time.Hour, nil)); err == nil {
		c.Close()
		t.Fatal("certificate without the principals= name accepted")
	}
	c, err := e.dial(e.user, certFor(t, ca, userKey, []string{"deploy"}, time.Hour, nil))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestBannerAndMotd(t *testing.T) {
	dir := t.TempDir()
	banner := filepath.Join(dir, "banner")
	os.WriteFile(banner, []byte("authorized use only\n"), 0o644)
	e := startServer(t, "", "Banner "+banner)
	e.srv.motdPath = filepath.Join(dir, "motd")
	os.WriteFile(e.srv.motdPath, []byte("message of the day\n"), 0o644)
	cfg := e.clientConfig(e.user, e.key)
	var got string
	cfg.BannerCallback = func(m string) error { got = m; return nil }
	c, err := gossh.Dial("tcp", e.addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got != "authorized use only\n" {
		t.Fatalf("banner %q", got)
	}
	// Banner in a Match block applies to the matching user only.
	other := filepath.Join(dir, "other-banner")
	os.WriteFile(other, []byte("hello other\n"), 0o644)
	e2 := startServer(t, "", "Match User nobody-here\n\tBanner "+other)
	got = "unset"
	cfg2 := e2.clientConfig(e2.user, e2.key)
	cfg2.BannerCallback = func(m string) error { got = m; return nil }
	c2, err := gossh.Dial("tcp", e2.addr, cfg2)
	if err != nil {
		t.Fatal(err)
	}
	c2.Close()
	if got != "unset" {
		t.Fatalf("banner %q sent to a user the Match does not select", got)
	}
	e3 := startServer(t, "", "Match User "+e.user+"\n\tBanner "+other)
	cfg3 := e3.clientConfig(e3.user, e3.key)
	cfg3.BannerCallback = func(m string) error { got = m; return nil }
	c3, err := gossh.Dial("tcp", e3.addr, cfg3)
	if err != nil {
		t.Fatal(err)
	}
	c3.Close()
	if got != "hello other\n" {
		t.Fatalf("Match banner %q", got)
	}
	s2, _ := c.NewSession()
	defer s2.Close()
	in, _ := s2.StdinPipe()
	o, _ := s2.StdoutPipe()
	if err := s2.Shell(); err != nil {
		t.Fatal(err)
	}
	in.Write([]byte("exit\n"))
	buf := make([]byte, 19)
	if _, err := o.Read(buf); err != nil || string(buf) != "message of the day\n" {
		t.Fatalf("motd %q %v", buf, err)
	}
	// exec sessions get no motd
	if out, _ := run(t, c, "echo x"); out != "x\n" {
		t.Fatalf("exec output %q", out)
	}
}

func TestExposeAuthInfo(t *testing.T) {
	e := startServer(t, "", "ExposeAuthInfo yes")
	out, err := run(t, e.mustDial(), `cat "$SSH_USER_AUTH"; echo "$SSH_USER_AUTH"`)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := "publickey " + strings.TrimSpace(string(gossh.MarshalAuthorizedKey(e.key.PublicKey())))
	if len(lines) != 2 || lines[0] != want {
		t.Fatalf("SSH_USER_AUTH content %q, want %q", out, want)
	}
	if _, err := os.Stat(lines[1]); err == nil {
		t.Fatal("auth info file outlives the session")
	}
	e2 := startServer(t, "", "")
	if out, _ := run(t, e2.mustDial(), `echo "[$SSH_USER_AUTH]"`); out != "[]\n" {
		t.Fatalf("SSH_USER_AUTH set without ExposeAuthInfo: %q", out)
	}
}

func TestUnusedConnectionTimeout(t *testing.T) {
	e := startServer(t, "", "UnusedConnectionTimeout 1")
	c := e.mustDial()
	// A session keeps the connection in use.
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("unused connection not closed")
	}
	e.logs.waitLog(t, "UnusedConnectionTimeout")
}

func TestClientAliveCountMax(t *testing.T) {
	e := startServer(t, "", "ClientAliveInterval 1\nClientAliveCountMax 1")
	nc, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	conn, chans, reqs, err := gossh.NewClientConn(nc, e.addr, e.clientConfig(e.user, e.key))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := gossh.NewClient(conn, chans, make(chan *gossh.Request))
	if _, err := client.NewSession(); err != nil {
		t.Fatal(err)
	}
	// Receive the keepalive but never answer it (hostkeys-00@openssh.com,
	// sent after authentication, needs no answer either).
	for waiting := true; waiting; {
		select {
		case r := <-reqs:
			if r.Type == sshwire.HostKeysRequest && !r.WantReply {
				continue
			}
			if r.Type != "keepalive@openssh.com" || !r.WantReply {
				t.Fatalf("unexpected global request %q", r.Type)
			}
			waiting = false
		case <-time.After(10 * time.Second):
			t.Fatal("no keepalive within 10 s with ClientAliveInterval 1")
		}
	}
	done := make(chan error, 1)
	go func() { done <- conn.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("unresponsive client not disconnected")
	}
	e.logs.waitLog(t, "ClientAliveCountMax")
}

func TestRevokedKeys(t *testing.T) {
	dir := t.TempDir()
	revoked := filepath.Join(dir, "revoked")
	bad := newSigner(t)
	os.WriteFile(revoked, gossh.MarshalAuthorizedKey(bad.PublicKey()), 0o644)
	e := startServer(t, "", "RevokedKeys "+revoked)
	e.authorize(e.user, "", bad.PublicKey())
	if c, err := e.dial(e.user, bad); err == nil {
		c.Close()
		t.Fatal("revoked key accepted")
	}
	e.logs.waitLog(t, "is revoked")
	e.mustDial() // the other key still works
}

func TestAlgorithmRestrictions(t *testing.T) {
	e := startServer(t, "", "PubkeyAcceptedAlgorithms ecdsa-sha2-nistp256\nHostKeyAlgorithms ssh-ed25519")
	if c, err := e.dial(e.user, e.key); err == nil { // e.key is ed25519
		c.Close()
		t.Fatal("ed25519 user key accepted with PubkeyAcceptedAlgorithms ecdsa-sha2-nistp256")
	}
	// Two host keys, only the ECDSA one allowed to sign.
	e2 := startServer(t, "", "HostKey "+t.TempDir()+"/ssh_host_ecdsa_key\nHostKeyAlgorithms ecdsa-sha2-nistp256")
	if hk := e2.srv.HostKeys(); len(hk) != 1 || hk[0].Type() != gossh.KeyAlgoECDSA256 {
		t.Fatalf("host keys after HostKeyAlgorithms: %v", hk)
	}
	e2.mustDial()
	e2.logs.waitLog(t, "hostkey=ecdsa-sha2-nistp256")
	_, err := New(mustConfig(t, "HostKey "+e.dir+"/hostkey_ed25519\nHostKeyAlgorithms rsa-sha2-256\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "HostKeyAlgorithms") {
		t.Fatalf("ed25519-only host keys with HostKeyAlgorithms rsa-sha2-256: %v", err)
	}
}
