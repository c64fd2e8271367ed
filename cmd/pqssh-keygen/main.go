// Command pqssh-keygen makes and inspects SSH keys in OpenSSH's file
// formats, post-quantum ones included, with a subset of ssh-keygen(1)'s
// command line:
//
//	pqssh-keygen -t mldsa44-ed25519 [-f FILE] [-C COMMENT] [-N ""] [-q]
//	pqssh-keygen -y -f FILE              print the public key of a private key
//	pqssh-keygen -l -f FILE              print the SHA-256 fingerprint
//	pqssh-keygen -Y sign -f KEY -n NAMESPACE FILE...    write FILE.sig
//	pqssh-keygen -Y check-novalidate -n NAMESPACE -s SIG < MESSAGE
//
// Types: mldsa44-ed25519 (OpenSSH 10.6's ssh-mldsa44-ed25519), mldsa-44,
// mldsa-65, mldsa-87 (draft-sfluhrer-ssh-mldsa), ed25519. The private key
// file is unencrypted (-N "" only); ssh-keygen 10.6 reads the
// mldsa44-ed25519 files it writes, and it reads those of ssh-keygen 10.6.
// Encrypt a key afterwards with ssh-keygen -p if needed.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshsig"
	"github.com/pqssh/pqssh/pqsig"
)

// keyTypes maps -t values to SSH algorithm names.
var keyTypes = map[string]string{
	"mldsa44-ed25519": pqsig.MLDSA44Ed25519,
	"mldsa-44":        pqsig.MLDSA44,
	"mldsa-65":        pqsig.MLDSA65,
	"mldsa-87":        pqsig.MLDSA87,
	"ed25519":         ssh.KeyAlgoED25519,
}

// defaultFile is ssh-keygen's default file name per type.
func defaultFile(t string) string {
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".ssh", "id_"+strings.ReplaceAll(t, "-", "_"))
}

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pqssh-keygen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("pqssh-keygen", flag.ContinueOnError)
	typ := fs.String("t", "mldsa44-ed25519", "key type: mldsa44-ed25519, mldsa-44, mldsa-65, mldsa-87, ed25519")
	file := fs.String("f", "", "key file")
	comment := fs.String("C", "", "comment")
	pass := fs.String("N", "", "passphrase (only empty is supported)")
	quiet := fs.Bool("q", false, "quiet")
	printPub := fs.Bool("y", false, "print the public key of the private key file -f")
	finger := fs.Bool("l", false, "print the fingerprint of the key file -f")
	ySub := fs.String("Y", "", "signature operation: sign, check-novalidate")
	ns := fs.String("n", "", "signature namespace")
	sigFile := fs.String("s", "", "signature file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *printPub:
		s, err := loadSigner(*file)
		if err != nil {
			return err
		}
		_, err = stdout.Write(ssh.MarshalAuthorizedKey(s.PublicKey()))
		return err
	case *finger:
		return fingerprint(*file, stdout)
	case *ySub == "sign":
		return signFiles(*file, *ns, fs.Args())
	case *ySub == "check-novalidate":
		return check(*sigFile, *ns, stdin, stdout)
	case *ySub != "":
		return fmt.Errorf("unsupported -Y %s", *ySub)
	}
	if *pass != "" {
		return errors.New("only unencrypted keys can be written (-N \"\"); encrypt it afterwards with ssh-keygen -p")
	}
	algo, ok := keyTypes[*typ]
	if !ok {
		return fmt.Errorf("unknown key type %q", *typ)
	}
	if *file == "" {
		*file = defaultFile(*typ)
	}
	if *comment == "" {
		user := os.Getenv("USER")
		host, _ := os.Hostname()
		*comment = user + "@" + host
	}
	pemBytes, pub, err := generate(algo, *comment)
	if err != nil {
		return err
	}
	defer clear(pemBytes)
	if err := writeKey(*file, pemBytes, pub, *comment); err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintf(stdout, "Your identification has been saved in %s\nYour public key has been saved in %s.pub\nThe key fingerprint is:\n%s %s\n",
			*file, *file, ssh.FingerprintSHA256(pub), *comment)
	}
	return nil
}

// generate makes a key of algorithm algo and returns its private key file.
func generate(algo, comment string) ([]byte, ssh.PublicKey, error) {
	if s, ok := pqsig.Lookup(algo); ok {
		k, err := s.GenerateKey(rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		defer k.Destroy()
		pemBytes, err := k.MarshalOpenSSH(comment)
		return pemBytes, k.PublicKey(), err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	defer clear(priv)
	blk, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the private key: %w", err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(blk), sshPub, nil
}

// writeKey writes the private key (mode 0600, never over an existing file)
// and the public key beside it.
func writeKey(path string, pemBytes []byte, pub ssh.PublicKey, comment string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing the private key: %w", err)
	}
	if _, err := f.Write(pemBytes); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	line := authorizedLine(pub, comment)
	if err := os.WriteFile(path+".pub", []byte(line), 0o644); err != nil {
		return fmt.Errorf("writing the public key: %w", err)
	}
	return nil
}

func authorizedLine(pub ssh.PublicKey, comment string) string {
	line := pub.Type() + " " + base64.StdEncoding.EncodeToString(pub.Marshal())
	if comment != "" {
		line += " " + comment
	}
	return line + "\n"
}

func loadSigner(path string) (ssh.Signer, error) {
	if path == "" {
		return nil, errors.New("no key file (-f)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	defer clear(data)
	s, err := ssh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// fingerprint prints "SHA256:… comment (TYPE)" for a public or private key
// file, as ssh-keygen -l does (without its bit count).
func fingerprint(path string, stdout io.Writer) error {
	if path == "" {
		return errors.New("no key file (-f)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	defer clear(data)
	var pub ssh.PublicKey
	comment := ""
	if bytes.Contains(data, []byte("PRIVATE KEY")) {
		s, err := ssh.ParsePrivateKey(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		pub = s.PublicKey()
		if p, err := os.ReadFile(path + ".pub"); err == nil {
			if _, c, _, _, err := ssh.ParseAuthorizedKey(p); err == nil {
				comment = c
			}
		}
	} else {
		pub, comment, _, _, err = ssh.ParseAuthorizedKey(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	typ := strings.ToUpper(strings.TrimPrefix(pub.Type(), "ssh-"))
	if comment == "" {
		comment = "no comment"
	}
	fmt.Fprintf(stdout, "%s %s (%s)\n", ssh.FingerprintSHA256(pub), comment, typ)
	return nil
}

func signFiles(keyFile, ns string, files []string) error {
	if ns == "" {
		return errors.New("-Y sign needs a namespace (-n)")
	}
	s, err := loadSigner(keyFile)
	if err != nil {
		return err
	}
	for _, f := range files {
		msg, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		sig, err := sshsig.Sign(rand.Reader, s, ns, msg)
		if err != nil {
			return fmt.Errorf("signing %s: %w", f, err)
		}
		if err := os.WriteFile(f+".sig", sig, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func check(sigFile, ns string, stdin io.Reader, stdout io.Writer) error {
	sig, err := os.ReadFile(sigFile)
	if err != nil {
		return err
	}
	msg, err := io.ReadAll(stdin)
	if err != nil {
		return err
	}
	pub, err := sshsig.Verify(sig, ns, msg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Good %q signature with %s key %s\n", ns, pub.Type(), ssh.FingerprintSHA256(pub))
	return nil
}
