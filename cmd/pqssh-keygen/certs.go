package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshkey"
)

// signCerts is -s: sign each public key file given as an operand with the
// CA, writing FILE-cert.pub beside it (FILE without its .pub).
func signCerts(o *opts, e *env) error {
	id, ok := o.val['I']
	if !ok {
		return errors.New("Must specify key id (-I) when certifying")
	}
	if len(o.args) == 0 {
		fmt.Fprint(e.stderr, usageText)
		return exitError(1)
	}
	ca, err := loadPrivate(o.val['s'], o, e, "Enter passphrase: ")
	if err != nil {
		return err
	}
	defer ca.Destroy()
	signer, err := ca.Signer()
	if err != nil {
		return err
	}
	var serial uint64
	if z, ok := o.val['z']; ok {
		if serial, err = strconv.ParseUint(strings.TrimPrefix(z, "+"), 10, 64); err != nil {
			return fmt.Errorf("Invalid serial number \"%s\"", z)
		}
	}
	after, before := uint64(0), ^uint64(0)
	if v, ok := o.val['V']; ok {
		if after, before, err = sshkey.ParseValidity(v, time.Now()); err != nil {
			return err
		}
	}
	var principals []string
	if n, ok := o.val['n']; ok {
		principals = strings.Split(n, ",")
	}
	if principals == nil {
		// OpenSSH 10.6's warning (9.x signs silently); a certificate
		// without principals is valid for any user or host name.
		logit(e.stderr, "Warning: certificate will contain no principals (-n)")
	}
	for _, path := range o.args {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		pub, comment, _, _, err := ssh.ParseAuthorizedKey(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if _, isCert := pub.(*ssh.Certificate); isCert {
			return fmt.Errorf("%s: is already a certificate", path)
		}
		req := sshkey.NewCertRequest(pub, o.flags['h'])
		req.KeyID, req.Serial, req.Principals = id, serial, principals
		req.ValidAfter, req.ValidBefore = after, before
		for _, opt := range o.multi['O'] {
			if err := req.ApplyOption(opt); err != nil {
				return err
			}
		}
		cert, err := req.Sign(signer)
		if err != nil {
			return err
		}
		out := strings.TrimSuffix(path, ".pub") + "-cert.pub"
		if err := os.WriteFile(out, []byte(authorizedLine(cert, comment)), 0o644); err != nil {
			return fmt.Errorf("Could not write certified key to %s: %v", out, err)
		}
		if !o.flags['q'] {
			var forWhom string
			if principals != nil {
				forWhom = " for " + strings.Join(principals, ",")
			}
			logit(e.stderr, "Signed %s key %s: id \"%s\" serial %d%s valid %s",
				sshkey.CertTypeLabel(cert), out, id, serial, forWhom, sshkey.FormatValidity(after, before))
		}
		if o.val['z'] != "" && strings.HasPrefix(o.val['z'], "+") {
			serial++
		}
	}
	return nil
}

// showCerts is -L: print every certificate of the file as ssh-keygen does.
func showCerts(o *opts, e *env) error {
	hash, err := fingerprintHash(o)
	if err != nil {
		return err
	}
	path, data, err := readKeyFile(o, e)
	if err != nil {
		return err
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		c, ok := pub.(*ssh.Certificate)
		if !ok {
			return fmt.Errorf("%s is not a certificate", path)
		}
		fmt.Fprintf(e.stdout, "%s:\n%s", path, sshkey.FormatCertificate(c, func(k ssh.PublicKey) string { return sshkey.Fingerprint(k, hash) }))
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s is not a certificate", path)
	}
	return nil
}
