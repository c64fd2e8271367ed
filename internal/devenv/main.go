// Command devenv prepares the development state directory that `make run`
// starts pqsshd from: a client key authorized for the invoking user, an
// sshd_config listening on 127.0.0.1, and the commands that log in. The
// host key is left to pqsshd, which generates it on first start.
//
//	go run ./internal/devenv [-port 2222] DIR
//
// Existing files are kept, so the host key and the client key stay the same
// from one `make run` to the next (and known_hosts stays valid).
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"

	"golang.org/x/crypto/ssh"
)

func main() {
	port := flag.Int("port", 2222, "TCP port pqsshd listens on (127.0.0.1 only)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: devenv [-port N] DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *port); err != nil {
		fmt.Fprintln(os.Stderr, "devenv:", err)
		os.Exit(1)
	}
}

func run(dir string, port int) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	// pqsshd refuses keys and authorized_keys others could write.
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	clientKey := filepath.Join(dir, "id_ed25519")
	pub, err := ensureClientKey(clientKey)
	if err != nil {
		return err
	}
	authorized := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authorized, ssh.MarshalAuthorizedKey(pub), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", authorized, err)
	}
	config := filepath.Join(dir, "sshd_config")
	text := fmt.Sprintf(`# Written by internal/devenv for make run: a development pqsshd on loopback.
Port %d
ListenAddress 127.0.0.1
HostKey %s
AuthorizedKeysFile %s
PasswordAuthentication no
PidFile none
Subsystem sftp internal-sftp
`, port, filepath.Join(dir, "ssh_host_ed25519_key"), authorized)
	if err := os.WriteFile(config, []byte(text), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", config, err)
	}
	u, err := user.Current()
	if err != nil {
		return fmt.Errorf("looking up the current user: %w", err)
	}
	knownHosts := filepath.Join(dir, "known_hosts")
	fmt.Printf(`
pqsshd is starting on 127.0.0.1:%[1]d (state in %[2]s; Ctrl-C stops it).
Log in from another terminal with pqssh (-v shows the negotiated key exchange):

    bin/pqssh -v -p %[1]d -i %[3]s -o UserKnownHostsFile=%[4]s -o StrictHostKeyChecking=accept-new %[5]s@127.0.0.1

or with OpenSSH's client:

    ssh -p %[1]d -i %[3]s -o UserKnownHostsFile=%[4]s -o StrictHostKeyChecking=accept-new %[5]s@127.0.0.1

`, port, dir, clientKey, knownHosts, u.Username)
	return nil
}

// ensureClientKey returns the public half of the Ed25519 key at path,
// generating it (OpenSSH format, no passphrase) if the file does not exist.
func ensureClientKey(path string) (ssh.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		signer, err := ssh.ParsePrivateKey(b)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		return signer.PublicKey(), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "pqssh make run")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path+".pub", ssh.MarshalAuthorizedKey(sshPub), 0o644); err != nil {
		return nil, err
	}
	return sshPub, nil
}
