package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/pqssh/pqssh/client/internal/sshtest"
)

// userCert signs a user certificate for key, valid for principal, with
// ca.
func userCert(t *testing.T, ca ssh.Signer, key ssh.PublicKey, id, principal string) *ssh.Certificate {
	t.Helper()
	c := &ssh.Certificate{
		Key:             key,
		CertType:        ssh.UserCert,
		KeyId:           id,
		ValidPrincipals: []string{principal},
		ValidAfter:      uint64(time.Now().Add(-time.Minute).Unix()),
		ValidBefore:     uint64(time.Now().Add(time.Hour).Unix()),
		Permissions:     ssh.Permissions{Extensions: map[string]string{"permit-pty": ""}},
	}
	if err := c.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	return c
}

// certFixture is a server that trusts a user CA and authorizes no plain
// key, so only a certificate logs in.
func certFixture(t *testing.T) (*fixture, ssh.Signer) {
	t.Helper()
	f := newFixture(t)
	ca, _ := newKey(t)
	srv := sshtest.New(t) // no authorized plain keys
	srv.TrustUserCA(ca.PublicKey())
	f.srv = srv.Start(t)
	f.writeConfig()
	return f, ca
}

// TestCertificateBesideIdentity: -i key with key-cert.pub next to it logs
// in with the certificate (the server authorizes no plain key), and -v
// shows OpenSSH's line for the certificate.
func TestCertificateBesideIdentity(t *testing.T) {
	f, ca := certFixture(t)
	cert := userCert(t, ca, f.signer.PublicKey(), "beside", "tester")
	if err := os.WriteFile(f.keyPath+"-cert.pub", ssh.MarshalAuthorizedKey(cert), 0o644); err != nil {
		t.Fatal(err)
	}
	r := f.run(nil, "-v", "-i", f.keyPath, "test", "echo ok")
	if r.code != 0 || r.stdout != "ok\n" {
		t.Fatal(r)
	}
	if got := f.srv.AcceptedCertificates(); len(got) != 1 || got[0] != "beside" {
		t.Errorf("server accepted certificates %q, want [beside]", got)
	}
	if !strings.Contains(r.stderr, "debug1: Offering public key: "+f.keyPath+" ssh-ed25519-cert-v01@openssh.com SHA256:") {
		t.Errorf("-v lacks the certificate offer:\n%s", r.stderr)
	}
	// PubkeyAcceptedAlgorithms without certificates: the certificate is
	// skipped and the plain key is refused.
	if r := f.run(nil, "-v", "-o", "PubkeyAcceptedAlgorithms=ssh-ed25519", "test", "true"); r.code == 0 || !strings.Contains(r.stderr, "Skipping ssh-ed25519-cert-v01@openssh.com key") {
		t.Errorf("certificate used although not accepted: %v", r)
	}
}

// TestCertificateFile: a CertificateFile kept elsewhere, matching the
// identity's key, is used; one certifying another key is not.
func TestCertificateFile(t *testing.T) {
	f, ca := certFixture(t)
	other, _ := newKey(t)
	dir := t.TempDir()
	wrong := filepath.Join(dir, "other-cert.pub")
	os.WriteFile(wrong, ssh.MarshalAuthorizedKey(userCert(t, ca, other.PublicKey(), "other", "tester")), 0o644)
	right := filepath.Join(dir, "mine-cert.pub")
	os.WriteFile(right, ssh.MarshalAuthorizedKey(userCert(t, ca, f.signer.PublicKey(), "certfile", "tester")), 0o644)

	if r := f.run(nil, "-o", "CertificateFile="+wrong, "test", "true"); r.code == 0 {
		t.Fatalf("logged in with a certificate of another key: %v", r)
	}
	r := f.run(nil, "-o", "CertificateFile="+right, "test", "echo ok")
	if r.code != 0 || r.stdout != "ok\n" {
		t.Fatal(r)
	}
	if got := f.srv.AcceptedCertificates(); len(got) != 1 || got[0] != "certfile" {
		t.Errorf("server accepted certificates %q, want [certfile]", got)
	}
}

// TestCertificateFromAgent: an agent holding a key and its certificate
// (ssh-add of key and key-cert.pub) logs in with the certificate; no key
// file is read.
func TestCertificateFromAgent(t *testing.T) {
	f, ca := certFixture(t)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	pub, _ := ssh.NewPublicKey(priv.Public())
	cert := userCert(t, ca, pub, "agent", "tester")
	kr := agent.NewKeyring()
	if err := kr.Add(agent.AddedKey{PrivateKey: priv, Certificate: cert}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go agent.ServeAgent(kr, c)
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
	os.Remove(f.keyPath)
	r := f.run(nil, "-v", "test", "echo ok")
	if r.code != 0 || r.stdout != "ok\n" {
		t.Fatal(r)
	}
	if got := f.srv.AcceptedCertificates(); len(got) != 1 || got[0] != "agent" {
		t.Errorf("server accepted certificates %q, want [agent]", got)
	}
	if !strings.Contains(r.stderr, "debug1: Offering public key: agent ssh-ed25519-cert-v01@openssh.com") {
		t.Errorf("-v lacks the agent certificate offer:\n%s", r.stderr)
	}
}

// TestHostCertificateCASignatureAlgorithms: a host certificate from a CA
// trusted with @cert-authority is accepted when the CA's signature
// algorithm is in CASignatureAlgorithms (by default Ed25519 is) and
// refused when it is not.
func TestHostCertificateCASignatureAlgorithms(t *testing.T) {
	f := newFixture(t)
	ca, _ := newKey(t)
	srv := sshtest.New(t, f.signer.PublicKey())
	hc := &ssh.Certificate{
		Key: srv.HostKey.PublicKey(), CertType: ssh.HostCert, KeyId: "host", ValidPrincipals: []string{"127.0.0.1"},
		ValidAfter: uint64(time.Now().Add(-time.Minute).Unix()), ValidBefore: uint64(time.Now().Add(time.Hour).Unix()),
	}
	if err := hc.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	cs, err := ssh.NewCertSigner(hc, srv.HostKey)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.AddHostKey(cs)
	f.srv = srv.Start(t)
	f.writeConfig()
	os.WriteFile(f.known, []byte("@cert-authority * "+string(ssh.MarshalAuthorizedKey(ca.PublicKey()))), 0o600)
	r := f.run(nil, "-v", "-o", "StrictHostKeyChecking=yes", "test", "true")
	if r.code != 0 || !strings.Contains(r.stderr, "matches the ED25519-CERT host certificate") {
		t.Fatalf("host certificate: %v", r)
	}
	r = f.run(nil, "-o", "StrictHostKeyChecking=yes", "-o", "CASignatureAlgorithms=rsa-sha2-512", "test", "true")
	if r.code == 0 || !strings.Contains(r.stderr, "Host certificate signature algorithm ssh-ed25519 not in CASignatureAlgorithms") {
		t.Fatalf("CA algorithm not allowed: %v", r)
	}
}
