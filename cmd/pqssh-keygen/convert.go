package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshkey"
)

// readPublic returns the public key of a public or private key file (for a
// private one, the public half it carries unencrypted), with its comment.
func readPublic(path string) (ssh.PublicKey, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	defer clear(data)
	if bytes.Contains(data, []byte("PRIVATE KEY-----")) {
		pub, err := sshkey.ParsePublic(data)
		return pub, "", err
	}
	pub, comment, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return pub, comment, nil
}

// exportKey is -e: the public key in -m's format (RFC4716 by default).
func exportKey(o *opts, e *env) error {
	path, err := keyFile(o, e, "Enter file in which the key is")
	if err != nil {
		return err
	}
	pub, _, err := readPublic(path)
	if err != nil {
		return fmt.Errorf("load key \"%s\": %w", path, err)
	}
	var out []byte
	switch strings.ToUpper(o.val['m']) {
	case "", sshkey.FormatRFC4716:
		host, _ := os.Hostname()
		comment := fmt.Sprintf("%d-bit %s, converted by %s@%s from OpenSSH", sshkey.KeyBits(pub), sshkey.KeyTypeLabel(pub), userName(), host)
		// ssh-keygen's comment buffer holds 60 characters.
		out = []byte(sshkey.ExportRFC4716(pub, comment[:min(len(comment), 60)]))
	case sshkey.FormatPKCS8:
		out, err = sshkey.ExportPKCS8(pub)
	case sshkey.FormatPEM:
		out, err = sshkey.ExportPEM(pub)
	default:
		return fmt.Errorf("Unsupported conversion format \"%s\"", o.val['m'])
	}
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(out)
	return err
}

// importKey is -i: a public key in RFC 4716, PKCS#8 or PEM form printed as
// an OpenSSH public key; a PEM or PKCS#8 private key printed in OpenSSH's
// private key format (unencrypted).
func importKey(o *opts, e *env) error {
	path, data, err := readKeyFile(o, e)
	if err != nil {
		return err
	}
	defer clear(data)
	switch strings.ToUpper(o.val['m']) {
	case "", sshkey.FormatRFC4716, sshkey.FormatPKCS8, sshkey.FormatPEM:
	default:
		return fmt.Errorf("Unsupported conversion format \"%s\"", o.val['m'])
	}
	pub, priv, err := sshkey.Import(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if priv != nil {
		defer priv.Destroy()
		b, err := priv.Marshal(nil, 0)
		if err != nil {
			return err
		}
		defer clear(b)
		_, err = e.stdout.Write(b)
		return err
	}
	_, err = fmt.Fprint(e.stdout, authorizedLine(pub, ""))
	return err
}
