package client

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// DefaultIdentityFiles are tried when no IdentityFile is configured, in
// OpenSSH 10.6's order (ssh_config(5), IdentityFile; the strings of its
// ssh binary).
var DefaultIdentityFiles = []string{
	"~/.ssh/id_rsa", "~/.ssh/id_ecdsa", "~/.ssh/id_ecdsa_sk",
	"~/.ssh/id_ed25519", "~/.ssh/id_ed25519_sk", "~/.ssh/id_mldsa44_ed25519",
}

// identity is one public key to offer, with where it came from.
type identity struct {
	signer ssh.Signer
	source string // file path or "agent"
}

// openAgent connects to the agent named by IdentityAgent or
// $SSH_AUTH_SOCK; it returns nil when there is none.
func (d *Dialer) openAgent() agent.ExtendedAgent {
	if d.Agent != nil {
		return d.Agent
	}
	sock := d.Config.IdentityAgent
	if sock == "none" {
		return nil
	}
	if sock == "" {
		sock = os.Getenv("SSH_AUTH_SOCK")
	}
	if sock == "" {
		return nil
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		d.Log.Debug(1, "pubkey_prepare: ssh_get_authentication_socket: %v", err)
		return nil
	}
	d.agentConn = c
	return agent.NewClient(c)
}

// identities gathers the keys to offer, like OpenSSH's pubkey_prepare:
// each identity file in order (using the agent's copy when the agent has
// the same key, so no passphrase is needed), then the agent's other keys
// unless IdentitiesOnly.
func (d *Dialer) identities(ag agent.ExtendedAgent) []identity {
	r := d.Config
	var agentSigners []ssh.Signer
	if ag != nil {
		s, err := ag.Signers()
		if err != nil {
			d.Log.Debug(1, "agent: %v", err)
		}
		agentSigners = s
	}
	files := r.IdentityFiles
	if len(files) == 0 {
		for _, f := range DefaultIdentityFiles {
			files = append(files, expandHome(f, r.Home))
		}
	}
	used := map[int]bool{}
	var out []identity
	for _, f := range files {
		s, err := d.loadIdentity(f)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				d.Log.Error("Load key \"%s\": %v", f, err)
			} else {
				d.Log.Debug(1, "identity file %s type -1", f)
			}
			continue
		}
		d.Log.Debug(1, "identity file %s type %s", f, s.PublicKey().Type())
		blob := s.PublicKey().Marshal()
		for i, as := range agentSigners {
			if !used[i] && bytes.Equal(as.PublicKey().Marshal(), blob) {
				used[i] = true
				s = as
				break
			}
		}
		out = append(out, identity{signer: s, source: f})
		for _, c := range d.certificatesFor(f, s) {
			out = append(out, identity{signer: c, source: f})
		}
	}
	if !r.IdentitiesOnly {
		for i, as := range agentSigners {
			if !used[i] {
				out = append(out, identity{signer: as, source: "agent"})
			}
		}
	}
	return d.filterAccepted(out)
}

// filterAccepted applies PubkeyAcceptedAlgorithms: keys of other types are
// dropped and RSA keys are restricted to the accepted signature
// algorithms.
func (d *Dialer) filterAccepted(ids []identity) []identity {
	accepted := d.Config.PubkeyAcceptedAlgorithms
	if len(accepted) == 0 {
		return ids
	}
	var out []identity
	for _, id := range ids {
		algs := algorithmsForKey(id.signer.PublicKey().Type())
		var ok []string
		for _, a := range algs {
			if slices.Contains(accepted, a) {
				ok = append(ok, a)
			}
		}
		if len(ok) == 0 {
			d.Log.Debug(1, "Skipping %s key %s: key type not in PubkeyAcceptedAlgorithms", id.signer.PublicKey().Type(), id.source)
			continue
		}
		if len(ok) < len(algs) {
			if as, isAS := id.signer.(ssh.AlgorithmSigner); isAS {
				if ms, err := ssh.NewSignerWithAlgorithms(as, ok); err == nil {
					id.signer = ms
				}
			}
		}
		out = append(out, id)
	}
	return out
}

func algorithmsForKey(t string) []string {
	switch t {
	case ssh.KeyAlgoRSA:
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	case ssh.CertAlgoRSAv01:
		return []string{ssh.CertAlgoRSASHA512v01, ssh.CertAlgoRSASHA256v01, ssh.CertAlgoRSAv01}
	}
	return []string{t}
}

// certificatesFor returns certificate signers for the key loaded from
// path: path-cert.pub and any CertificateFile whose key matches.
func (d *Dialer) certificatesFor(path string, s ssh.Signer) []ssh.Signer {
	var out []ssh.Signer
	blob := s.PublicKey().Marshal()
	for _, cf := range append([]string{path + "-cert.pub"}, d.Config.CertificateFiles...) {
		data, err := os.ReadFile(cf)
		if err != nil {
			continue
		}
		pk, _, _, _, err := ssh.ParseAuthorizedKey(data)
		if err != nil {
			continue
		}
		cert, ok := pk.(*ssh.Certificate)
		if !ok || !bytes.Equal(cert.Key.Marshal(), blob) {
			continue
		}
		cs, err := ssh.NewCertSigner(cert, s)
		if err == nil {
			out = append(out, cs)
		}
	}
	return out
}

// loadIdentity reads a private key. An encrypted key becomes a signer that
// asks for the passphrase only when the server accepts the public key.
func (d *Dialer) loadIdentity(path string) (ssh.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ssh.ParsePrivateKey(data)
	if err == nil {
		return s, nil
	}
	var pm *ssh.PassphraseMissingError
	if !errors.As(err, &pm) {
		return nil, err
	}
	pub := pm.PublicKey
	if pub == nil {
		pubData, err := os.ReadFile(path + ".pub")
		if err != nil {
			return nil, fmt.Errorf("encrypted key without a public key: %w", err)
		}
		if pub, _, _, _, err = ssh.ParseAuthorizedKey(pubData); err != nil {
			return nil, fmt.Errorf("%s.pub: %w", path, err)
		}
	}
	return &lazySigner{pub: pub, path: path, data: data, d: d}, nil
}

// lazySigner is an encrypted private key, decrypted on first use.
type lazySigner struct {
	pub  ssh.PublicKey
	path string
	data []byte
	d    *Dialer

	mu     sync.Mutex
	signer ssh.AlgorithmSigner
	err    error
}

func (l *lazySigner) PublicKey() ssh.PublicKey { return l.pub }

func (l *lazySigner) load() (ssh.AlgorithmSigner, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.signer != nil || l.err != nil {
		return l.signer, l.err
	}
	r := l.d.Config
	if r.BatchMode || l.d.Prompt == nil {
		l.err = fmt.Errorf("key %s is encrypted and there is no way to ask for its passphrase", l.path)
		return nil, l.err
	}
	prompt := fmt.Sprintf("Enter passphrase for key '%s': ", l.path)
	for range max(r.NumberOfPasswordPrompts, 1) {
		pass, err := l.d.Prompt.Prompt(prompt, false)
		if err != nil || pass == "" {
			break
		}
		s, err := ssh.ParsePrivateKeyWithPassphrase(l.data, []byte(pass))
		if err == nil {
			as, ok := s.(ssh.AlgorithmSigner)
			if !ok {
				l.err = fmt.Errorf("key %s cannot sign", l.path)
				return nil, l.err
			}
			l.signer = as
			return as, nil
		}
		prompt = fmt.Sprintf("Bad passphrase, try again for %s: ", l.path)
	}
	l.err = fmt.Errorf("no passphrase for key %s", l.path)
	return nil, l.err
}

func (l *lazySigner) Sign(rand io.Reader, data []byte) (*ssh.Signature, error) {
	s, err := l.load()
	if err != nil {
		return nil, err
	}
	return s.Sign(rand, data)
}

func (l *lazySigner) SignWithAlgorithm(rand io.Reader, data []byte, algorithm string) (*ssh.Signature, error) {
	s, err := l.load()
	if err != nil {
		return nil, err
	}
	return s.SignWithAlgorithm(rand, data, algorithm)
}

// authenticator chooses the next authentication attempt the way ssh does:
// the methods of PreferredAuthentications in order, each public key once,
// skipping methods the server does not allow.
type authenticator struct {
	d     *Dialer
	cands []authCandidate
	next  int
	last  string
}

type authCandidate struct {
	method string
	auth   ssh.AuthMethod
	desc   string
}

func (d *Dialer) newAuthenticator(ids []identity, user string) *authenticator {
	r := d.Config
	a := &authenticator{d: d}
	for _, m := range r.PreferredAuthentications {
		switch m {
		case "publickey":
			if !r.PubkeyAuthentication {
				continue
			}
			for _, id := range ids {
				pk := id.signer.PublicKey()
				a.cands = append(a.cands, authCandidate{
					method: "publickey",
					auth:   ssh.PublicKeys(id.signer),
					desc:   fmt.Sprintf("%s %s %s", id.source, pk.Type(), Fingerprint(pk, r.FingerprintHash)),
				})
			}
		case "keyboard-interactive":
			if !r.KbdInteractiveAuthentication || r.BatchMode || d.Prompt == nil {
				continue
			}
			a.cands = append(a.cands, authCandidate{method: m, auth: ssh.RetryableAuthMethod(
				ssh.KeyboardInteractive(d.keyboardInteractive), max(r.NumberOfPasswordPrompts, 1))})
		case "password":
			if !r.PasswordAuthentication || r.BatchMode || d.Prompt == nil {
				continue
			}
			prompt := fmt.Sprintf("%s@%s's password: ", user, r.HostName)
			attempt := 0
			a.cands = append(a.cands, authCandidate{method: m, auth: ssh.RetryableAuthMethod(
				ssh.PasswordCallback(func() (string, error) {
					// OpenSSH's userauth_passwd: every prompt after the
					// first follows a refused password.
					if attempt++; attempt > 1 {
						d.Log.Error("Permission denied, please try again.")
					}
					return d.Prompt.Prompt(prompt, false)
				}),
				max(r.NumberOfPasswordPrompts, 1))})
		}
	}
	return a
}

// callback implements ssh.ClientAuthCallback.
func (a *authenticator) callback(ctx *ssh.ClientAuthContext) (ssh.AuthMethod, error) {
	a.d.Log.Debug(1, "Authentications that can continue: %s", strings.Join(ctx.AllowedMethods, ","))
	for a.next < len(a.cands) {
		c := a.cands[a.next]
		a.next++
		if !slices.Contains(ctx.AllowedMethods, c.method) {
			continue
		}
		a.last = c.method
		if c.desc != "" {
			a.d.Log.Debug(1, "Offering public key: %s", c.desc)
		} else {
			a.d.Log.Debug(1, "Next authentication method: %s", c.method)
		}
		return c.auth, nil
	}
	return nil, &PermissionDeniedError{User: ctx.Metadata.User(), Host: a.d.Config.HostName, Methods: ctx.AllowedMethods}
}

// PermissionDeniedError is returned when every authentication method
// failed.
type PermissionDeniedError struct {
	User, Host string
	Methods    []string
}

func (e *PermissionDeniedError) Error() string {
	return fmt.Sprintf("%s@%s: Permission denied (%s).", e.User, e.Host, strings.Join(e.Methods, ","))
}

func (d *Dialer) keyboardInteractive(name, instruction string, questions []string, echos []bool) ([]string, error) {
	if name != "" {
		d.Log.Error("%s", name)
	}
	if instruction != "" {
		d.Log.Error("%s", instruction)
	}
	answers := make([]string, len(questions))
	for i, q := range questions {
		a, err := d.Prompt.Prompt(d.Log.Sanitize(q), echos[i])
		if err != nil {
			return nil, err
		}
		answers[i] = a
	}
	return answers, nil
}

func expandHome(p, home string) string {
	if strings.HasPrefix(p, "~/") {
		return home + p[1:]
	}
	return p
}
