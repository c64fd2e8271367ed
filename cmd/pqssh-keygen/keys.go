package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/internal/sshkey"
	"github.com/pqssh/pqssh/pqsig"
)

// keyType is one -t value.
type keyType struct {
	algo    string // the SSH algorithm name (ECDSA: the P-256 one)
	file    string // ssh-keygen's default file name in ~/.ssh
	classic string // "ed25519", "ecdsa", "rsa" or "" for pqsig
}

var keyTypes = map[string]keyType{
	"ed25519":         {ssh.KeyAlgoED25519, "id_ed25519", "ed25519"},
	"ecdsa":           {ssh.KeyAlgoECDSA256, "id_ecdsa", "ecdsa"},
	"rsa":             {ssh.KeyAlgoRSA, "id_rsa", "rsa"},
	"mldsa44-ed25519": {pqsig.MLDSA44Ed25519, "id_mldsa44_ed25519", ""},
	"mldsa-44":        {pqsig.MLDSA44, "id_mldsa_44", ""},
	"mldsa-65":        {pqsig.MLDSA65, "id_mldsa_65", ""},
	"mldsa-87":        {pqsig.MLDSA87, "id_mldsa_87", ""},
}

// defaultType is pqssh-keygen's -t default: the post-quantum composite
// OpenSSH 10.6 speaks (ssh-keygen's default is ed25519).
const defaultType = "mldsa44-ed25519"

// lookupType accepts ssh-keygen's short names and the algorithm names.
func lookupType(t string) (string, keyType, bool) {
	t = strings.ToLower(t)
	if k, ok := keyTypes[t]; ok {
		return t, k, true
	}
	for name, k := range keyTypes {
		if k.algo == t || (k.classic == "ecdsa" && strings.HasPrefix(t, "ecdsa-sha2-")) {
			return name, k, true
		}
	}
	return "", keyType{}, false
}

func homeSSH(name string) string {
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".ssh", name)
}

// userName is the login name as ssh-keygen takes it (getpwuid).
func userName() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}

func defaultComment() string {
	host, _ := os.Hostname()
	return userName() + "@" + host
}

// newKey makes a key of the type with -b bits.
func newKey(k keyType, bitsArg string) (any, error) {
	bits := 0
	if bitsArg != "" {
		b, err := strconv.Atoi(bitsArg)
		if err != nil {
			return nil, fmt.Errorf("Bits has bad value %s", bitsArg)
		}
		bits = b
	}
	switch k.classic {
	case "ed25519":
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	case "ecdsa":
		curves := map[int]elliptic.Curve{0: elliptic.P256(), 256: elliptic.P256(), 384: elliptic.P384(), 521: elliptic.P521()}
		c, ok := curves[bits]
		if !ok {
			return nil, errors.New("Invalid ECDSA key length: valid lengths are 256, 384 or 521 bits")
		}
		return ecdsa.GenerateKey(c, rand.Reader)
	case "rsa":
		if bits == 0 {
			bits = 3072
		}
		if bits < 1024 || bits > 16384 {
			return nil, fmt.Errorf("Invalid RSA key length: minimum is 1024 bits, maximum is 16384")
		}
		return rsa.GenerateKey(rand.Reader, bits)
	}
	s, _ := pqsig.Lookup(k.algo)
	return s.GenerateKey(rand.Reader)
}

// askNewPassphrase returns -N or asks twice, as ssh-keygen does.
func askNewPassphrase(o *opts, e *env, first string) ([]byte, error) {
	if v, ok := o.val['N']; ok {
		return []byte(v), nil
	}
	for range 3 {
		p1, err := e.readPass(first)
		if err != nil {
			return nil, err
		}
		p2, err := e.readPass("Enter same passphrase again: ")
		if err != nil {
			return nil, err
		}
		if bytes.Equal(p1, p2) {
			clear(p2)
			return p1, nil
		}
		fmt.Fprintln(e.stdout, "Passphrases do not match.  Try again.")
	}
	return nil, errors.New("Passphrases do not match.")
}

func rounds(o *opts) (int, error) {
	v, ok := o.val['a']
	if !ok {
		return sshkey.DefaultRounds, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1<<16 {
		return 0, fmt.Errorf("Invalid number: %s", v)
	}
	return n, nil
}

// generate is ssh-keygen's default mode: make a key pair.
func generate(o *opts, e *env) error {
	tname := o.val['t']
	if tname == "" {
		tname = defaultType
	}
	tname, kt, ok := lookupType(tname)
	if !ok {
		return fmt.Errorf("unknown key type %s", o.val['t'])
	}
	nrounds, err := rounds(o)
	if err != nil {
		return err
	}
	quiet := o.flags['q']
	if !quiet {
		fmt.Fprintf(e.stdout, "Generating public/private %s key pair.\n", tname)
	}
	key, err := newKey(kt, o.val['b'])
	if err != nil {
		return err
	}
	if k, ok := key.(*pqsig.PrivateKey); ok {
		defer k.Destroy()
	}
	path := o.val['f']
	if path == "" {
		path = homeSSH(kt.file)
		if l, err := e.readLine(fmt.Sprintf("Enter file in which to save the key (%s): ", path)); err == nil && l != "" {
			path = l
		} else if err != nil {
			fmt.Fprintln(e.stdout)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
	}
	if _, err := os.Stat(path); err == nil {
		ans, _ := e.readLine(path + " already exists.\nOverwrite (y/n)? ")
		if !strings.HasPrefix(strings.ToLower(ans), "y") {
			return exitError(1)
		}
	}
	pass, err := askNewPassphrase(o, e, "Enter passphrase (empty for no passphrase): ")
	if err != nil {
		return err
	}
	defer clear(pass)
	comment, ok := o.val['C']
	if !ok {
		comment = defaultComment()
	}
	f, err := sshkey.FromKey(key, comment)
	if err != nil {
		return err
	}
	defer f.Destroy()
	priv, err := encodePrivate(f, key, o.val['m'], pass, nrounds)
	if err != nil {
		return err
	}
	defer clear(priv)
	if err := writePrivate(path, priv); err != nil {
		return fmt.Errorf("Saving key \"%s\" failed: %v", path, err)
	}
	if !quiet {
		fmt.Fprintf(e.stdout, "Your identification has been saved in %s\n", path)
	}
	if err := os.WriteFile(path+".pub", []byte(authorizedLine(f.PublicKey, comment)), 0o644); err != nil {
		return fmt.Errorf("Unable to save public key to %s.pub: %v", path, err)
	}
	if !quiet {
		fmt.Fprintf(e.stdout, "Your public key has been saved in %s.pub\nThe key fingerprint is:\n%s %s\nThe key's randomart image is:\n%s\n",
			path, sshkey.Fingerprint(f.PublicKey, "SHA256"), comment, sshkey.Randomart(f.PublicKey, "SHA256"))
	}
	return nil
}

// encodePrivate writes the key file in -m's format: OpenSSH's (the
// default; "RFC4716" names it too in ssh-keygen), PEM (PKCS#1 or SEC 1) or
// PKCS8, the last two only for RSA and ECDSA keys and unencrypted.
func encodePrivate(f *sshkey.File, key any, format string, pass []byte, nrounds int) ([]byte, error) {
	switch strings.ToUpper(format) {
	case "", "RFC4716":
		return f.Marshal(pass, nrounds)
	case "PEM", "PKCS8":
	default:
		return nil, fmt.Errorf("Unsupported conversion format \"%s\"", format)
	}
	if len(pass) > 0 {
		return nil, fmt.Errorf("pqssh-keygen writes -m %s private keys unencrypted only; use the OpenSSH format for a passphrase", format)
	}
	if key == nil {
		raw, err := f.Raw()
		if err != nil {
			return nil, err
		}
		key = raw
	}
	var blk *pem.Block
	switch k := key.(type) {
	case *rsa.PrivateKey:
		blk = &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return nil, err
		}
		blk = &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
	default:
		return nil, fmt.Errorf("%s keys have no %s private key format (OpenSSH format only)", sshkey.KeyTypeLabel(f.PublicKey), format)
	}
	if strings.EqualFold(format, "PKCS8") {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		blk = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	}
	return pem.EncodeToMemory(blk), nil
}

// writePrivate replaces path with a new mode-0600 file.
func writePrivate(path string, data []byte) error {
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func authorizedLine(pub ssh.PublicKey, comment string) string {
	line := pub.Type() + " " + base64.StdEncoding.EncodeToString(pub.Marshal())
	if comment != "" {
		line += " " + comment
	}
	return line + "\n"
}

// keyFile returns -f, or asks for it as ssh-keygen does.
func keyFile(o *opts, e *env, prompt string) (string, error) {
	if f := o.val['f']; f != "" {
		return f, nil
	}
	def := homeSSH(keyTypes[defaultType].file)
	l, err := e.readLine(fmt.Sprintf("%s (%s): ", prompt, def))
	if err != nil || l == "" {
		return def, nil
	}
	return l, nil
}

// loadPrivate reads a private key, with -P or a prompt if it is encrypted.
func loadPrivate(path string, o *opts, e *env, prompt string) (*sshkey.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer clear(data)
	pass := []byte(o.val['P'])
	f, err := sshkey.Parse(data, pass)
	if errors.Is(err, sshkey.ErrPassphraseNeeded) {
		if pass, err = e.readPass(prompt); err != nil {
			return nil, err
		}
		defer clear(pass)
		f, err = sshkey.Parse(data, pass)
	}
	if err != nil {
		return nil, fmt.Errorf("Load key \"%s\": %w", path, err)
	}
	return f, nil
}

// changePassphrase is -p.
func changePassphrase(o *opts, e *env) error {
	path, err := keyFile(o, e, "Enter file in which the key is")
	if err != nil {
		return err
	}
	nrounds, err := rounds(o)
	if err != nil {
		return err
	}
	f, err := loadPrivate(path, o, e, "Enter old passphrase: ")
	if err != nil {
		return err
	}
	defer f.Destroy()
	fmt.Fprintf(e.stdout, "Key has comment '%s'\n", f.Comment)
	pass, err := askNewPassphrase(o, e, "Enter new passphrase (empty for no passphrase): ")
	if err != nil {
		return err
	}
	defer clear(pass)
	priv, err := encodePrivate(f, nil, o.val['m'], pass, nrounds)
	if err != nil {
		return err
	}
	defer clear(priv)
	if err := writePrivate(path, priv); err != nil {
		return fmt.Errorf("Saving key \"%s\" failed: %v.", path, err)
	}
	fmt.Fprintln(e.stdout, "Your identification has been saved with the new passphrase.")
	return nil
}

// printPublic is -y.
func printPublic(o *opts, e *env) error {
	path, err := keyFile(o, e, "Enter file in which the key is")
	if err != nil {
		return err
	}
	f, err := loadPrivate(path, o, e, "Enter passphrase: ")
	if err != nil {
		return err
	}
	defer f.Destroy()
	_, err = fmt.Fprint(e.stdout, authorizedLine(f.PublicKey, f.Comment))
	return err
}

// fingerprintHash returns -E's hash name.
func fingerprintHash(o *opts) (string, error) {
	switch strings.ToLower(o.val['E']) {
	case "", "sha256":
		return "SHA256", nil
	case "md5":
		return "MD5", nil
	}
	return "", fmt.Errorf("Invalid hash algorithm \"%s\"", o.val['E'])
}

// readKeyFile asks for the key file as ssh-keygen does (-f, else a prompt)
// and reads it.
func readKeyFile(o *opts, e *env) (path string, data []byte, err error) {
	path, err = keyFile(o, e, "Enter file in which the key is")
	if err != nil {
		return "", nil, err
	}
	data, err = os.ReadFile(path)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", path, err)
	}
	return path, data, nil
}

// fingerprints is -l: a public or private key file, a certificate, or
// every key of an authorized_keys or known_hosts file.
func fingerprints(o *opts, e *env) error {
	hash, err := fingerprintHash(o)
	if err != nil {
		return err
	}
	path, data, err := readKeyFile(o, e)
	if err != nil {
		return err
	}
	defer clear(data)
	print := func(k ssh.PublicKey, comment string) {
		if comment == "" {
			comment = "no comment"
		}
		fmt.Fprintf(e.stdout, "%d %s %s (%s)\n", sshkey.KeyBits(k), sshkey.Fingerprint(k, hash), comment, sshkey.KeyTypeLabel(k))
		if o.flags['v'] {
			fmt.Fprintln(e.stdout, sshkey.Randomart(k, hash))
		}
	}
	if bytes.Contains(data, []byte("PRIVATE KEY-----")) {
		pub, err := sshkey.ParsePublic(data)
		if err != nil {
			return fmt.Errorf("%s is not a key file.", path)
		}
		comment := ""
		if p, err := os.ReadFile(path + ".pub"); err == nil {
			if k, c, _, _, err := ssh.ParseAuthorizedKey(p); err == nil && bytes.Equal(k.Marshal(), pub.Marshal()) {
				comment = c
			}
		} else if f, err := sshkey.Parse(data, nil); err == nil {
			comment = f.Comment
			f.Destroy()
		}
		print(pub, comment)
		return nil
	}
	found := false
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if k, c, _, _, err := ssh.ParseAuthorizedKey([]byte(line)); err == nil {
			print(k, c)
			found = true
			continue
		}
		if _, hosts, k, _, _, err := ssh.ParseKnownHosts([]byte(line)); err == nil {
			print(k, strings.Join(hosts, ","))
			found = true
		}
	}
	if !found {
		return fmt.Errorf("%s is not a public key file.", path)
	}
	return nil
}
