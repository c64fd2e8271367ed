package server

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/pqsig"
	"github.com/pqssh/pqssh/server/config"
)

// DefaultHostKeyFiles are the host keys used when the configuration names
// none: OpenSSH's own paths when running as root (so pqsshd presents the
// host's existing identity), a per-user directory otherwise.
func DefaultHostKeyFiles(root bool) []string {
	dir := "/etc/ssh"
	if !root {
		base, err := os.UserConfigDir()
		if err != nil {
			base = os.TempDir()
		}
		dir = filepath.Join(base, "pqsshd")
	}
	return []string{
		filepath.Join(dir, "ssh_host_mldsa44_ed25519_key"),
		filepath.Join(dir, "ssh_host_ed25519_key"),
		filepath.Join(dir, "ssh_host_ecdsa_key"),
		filepath.Join(dir, "ssh_host_rsa_key"),
	}
}

// HostKeyFiles returns the host key files cfg names, or
// DefaultHostKeyFiles when it names none; root tells which defaults.
func HostKeyFiles(cfg *config.Config, root bool) []string {
	if len(cfg.HostKeys) > 0 {
		return cfg.HostKeys
	}
	return DefaultHostKeyFiles(root)
}

// loadHostKeys loads each host key file. With generate, the ones that do
// not exist are generated (type chosen by the file name: mldsa44_ed25519
// (OpenSSH 10.6's ssh_host_mldsa44_ed25519_key), mldsa_44, mldsa_65,
// mldsa_87, ed25519, ecdsa (P-256) or rsa (3072 bits); ed25519 when the
// name says nothing), the private key written in OpenSSH format with mode
// 0600 and the public key beside it. Without generate (pqsshd -t, which
// only checks) a missing file is skipped: it would be generated at start.
// Either way an existing file must be a private key that others cannot
// read.
func loadHostKeys(paths []string, generate bool, log func(msg string, args ...any)) ([]ssh.Signer, error) {
	var signers []ssh.Signer
	missing := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) && !generate {
			missing++
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			data, err = generateHostKey(p)
			if err == nil {
				log("generated host key", "path", p)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("host key %s: %w", p, err)
		}
		// Like sshd, refuse a private key others can read.
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("host key %s: permissions %#o are too open (others may read it); chmod 600", p, fi.Mode().Perm())
		}
		s, err := ssh.ParsePrivateKey(data)
		if err != nil {
			return nil, fmt.Errorf("host key %s: %w", p, err)
		}
		signers = append(signers, s)
	}
	if len(signers) == 0 && missing == 0 {
		return nil, errors.New("no host keys")
	}
	return signers, nil
}

// pqHostKeyNames maps what a host key file name contains to the
// post-quantum algorithm generated for it.
var pqHostKeyNames = []struct{ part, algo string }{
	{"mldsa44_ed25519", pqsig.MLDSA44Ed25519},
	{"mldsa44-ed25519", pqsig.MLDSA44Ed25519},
	{"mldsa_44", pqsig.MLDSA44},
	{"mldsa-44", pqsig.MLDSA44},
	{"mldsa_65", pqsig.MLDSA65},
	{"mldsa-65", pqsig.MLDSA65},
	{"mldsa_87", pqsig.MLDSA87},
	{"mldsa-87", pqsig.MLDSA87},
}

func generateHostKey(path string) ([]byte, error) {
	base := filepath.Base(path)
	for _, n := range pqHostKeyNames {
		if strings.Contains(base, n.part) {
			return generatePQHostKey(path, n.algo)
		}
	}
	var priv crypto.Signer
	var err error
	switch {
	case strings.Contains(base, "ecdsa"):
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case strings.Contains(base, "rsa"):
		priv, err = rsa.GenerateKey(rand.Reader, 3072)
	default:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(block)
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		return nil, err
	}
	if err := writeHostKeyFiles(path, data, pub); err != nil {
		return nil, err
	}
	return data, nil
}

func generatePQHostKey(path, algo string) ([]byte, error) {
	scheme, _ := pqsig.Lookup(algo)
	k, err := scheme.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	defer k.Destroy()
	data, err := k.MarshalOpenSSH("")
	if err != nil {
		return nil, err
	}
	if err := writeHostKeyFiles(path, data, k.PublicKey()); err != nil {
		clear(data)
		return nil, err
	}
	return data, nil
}

// writeHostKeyFiles writes a new private key file (0600) and its public key.
func writeHostKeyFiles(path string, data []byte, pub ssh.PublicKey) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	host, _ := os.Hostname()
	if err := writeNew(path, data, 0o600); err != nil {
		return err
	}
	pubLine := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " root@" + host + "\n"
	return os.WriteFile(path+".pub", []byte(pubLine), 0o644)
}

// orderHostKeys sorts host keys (and host certificates) by the position in
// HostKeyAlgorithms of the first algorithm they offer, so that pqsshd
// offers them in that order.
func orderHostKeys(signers []ssh.Signer, algos []string) {
	pos := func(s ssh.Signer) int {
		best := len(algos)
		for _, a := range offeredAlgorithms(s) {
			if i := slices.Index(algos, a); i >= 0 && i < best {
				best = i
			}
		}
		return best
	}
	slices.SortStableFunc(signers, func(a, b ssh.Signer) int { return pos(a) - pos(b) })
}

// offeredAlgorithms returns the host key algorithm names a signer is
// offered under: its signature algorithms, or for a host certificate the
// certificate algorithms of those.
func offeredAlgorithms(s ssh.Signer) []string {
	var sigAlgos []string
	if ms, ok := s.(ssh.MultiAlgorithmSigner); ok {
		sigAlgos = ms.Algorithms()
	} else {
		sigAlgos = []string{s.PublicKey().Type()}
	}
	if _, ok := s.PublicKey().(*ssh.Certificate); !ok {
		return sigAlgos
	}
	var out []string
	for certAlgo, sig := range certSignatureAlgorithms() {
		if slices.Contains(sigAlgos, sig) && certAlgoMatches(s.PublicKey().Type(), certAlgo) {
			out = append(out, certAlgo)
		}
	}
	slices.Sort(out)
	return out
}

// certAlgoMatches reports whether a host key algorithm name certAlgo is
// one under which a certificate of key type certType is offered (for RSA
// certificates, each of the rsa-sha2 variants).
func certAlgoMatches(certType, certAlgo string) bool {
	if certType == certAlgo {
		return true
	}
	return certType == ssh.CertAlgoRSAv01 && (certAlgo == ssh.CertAlgoRSASHA256v01 || certAlgo == ssh.CertAlgoRSASHA512v01)
}

// certSignatureAlgorithms maps each host key certificate algorithm name
// to the signature algorithm the certified key signs with: x/crypto's
// names and those the post-quantum schemes of package pqsig register.
func certSignatureAlgorithms() map[string]string {
	m := map[string]string{
		ssh.CertAlgoRSAv01:         ssh.KeyAlgoRSA,
		ssh.CertAlgoRSASHA256v01:   ssh.KeyAlgoRSASHA256,
		ssh.CertAlgoRSASHA512v01:   ssh.KeyAlgoRSASHA512,
		ssh.CertAlgoECDSA256v01:    ssh.KeyAlgoECDSA256,
		ssh.CertAlgoECDSA384v01:    ssh.KeyAlgoECDSA384,
		ssh.CertAlgoECDSA521v01:    ssh.KeyAlgoECDSA521,
		ssh.CertAlgoED25519v01:     ssh.KeyAlgoED25519,
		ssh.CertAlgoMLDSA44v01Go:   ssh.KeyAlgoMLDSA44,
		ssh.CertAlgoMLDSA65v01Go:   ssh.KeyAlgoMLDSA65,
		ssh.CertAlgoMLDSA87v01Go:   ssh.KeyAlgoMLDSA87,
		ssh.InsecureCertAlgoDSAv01: ssh.InsecureKeyAlgoDSA,
	}
	for _, name := range pqsig.Names() {
		if sc, ok := pqsig.Lookup(name); ok && sc.CertName != "" {
			m[sc.CertName] = sc.Name
		}
	}
	return m
}

// loadHostCertificates reads HostCertificate files (OpenSSH certificate
// format, as ssh-keygen -s writes them) and pairs each with the host key
// it certifies, returning signers that present the certificate and sign
// with that key. A file that is not a host certificate, or one whose key
// is none of the host keys, is an error: pqsshd does not start with a
// certificate it cannot use.
func loadHostCertificates(paths []string, keys []ssh.Signer) ([]ssh.Signer, error) {
	var out []ssh.Signer
	used := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("host certificate %s: %w", p, err)
		}
		pub, _, _, _, err := ssh.ParseAuthorizedKey(data)
		if err != nil {
			return nil, fmt.Errorf("host certificate %s: %w", p, err)
		}
		cert, ok := pub.(*ssh.Certificate)
		if !ok {
			return nil, fmt.Errorf("host certificate %s: not a certificate (%s key)", p, pub.Type())
		}
		if cert.CertType != ssh.HostCert {
			return nil, fmt.Errorf("host certificate %s: a user certificate, not a host certificate", p)
		}
		want := cert.Key.Marshal()
		i := slices.IndexFunc(keys, func(k ssh.Signer) bool { return bytes.Equal(k.PublicKey().Marshal(), want) })
		if i < 0 {
			return nil, fmt.Errorf("host certificate %s: no matching private host key (certified key %s %s)", p, cert.Key.Type(), ssh.FingerprintSHA256(cert.Key))
		}
		if prev, dup := used[string(want)]; dup {
			return nil, fmt.Errorf("host certificate %s: its host key already has the certificate %s", p, prev)
		}
		used[string(want)] = p
		s, err := ssh.NewCertSigner(cert, keys[i])
		if err != nil {
			return nil, fmt.Errorf("host certificate %s: %w", p, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// writeNew creates path exclusively, so two servers starting at once do
// not overwrite each other's key.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// restrictHostKeys applies HostKeyAlgorithms: each host key signs only with
// the listed algorithms its type supports, each host certificate is offered
// only under the listed certificate algorithms of its type, and a key or
// certificate with none is dropped.
func restrictHostKeys(signers []ssh.Signer, algos []string) ([]ssh.Signer, error) {
	certSig := certSignatureAlgorithms()
	var out []ssh.Signer
	for _, s := range signers {
		as, ok := s.(ssh.AlgorithmSigner)
		if !ok {
			continue
		}
		_, isCert := s.PublicKey().(*ssh.Certificate)
		var allowed []string
		for _, a := range algos {
			sig := a
			if isCert {
				var ok bool
				if sig, ok = certSig[a]; !ok || !certAlgoMatches(s.PublicKey().Type(), a) {
					continue
				}
			} else if _, ok := certSig[a]; ok {
				continue
			}
			if _, err := ssh.NewSignerWithAlgorithms(as, []string{sig}); err == nil && !slices.Contains(allowed, sig) {
				allowed = append(allowed, sig)
			}
		}
		if len(allowed) == 0 {
			continue
		}
		ms, err := ssh.NewSignerWithAlgorithms(as, allowed)
		if err != nil {
			return nil, err
		}
		out = append(out, ms)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no host key can sign with any of HostKeyAlgorithms %s", strings.Join(algos, ","))
	}
	return out, nil
}
