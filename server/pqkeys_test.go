package server

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/pqsig"
	"github.com/pqssh/pqssh/server/config"
)

func newPQSigner(t testing.TB, algo string) gossh.Signer {
	t.Helper()
	s, _ := pqsig.Lookup(algo)
	k, err := s.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestPQHostAndUserKeys: pqsshd generates an ML-DSA host key named like
// OpenSSH 10.6's, offers it first, signs the exchange with it, and accepts
// ML-DSA user keys from authorized_keys with their options.
func TestPQHostAndUserKeys(t *testing.T) {
	dir := t.TempDir()
	pqKey := filepath.Join(dir, "ssh_host_mldsa44_ed25519_key")
	e := startServer(t, `restrict,command="echo forced $SSH_ORIGINAL_COMMAND"`, "HostKey "+pqKey)
	if _, err := os.Stat(pqKey + ".pub"); err != nil {
		t.Fatalf("no generated public key: %v", err)
	}
	hk := e.srv.HostKeys()
	if len(hk) != 2 || hk[0].Type() != pqsig.MLDSA44Ed25519 || hk[1].Type() != gossh.KeyAlgoED25519 {
		t.Fatalf("host keys %v, want the ML-DSA one first", types(hk))
	}
	// The generated file is what OpenSSH 10.6 writes: it loads as ours.
	data, err := os.ReadFile(pqKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gossh.ParsePrivateKey(data); err != nil {
		t.Fatalf("generated key: %v", err)
	}

	for _, algo := range pqsig.DefaultOrder {
		t.Run(algo, func(t *testing.T) {
			user := newPQSigner(t, algo)
			e.authorize(e.user, `restrict,command="echo forced $SSH_ORIGINAL_COMMAND"`, user.PublicKey())
			cfg := e.clientConfig(e.user, user)
			cfg.HostKeyAlgorithms = []string{pqsig.MLDSA44Ed25519}
			cfg.HostKeyCallback = gossh.FixedHostKey(hk[0])
			c, err := gossh.Dial("tcp", e.addr, cfg)
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			defer c.Close()
			out, err := run(t, c, "ignored")
			if err != nil || strings.TrimSpace(out) != "forced ignored" {
				t.Fatalf("forced command: %q, %v", out, err)
			}
			e.logs.waitLog(t, "hostkey="+pqsig.MLDSA44Ed25519)
			e.logs.waitLog(t, "sigalg="+algo)
		})
	}
}

func types(keys []gossh.PublicKey) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.Type())
	}
	return out
}

// TestPQPubkeyAcceptedAlgorithms: an ML-DSA user key is refused when its
// algorithm is not listed, and the default lists put the PQ ones first.
func TestPQPubkeyAcceptedAlgorithms(t *testing.T) {
	e := startServer(t, "", "PubkeyAcceptedAlgorithms ssh-ed25519,ssh-mldsa-65")
	pq := newPQSigner(t, pqsig.MLDSA44Ed25519)
	e.authorize(e.user, "", pq.PublicKey())
	if c, err := e.dial(e.user, pq); err == nil {
		c.Close()
		t.Fatal("ssh-mldsa44-ed25519 user key accepted with PubkeyAcceptedAlgorithms ssh-ed25519,ssh-mldsa-65")
	}
	ok := newPQSigner(t, pqsig.MLDSA65)
	e.authorize(e.user, "", ok.PublicKey())
	c, err := e.dial(e.user, ok)
	if err != nil {
		t.Fatalf("ssh-mldsa-65 key: %v", err)
	}
	c.Close()

	cfg := mustConfig(t, "")
	// HostKeyAlgorithms: certificates first (the post-quantum one first),
	// then the plain keys, post-quantum first.
	hostPlain := slices.DeleteFunc(slices.Clone(cfg.HostKeyAlgorithms), config.IsCertAlgorithm)
	if cfg.HostKeyAlgorithms[0] != pqsig.MLDSA44Ed25519Cert || !config.IsCertAlgorithm(cfg.HostKeyAlgorithms[len(cfg.HostKeyAlgorithms)-len(hostPlain)-1]) {
		t.Errorf("default HostKeyAlgorithms %v: want the certificates first, %s first among them", cfg.HostKeyAlgorithms, pqsig.MLDSA44Ed25519Cert)
	}
	for _, list := range [][]string{hostPlain, cfg.PubkeyAcceptedAlgorithms} {
		if !slices.Equal(list[:len(pqsig.DefaultOrder)], pqsig.DefaultOrder) {
			t.Errorf("default list %v does not start with %v", list, pqsig.DefaultOrder)
		}
	}
}

// TestForkyHostKeyLines: the HostKey lines of Debian forky's sshd_config
// (ML-DSA, Ed25519, ECDSA, RSA), with the ML-DSA key made by OpenSSH
// 10.6's ssh-keygen: pqsshd starts and offers all four, ML-DSA first.
func TestForkyHostKeyLines(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("../testvectors/pqsig/openssh-10.6/id_mldsa44_ed25519")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ssh_host_mldsa44_ed25519_key"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, n := range []string{"mldsa44_ed25519", "ed25519", "ecdsa", "rsa"} {
		lines = append(lines, "HostKey "+filepath.Join(dir, "ssh_host_"+n+"_key"))
	}
	srv, err := New(mustConfig(t, strings.Join(lines, "\n")+"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	got := types(srv.HostKeys())
	want := []string{pqsig.MLDSA44Ed25519, gossh.KeyAlgoED25519, gossh.KeyAlgoECDSA256, gossh.KeyAlgoRSA}
	if len(got) != len(want) || got[0] != want[0] {
		t.Fatalf("host keys %v, want %v (ML-DSA first)", got, want)
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Fatalf("host keys %v lack %s", got, w)
		}
	}
}

// TestPQCertificates: TrustedUserCAKeys with ML-DSA and Ed25519 CAs and
// ML-DSA and Ed25519 user keys, every combination; the certificate is
// checked (principal, CA) as for classical keys.
func TestPQCertificates(t *testing.T) {
	dir := t.TempDir()
	cas := map[string]gossh.Signer{"mldsa": newPQSigner(t, pqsig.MLDSA44Ed25519), "ed25519": newSigner(t), "mldsa-65": newPQSigner(t, pqsig.MLDSA65)}
	var trusted []byte
	for _, name := range []string{"mldsa", "ed25519", "mldsa-65"} {
		trusted = append(trusted, gossh.MarshalAuthorizedKey(cas[name].PublicKey())...)
	}
	caFile := filepath.Join(dir, "ca.pub")
	os.WriteFile(caFile, trusted, 0o644)
	e := startServer(t, "", "TrustedUserCAKeys "+caFile)
	for caName, ca := range cas {
		for _, key := range []gossh.Signer{newPQSigner(t, pqsig.MLDSA44Ed25519), newPQSigner(t, pqsig.MLDSA87), newSigner(t)} {
			name := caName + " CA, " + key.PublicKey().Type() + " key"
			good := certFor(t, ca, key, []string{e.user}, time.Hour, nil)
			c, err := e.dial(e.user, good)
			if err != nil {
				t.Errorf("%s: refused: %v", name, err)
				continue
			}
			c.Close()
			if c, err := e.dial(e.user, certFor(t, ca, key, []string{"someone-else"}, time.Hour, nil)); err == nil {
				c.Close()
				t.Errorf("%s: wrong principal accepted", name)
			}
		}
	}
	untrusted := certFor(t, newPQSigner(t, pqsig.MLDSA44Ed25519), newPQSigner(t, pqsig.MLDSA44Ed25519), []string{e.user}, time.Hour, nil)
	if c, err := e.dial(e.user, untrusted); err == nil {
		c.Close()
		t.Error("certificate from an untrusted ML-DSA CA accepted")
	}
	e.logs.waitLog(t, "sigalg="+pqsig.MLDSA87) // only certificates log in here
}
