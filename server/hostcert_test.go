package server

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/client"
	clientconfig "github.com/pqssh/pqssh/client/config"
	"github.com/pqssh/pqssh/pqsig"
)

// writeHostKey writes a new host key of algo (ssh-ed25519 or a pqsig
// scheme) to dir/name in OpenSSH format and returns its signer.
func writeHostKey(t *testing.T, dir, name, algo string) gossh.Signer {
	t.Helper()
	var data []byte
	if algo == gossh.KeyAlgoED25519 {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		block, err := gossh.MarshalPrivateKey(priv, "")
		if err != nil {
			t.Fatal(err)
		}
		data = pem.EncodeToMemory(block)
	} else {
		sc, _ := pqsig.Lookup(algo)
		k, err := sc.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if data, err = k.MarshalOpenSSH(""); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := gossh.ParsePrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// writeHostCert signs a host certificate for key by ca, valid for
// principals, and writes it to path as ssh-keygen -s would.
func writeHostCert(t *testing.T, path string, ca gossh.Signer, key gossh.PublicKey, principals ...string) *gossh.Certificate {
	t.Helper()
	cert := &gossh.Certificate{
		Key:             key,
		CertType:        gossh.HostCert,
		KeyId:           "test host",
		Serial:          7,
		ValidPrincipals: principals,
		ValidAfter:      uint64(time.Now().Add(-time.Minute).Unix()),
		ValidBefore:     uint64(time.Now().Add(time.Hour).Unix()),
	}
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, gossh.MarshalAuthorizedKey(cert), 0o644); err != nil {
		t.Fatal(err)
	}
	return cert
}

// hostCertChecker is a client's @cert-authority trust in ca.
func hostCertChecker(ca gossh.PublicKey) gossh.HostKeyCallback {
	c := &gossh.CertChecker{
		IsHostAuthority: func(auth gossh.PublicKey, _ string) bool {
			return bytes.Equal(auth.Marshal(), ca.Marshal())
		},
	}
	return c.CheckHostKey
}

// TestHostCertificates: pqsshd presents HostCertificate files of a
// classical and an ML-DSA host key, each signed by an Ed25519 or an
// ML-DSA CA, under the certificate algorithms; a client trusting the CA
// accepts them, one trusting another CA refuses them, and the plain keys
// stay on offer (and are all hostkeys-00 announces).
func TestHostCertificates(t *testing.T) {
	dir := t.TempDir()
	edKey := writeHostKey(t, dir, "host_ed25519", gossh.KeyAlgoED25519)
	pqKey := writeHostKey(t, dir, "host_mldsa44_ed25519", pqsig.MLDSA44Ed25519)
	edCA, pqCA := newSigner(t), newPQSigner(t, pqsig.MLDSA44Ed25519)
	writeHostCert(t, filepath.Join(dir, "host_ed25519-cert.pub"), pqCA, edKey.PublicKey(), "127.0.0.1")
	writeHostCert(t, filepath.Join(dir, "host_mldsa44_ed25519-cert.pub"), edCA, pqKey.PublicKey(), "127.0.0.1")
	e := startServer(t, "", strings.Join([]string{
		"HostKey " + filepath.Join(dir, "host_ed25519"),
		"HostKey " + filepath.Join(dir, "host_mldsa44_ed25519"),
		"HostCertificate " + filepath.Join(dir, "host_ed25519-cert.pub"),
		"HostCertificate " + filepath.Join(dir, "host_mldsa44_ed25519-cert.pub"),
	}, "\n"))
	for _, k := range e.srv.HostKeys() {
		if _, ok := k.(*gossh.Certificate); ok {
			t.Errorf("HostKeys (what hostkeys-00 announces) includes a certificate %s", k.Type())
		}
	}
	for _, tc := range []struct {
		algo    string
		ca      gossh.Signer
		certKey gossh.PublicKey
	}{
		{gossh.CertAlgoED25519v01, pqCA, edKey.PublicKey()},
		{pqsig.MLDSA44Ed25519Cert, edCA, pqKey.PublicKey()},
	} {
		t.Run(tc.algo, func(t *testing.T) {
			cfg := e.clientConfig(e.user, e.key)
			cfg.HostKeyAlgorithms = []string{tc.algo}
			var seen gossh.PublicKey
			check := hostCertChecker(tc.ca.PublicKey())
			cfg.HostKeyCallback = func(host string, remote net.Addr, key gossh.PublicKey) error {
				seen = key
				return check(host, remote, key)
			}
			c, err := gossh.Dial("tcp", e.addr, cfg)
			if err != nil {
				t.Fatalf("certificate signed by the trusted CA refused: %v", err)
			}
			c.Close()
			cert, ok := seen.(*gossh.Certificate)
			if !ok || !bytes.Equal(cert.Key.Marshal(), tc.certKey.Marshal()) {
				t.Fatalf("server presented %v, want a certificate of the %s host key", seen, tc.certKey.Type())
			}
			e.logs.waitLog(t, "hostkey="+tc.algo)

			// A client trusting another CA refuses the same certificate.
			cfg.HostKeyCallback = hostCertChecker(newPQSigner(t, pqsig.MLDSA44Ed25519).PublicKey())
			if c, err := gossh.Dial("tcp", e.addr, cfg); err == nil {
				c.Close()
				t.Fatal("certificate accepted by a client trusting another CA")
			}
		})
	}
	// The plain keys are still offered.
	cfg := e.clientConfig(e.user, e.key)
	cfg.HostKeyAlgorithms = []string{pqsig.MLDSA44Ed25519}
	cfg.HostKeyCallback = gossh.FixedHostKey(pqKey.PublicKey())
	c, err := gossh.Dial("tcp", e.addr, cfg)
	if err != nil {
		t.Fatalf("plain ML-DSA host key: %v", err)
	}
	c.Close()
}

// TestHostCertificateErrors: pqsshd does not start with a HostCertificate
// it cannot use, and HostKeyAlgorithms without certificate algorithms
// leaves the certificates unoffered.
func TestHostCertificateErrors(t *testing.T) {
	dir := t.TempDir()
	key := writeHostKey(t, dir, "host_ed25519", gossh.KeyAlgoED25519)
	other := newPQSigner(t, pqsig.MLDSA65)
	ca := newSigner(t)
	writeHostCert(t, filepath.Join(dir, "other-cert.pub"), ca, other.PublicKey(), "h")
	writeHostCert(t, filepath.Join(dir, "good-cert.pub"), ca, key.PublicKey(), "h")
	userCert := certFor(t, ca, key, []string{"u"}, time.Hour, nil).PublicKey()
	os.WriteFile(filepath.Join(dir, "user-cert.pub"), gossh.MarshalAuthorizedKey(userCert), 0o644)
	os.WriteFile(filepath.Join(dir, "plain.pub"), gossh.MarshalAuthorizedKey(key.PublicKey()), 0o644)
	base := "HostKey " + filepath.Join(dir, "host_ed25519") + "\n"
	for _, tc := range []struct{ conf, want string }{
		{"HostCertificate " + filepath.Join(dir, "other-cert.pub"), "no matching private host key"},
		{"HostCertificate " + filepath.Join(dir, "user-cert.pub"), "not a host certificate"},
		{"HostCertificate " + filepath.Join(dir, "plain.pub"), "not a certificate"},
		{"HostCertificate " + filepath.Join(dir, "missing-cert.pub"), "no such file"},
		{"HostCertificate " + filepath.Join(dir, "good-cert.pub") + "\nHostCertificate " + filepath.Join(dir, "good-cert.pub"), "already has the certificate"},
	} {
		_, err := New(mustConfig(t, base+tc.conf), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.conf, err, tc.want)
		}
	}
	srv, err := New(mustConfig(t, base+"HostCertificate "+filepath.Join(dir, "good-cert.pub")+"\nHostKeyAlgorithms ssh-ed25519"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srv.hostSigners() {
		if _, ok := s.PublicKey().(*gossh.Certificate); ok {
			t.Error("certificate kept although HostKeyAlgorithms lists no certificate algorithm")
		}
	}
	srv, err = New(mustConfig(t, base+"HostCertificate "+filepath.Join(dir, "good-cert.pub")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := offeredAlgorithms(srv.hostSigners()[0]); len(got) != 1 || got[0] != gossh.CertAlgoED25519v01 {
		t.Errorf("first host key offered as %v, want the certificate first", got)
	}
}

// TestHostCertificatePqssh: pqssh with its default HostKeyAlgorithms and
// only an @cert-authority line for an ML-DSA CA in known_hosts negotiates
// pqsshd's ML-DSA host certificate and accepts it; with another CA it
// refuses the host.
func TestHostCertificatePqssh(t *testing.T) {
	dir := t.TempDir()
	pqKey := writeHostKey(t, dir, "host_mldsa44_ed25519", pqsig.MLDSA44Ed25519)
	ca := newPQSigner(t, pqsig.MLDSA44Ed25519)
	writeHostCert(t, filepath.Join(dir, "host-cert.pub"), ca, pqKey.PublicKey(), "127.0.0.1")
	e := startServer(t, "", "HostKey "+filepath.Join(dir, "host_mldsa44_ed25519")+"\nHostCertificate "+filepath.Join(dir, "host-cert.pub"))
	u := newMcTinyUser(t, e)
	for _, tc := range []struct {
		name    string
		ca      gossh.PublicKey
		trusted bool
	}{
		{"trusted CA", ca.PublicKey(), true},
		{"other CA", newSigner(t).PublicKey(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kh := filepath.Join(t.TempDir(), "known_hosts")
			os.WriteFile(kh, []byte("@cert-authority * "+string(gossh.MarshalAuthorizedKey(tc.ca))), 0o644)
			host, port, _ := net.SplitHostPort(e.addr)
			o, err := clientconfig.Load(clientconfig.Context{Host: "test", LocalUser: e.user, Home: u.home}, []string{
				"HostName " + host, "Port " + port, "User " + e.user, "UserKnownHostsFile " + kh,
				"GlobalKnownHostsFile none", "BatchMode yes", "IdentityFile none", "StrictHostKeyChecking yes",
			}, "none")
			if err != nil {
				t.Fatal(err)
			}
			r, err := o.Resolve()
			if err != nil {
				t.Fatal(err)
			}
			log := &syncBuffer{}
			d := &client.Dialer{Config: r, Agent: u.ag, Log: client.NewLogger(log, client.ParseLevel("DEBUG1"))}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := d.Dial(ctx)
			if !tc.trusted {
				if err == nil {
					c.Close()
					t.Fatalf("host certificate from an untrusted CA accepted:\n%s", log.String())
				}
				return
			}
			if err != nil {
				t.Fatalf("dial: %v\n%s", err, log.String())
			}
			c.Close()
			for _, want := range []string{
				"host key algorithm: " + pqsig.MLDSA44Ed25519Cert,
				"matches the MLDSA44-ED25519-CERT host certificate",
			} {
				if !strings.Contains(log.String(), want) {
					t.Errorf("pqssh log lacks %q:\n%s", want, log.String())
				}
			}
		})
	}
}

// TestHostCertificatesOtherTypes: RSA host certificates are offered under
// the rsa-sha2 certificate names, ECDSA and pure ML-DSA ones under theirs,
// all signed here by an ML-DSA CA.
func TestHostCertificatesOtherTypes(t *testing.T) {
	dir := t.TempDir()
	ca := newPQSigner(t, pqsig.MLDSA44Ed25519)
	conf := ""
	for _, k := range []struct {
		name string
		priv crypto.Signer
	}{
		{"host_rsa", mustRSA(t)},
		{"host_ecdsa", mustECDSA(t)},
	} {
		block, err := gossh.MarshalPrivateKey(k.priv, "")
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, k.name), pem.EncodeToMemory(block), 0o600)
		pub, _ := gossh.NewPublicKey(k.priv.Public())
		writeHostCert(t, filepath.Join(dir, k.name+"-cert.pub"), ca, pub, "127.0.0.1")
		conf += "HostKey " + filepath.Join(dir, k.name) + "\nHostCertificate " + filepath.Join(dir, k.name+"-cert.pub") + "\n"
	}
	pure := writeHostKey(t, dir, "host_mldsa_65", pqsig.MLDSA65)
	writeHostCert(t, filepath.Join(dir, "host_mldsa_65-cert.pub"), ca, pure.PublicKey(), "127.0.0.1")
	conf += "HostKey " + filepath.Join(dir, "host_mldsa_65") + "\nHostCertificate " + filepath.Join(dir, "host_mldsa_65-cert.pub") + "\n"
	e := startServer(t, "", conf)
	for _, algo := range []string{gossh.CertAlgoRSASHA512v01, gossh.CertAlgoRSASHA256v01, gossh.CertAlgoECDSA256v01, gossh.CertAlgoMLDSA65v01Go} {
		cfg := e.clientConfig(e.user, e.key)
		cfg.HostKeyAlgorithms = []string{algo}
		cfg.HostKeyCallback = hostCertChecker(ca.PublicKey())
		c, err := gossh.Dial("tcp", e.addr, cfg)
		if err != nil {
			t.Errorf("%s: %v", algo, err)
			continue
		}
		c.Close()
		e.logs.waitLog(t, "hostkey="+algo)
	}
}

func mustRSA(t *testing.T) crypto.Signer {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustECDSA(t *testing.T) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
