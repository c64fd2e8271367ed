package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshkey"
	"github.com/pqssh/pqssh/internal/sshpattern"
	"github.com/pqssh/pqssh/internal/sshsig"
)

// sigMode is -Y: SSHSIG signatures (OpenSSH's PROTOCOL.sshsig).
func sigMode(o *opts, e *env) error {
	switch o.val['Y'] {
	case "sign":
		return sigSign(o, e)
	case "verify":
		return sigVerify(o, e, false)
	case "find-principals":
		return sigVerify(o, e, true)
	case "check-novalidate":
		return sigCheck(o, e)
	}
	return fmt.Errorf("Unsupported operation for -Y: \"%s\"", o.val['Y'])
}

func sigSign(o *opts, e *env) error {
	ns := o.val['n']
	if ns == "" {
		return errors.New("Too few arguments for sign: missing namespace")
	}
	path := o.val['f']
	if path == "" {
		return errors.New("Too few arguments for sign: missing key")
	}
	f, err := loadPrivate(path, o, e, "Enter passphrase: ")
	if err != nil {
		return err
	}
	defer f.Destroy()
	s, err := f.Signer()
	if err != nil {
		return err
	}
	if len(o.args) == 0 {
		msg, err := io.ReadAll(e.stdin)
		if err != nil {
			return err
		}
		sig, err := sshsig.Sign(rand.Reader, s, ns, msg)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(sig)
		return err
	}
	for _, name := range o.args {
		msg, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("Cannot open %s: %v", name, err)
		}
		if !o.flags['q'] {
			fmt.Fprintf(e.stderr, "Signing file %s\n", name)
		}
		sig, err := sshsig.Sign(rand.Reader, s, ns, msg)
		if err != nil {
			return fmt.Errorf("Signing %s failed: %v", name, err)
		}
		if err := os.WriteFile(name+".sig", sig, 0o644); err != nil {
			return err
		}
		if !o.flags['q'] {
			fmt.Fprintf(e.stderr, "Write signature to %s.sig\n", name)
		}
	}
	return nil
}

// readSig reads -s and the message from stdin and checks the signature
// cryptographically; the caller decides whether the key is trusted.
func readSig(o *opts, e *env, needMessage bool) (ssh.PublicKey, error) {
	sigFile := o.val['s']
	if sigFile == "" {
		return nil, errors.New("Too few arguments: missing signature file")
	}
	sig, err := os.ReadFile(sigFile)
	if err != nil {
		return nil, fmt.Errorf("Couldn't read signature file: %v", err)
	}
	if !needMessage {
		return sshsig.PublicKey(sig)
	}
	msg, err := io.ReadAll(e.stdin)
	if err != nil {
		return nil, err
	}
	return sshsig.Verify(sig, o.val['n'], msg)
}

func sigCheck(o *opts, e *env) error {
	if o.val['n'] == "" {
		return errors.New("Too few arguments for check-novalidate: missing namespace")
	}
	pub, err := readSig(o, e, true)
	if err != nil {
		fmt.Fprintf(e.stderr, "%v\nCould not verify signature.\n", err)
		return exitError(255)
	}
	fmt.Fprintf(e.stdout, "Good \"%s\" signature with %s key %s\n", o.val['n'], sshkey.KeyTypeLabel(pub), ssh.FingerprintSHA256(pub))
	return nil
}

// sigVerify is -Y verify (the signature of -I's identity, by a key
// allowed_signers -f trusts for it) and -Y find-principals (the
// principals allowed_signers gives the signing key).
func sigVerify(o *opts, e *env, find bool) error {
	ns, id := o.val['n'], o.val['I']
	if o.val['f'] == "" || (!find && (ns == "" || id == "")) {
		return errors.New("Too few arguments for verify: missing signature file, namespace, identity or allowed signers file")
	}
	signers, err := readAllowedSigners(o.val['f'])
	if err != nil {
		return err
	}
	pub, err := readSig(o, e, !find)
	if err != nil {
		fmt.Fprintf(e.stderr, "%v\nCould not verify signature.\n", err)
		return exitError(255)
	}
	now := time.Now()
	var principals []string
	for _, a := range signers {
		if !a.trusts(pub, now) {
			continue
		}
		if find {
			principals = append(principals, strings.Split(a.principals, ",")...)
			continue
		}
		if sshpattern.MatchCommaList(id, a.principals) != 1 {
			continue
		}
		if a.namespaces != "" && sshpattern.MatchCommaList(ns, a.namespaces) != 1 {
			continue
		}
		if c, ok := pub.(*ssh.Certificate); ok && !containsString(c.ValidPrincipals, id) {
			continue
		}
		fmt.Fprintf(e.stdout, "Good \"%s\" signature for %s with %s key %s\n", ns, id, sshkey.KeyTypeLabel(pub), ssh.FingerprintSHA256(pub))
		return nil
	}
	if find && len(principals) > 0 {
		fmt.Fprintln(e.stdout, strings.Join(principals, "\n"))
		return nil
	}
	if find {
		logit(e.stderr, "No principal matched.")
		return exitError(255)
	}
	fmt.Fprintf(e.stderr, "Could not verify signature.\n")
	return exitError(255)
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// allowedSigner is a line of an allowed_signers file (ssh-keygen(1),
// ALLOWED SIGNERS): principals, options, key.
type allowedSigner struct {
	principals  string
	namespaces  string
	certAuth    bool
	after       uint64
	before      uint64
	key         ssh.PublicKey
	validWindow bool
}

// trusts reports whether the line vouches for the signing key pub: the key
// itself, or a certificate of it signed by the line's CA (cert-authority),
// within valid-after/valid-before.
func (a *allowedSigner) trusts(pub ssh.PublicKey, now time.Time) bool {
	t := uint64(now.Unix())
	if a.validWindow && (t < a.after || t >= a.before) {
		return false
	}
	if c, ok := pub.(*ssh.Certificate); ok {
		return a.certAuth && c.CertType == ssh.UserCert && bytes.Equal(c.SignatureKey.Marshal(), a.key.Marshal()) &&
			t >= c.ValidAfter && t < c.ValidBefore
	}
	return !a.certAuth && bytes.Equal(pub.Marshal(), a.key.Marshal())
}

func readAllowedSigners(path string) ([]allowedSigner, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []allowedSigner
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		var principals, rest string
		if line[0] == '"' {
			end := strings.IndexByte(line[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("%s:%d: unterminated principals", path, n+1)
			}
			principals, rest = line[1:end+1], line[end+2:]
		} else {
			principals, rest, _ = strings.Cut(line, " ")
		}
		key, _, options, _, err := ssh.ParseAuthorizedKey([]byte(strings.TrimSpace(rest)))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
		}
		a := allowedSigner{principals: principals, key: key, before: ^uint64(0)}
		for _, opt := range options {
			name, val, _ := strings.Cut(opt, "=")
			val = strings.Trim(val, "\"")
			switch strings.ToLower(name) {
			case "cert-authority":
				a.certAuth = true
			case "namespaces":
				a.namespaces = val
			case "valid-after", "valid-before":
				spec := val + ":forever"
				if strings.ToLower(name) == "valid-before" {
					spec = "always:" + val
				}
				after, before, err := sshkey.ParseValidity(spec, time.Now())
				if err != nil {
					return nil, fmt.Errorf("%s:%d: %s: %w", path, n+1, name, err)
				}
				a.validWindow = true
				if strings.ToLower(name) == "valid-after" {
					a.after = after
				} else {
					a.before = before
				}
			}
		}
		out = append(out, a)
	}
	return out, nil
}
