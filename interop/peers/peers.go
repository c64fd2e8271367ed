//go:build linux

// Package peers describes the SSH implementations the interop tests run
// against (see harness.Peer): OpenSSH 10.0 and 9.2, TinySSH, Dropbear,
// PuTTY, and pqssh itself. Which key exchange names each speaks is taken
// from its release notes and Debian's packages (see docs/interop.md).
package peers

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/pqssh/pqssh/interop/harness"
)

// Key exchange names used by the peers.
const (
	MLKEM768         = "mlkem768x25519-sha256"
	SNTRUP761        = "sntrup761x25519-sha512"
	SNTRUP761OpenSSH = "sntrup761x25519-sha512@openssh.com"
	MCELIECE         = "mceliece6688128x25519-sha512"
	MCELIECEOpenSSH  = "mceliece6688128x25519-sha512@openssh.com"
	// MCELIECESNTRUP761 is pqssh's own multi-hybrid (mceliece6688128,
	// sntrup761 and X25519 combined); only pqssh speaks it.
	MCELIECESNTRUP761 = "mceliece6688128sntrup761x25519-sha512@pqssh.org"
	Curve25519        = "curve25519-sha256"
	// ML-KEM with NIST curves (draft-ietf-sshm-mlkem-hybrid-kex-10), and
	// the classical methods pqssh has but never offers unless configured.
	MLKEM768P256  = "mlkem768nistp256-sha256"
	MLKEM1024P384 = "mlkem1024nistp384-sha384"
	Curve448      = "curve448-sha512"
	DH18          = "diffie-hellman-group18-sha512"
)

// PostQuantum reports whether name is a hybrid post-quantum method.
func PostQuantum(name string) bool {
	switch name {
	case MLKEM768, SNTRUP761, SNTRUP761OpenSSH, MCELIECE, MCELIECEOpenSSH, MCELIECESNTRUP761, MLKEM768P256, MLKEM1024P384:
		return true
	}
	return false
}

// Trixie is the Debian 13 root filesystem every trixie peer runs in (one
// shared recipe, so one cached root filesystem): OpenSSH 10.0p1, Dropbear
// 2025.89, TinySSH 20250501 (run by socat), PuTTY 0.83, script(1).
var Trixie = harness.Recipe{Suite: "trixie", Packages: []string{
	"openssh-server", "openssh-client", "dropbear-bin", "tinysshd", "putty-tools",
	"socat", "bsdextrautils",
}}

// Forky is the Debian 14 (testing) root filesystem of today's peers:
// OpenSSH 10.6p1, Dropbear 2026.94, TinySSH 20261001, PuTTY 0.85. The
// host's debootstrap may predate forky, so it is built with the sid
// script, and the testing suite's Release file may have outlived its
// Valid-Until date, which apt accepts inside this root filesystem only.
var Forky = harness.Recipe{Suite: "forky", Script: "sid", IgnoreValidUntil: true, Packages: []string{
	"openssh-server", "openssh-client", "dropbear-bin", "tinysshd", "putty-tools",
	"socat", "bsdextrautils",
}}

// Bookworm is the Debian 12 root filesystem of OpenSSH 9.2p1.
var Bookworm = harness.Recipe{Suite: "bookworm", Packages: []string{
	"openssh-server", "openssh-client", "bsdextrautils",
}}

// LibKEM is a Debian 13 root filesystem with the C KEM libraries the
// project's KEMs are compared with — libmceliece (20241009) and
// libntruprime (20241021) — and a C compiler: the differential test and
// the KEM benchmarks compile their programs (interop/libmceliece-bench)
// in it.
var LibKEM = harness.Recipe{Suite: "trixie", Packages: []string{
	"libmceliece-dev", "libntruprime-dev", "gcc", "libc6-dev",
}}

// OpenSSH10 is Debian trixie's OpenSSH 10.0p1, client and server.
var OpenSSH10 = &harness.Peer{
	Name:   "openssh-10.0",
	Recipe: Trixie,
	Kex:    []string{MLKEM768, SNTRUP761, SNTRUP761OpenSSH, Curve25519},
	Server: openSSHServer,
	Client: sshClient("ssh"),
}

// OpenSSH106 is Debian forky's OpenSSH 10.6p1, client and server. Its
// names are those its own `ssh -Q kex` lists that pqssh implements:
// mlkem768nistp256-sha256 but not mlkem1024nistp384-sha384 nor
// curve448-sha512, and diffie-hellman-group18-sha512.
var OpenSSH106 = &harness.Peer{
	Name:   "openssh-10.6",
	Recipe: Forky,
	Kex:    []string{MLKEM768, MLKEM768P256, SNTRUP761, SNTRUP761OpenSSH, Curve25519, DH18},
	Server: func() *harness.ServerSpec {
		s := *openSSHServer
		// sshd-session's format: "WARNING: %sconnection%s%s is not using a
		// post-quantum key exchange algorithm: \"%s\"".
		s.NotPostQuantumWarning = NotPostQuantumWarning
		return &s
	}(),
	Client: sshClient("ssh"),
}

// NotPostQuantumWarning is the part common to the lines OpenSSH 10.6's
// sshd and pqsshd log, and to the warning OpenSSH's ssh (10.1 and later)
// prints, for a connection whose key exchange is not post-quantum.
const NotPostQuantumWarning = "is not using a post-quantum key exchange algorithm"

// OpenSSH92 is Debian bookworm's OpenSSH 9.2p1, client and server.
// Debian's build accepts the plain sntrup761 name besides the
// @openssh.com one.
var OpenSSH92 = &harness.Peer{
	Name:   "openssh-9.2",
	Recipe: Bookworm,
	Kex:    []string{SNTRUP761OpenSSH, SNTRUP761, Curve25519},
	Server: openSSHServer,
	Client: sshClient("ssh"),
}

// Pqssh is this project: pqsshd and pqssh from the repository's bin/,
// mounted at /pqssh/bin in the containers.
var Pqssh = &harness.Peer{
	Name:   "pqssh",
	Recipe: Trixie,
	Kex: []string{MLKEM768, SNTRUP761, SNTRUP761OpenSSH, MCELIECE, MCELIECEOpenSSH, MCELIECESNTRUP761, Curve25519,
		MLKEM768P256, MLKEM1024P384, Curve448, DH18},
	Server: &harness.ServerSpec{
		Command:               pqsshdCommand,
		HostKey:               readFile(pqsshdHostKey + ".pub"),
		Kex:                   pqsshdKex,
		CanRestrictKex:        true,
		NotPostQuantumWarning: NotPostQuantumWarning,
	},
	Client: sshClient("/pqssh/bin/pqssh"),
}

// pqsshdKex finds "kex=NAME" in pqsshd's login lines ("accepted
// publickey" and the like), one per connection: its other lines that name
// the method (the warning for a classical one, a failed connection's) are
// left out.
func pqsshdKex(log string) []string {
	var lines []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, `msg="accepted `) {
			lines = append(lines, l)
		}
	}
	return harness.KexLines(strings.Join(lines, "\n"), "kex=", "")
}

// openSSHKex finds "kex: algorithm: NAME", printed by ssh -v and by sshd
// at LogLevel DEBUG1.
func openSSHKex(log string) []string { return harness.KexLines(log, "kex: algorithm: ", "") }

var openSSHServer = openSSHServerAt("/usr/sbin/sshd")

// openSSHServerAt describes OpenSSH's sshd installed at path.
func openSSHServerAt(sshd string) *harness.ServerSpec {
	return &harness.ServerSpec{
		Command: func(ctx context.Context, c *harness.Container, cfg harness.ServerConfig) ([]string, error) {
			if err := authorize(c, cfg); err != nil {
				return nil, err
			}
			conf := fmt.Sprintf("/etc/ssh/pqi_sshd_config_%d", cfg.Port)
			if err := c.WriteFile(conf, []byte(sshdConfig("/etc/ssh/ssh_host_ed25519_key", cfg.Kex)+
				"PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\n"), 0o644); err != nil {
				return nil, err
			}
			if _, err := c.Sh(ctx, "test -s /etc/ssh/ssh_host_ed25519_key || ssh-keygen -A"); err != nil {
				return nil, err
			}
			return []string{sshd, "-D", "-e", "-f", conf, "-p", strconv.Itoa(cfg.Port)}, nil
		},
		HostKey:        readFile("/etc/ssh/ssh_host_ed25519_key.pub"),
		Kex:            openSSHKex,
		CanRestrictKex: true,
	}
}

const pqsshdHostKey = "/etc/pqsshd/ssh_host_ed25519_key"

func pqsshdCommand(ctx context.Context, c *harness.Container, cfg harness.ServerConfig) ([]string, error) {
	if err := authorize(c, cfg); err != nil {
		return nil, err
	}
	if _, err := c.Sh(ctx, "test -s "+pqsshdHostKey+" || { mkdir -p /etc/pqsshd && ssh-keygen -q -t ed25519 -N '' -f "+pqsshdHostKey+"; }"); err != nil {
		return nil, err
	}
	conf := fmt.Sprintf("/etc/pqsshd/pqi_config_%d", cfg.Port)
	if err := c.WriteFile(conf, []byte(sshdConfig(pqsshdHostKey, cfg.Kex)), 0o644); err != nil {
		return nil, err
	}
	return []string{"/pqssh/bin/pqsshd", "-D", "-e", "-f", conf, "-p", strconv.Itoa(cfg.Port)}, nil
}

// sshdConfig is the part of the configuration OpenSSH's sshd and pqsshd
// share.
func sshdConfig(hostKey, kex string) string {
	s := "HostKey " + hostKey + "\nAuthorizedKeysFile .ssh/authorized_keys\nPubkeyAuthentication yes\nLogLevel DEBUG1\n"
	if kex != "" {
		s += "KexAlgorithms " + kex + "\n"
	}
	return s
}

// sshClient describes OpenSSH's ssh, or pqssh which takes the same flags.
func sshClient(bin string) *harness.ClientSpec {
	return &harness.ClientSpec{
		Command: func(cfg harness.ClientConfig) []string {
			argv := []string{bin, "-F", "/dev/null",
				"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
				"-i", cfg.Key, "-p", strconv.Itoa(cfg.Port), "-l", cfg.User}
			if !cfg.Quiet {
				argv = append(argv, "-v")
			}
			if cfg.Kex != "" {
				argv = append(argv, "-o", "KexAlgorithms="+cfg.Kex)
			}
			for _, o := range cfg.Options {
				argv = append(argv, "-o", o)
			}
			if cfg.TTY {
				argv = append(argv, "-t")
			} else {
				argv = append(argv, "-T")
			}
			argv = append(argv, cfg.Host)
			if cfg.Command != "" {
				argv = append(argv, cfg.Command)
			}
			return argv
		},
		Kex:            openSSHKex,
		CanRestrictKex: true,
	}
}

// authorize installs cfg's authorized keys for root.
func authorize(c *harness.Container, cfg harness.ServerConfig) error {
	return c.WriteFile("/root/.ssh/authorized_keys", cfg.AuthorizedKeys, 0o600)
}

// readFile returns a HostKey function reading a public key file.
func readFile(path string) func(context.Context, *harness.Container) (string, error) {
	return func(_ context.Context, c *harness.Container) (string, error) {
		b, err := c.ReadFile(path)
		return strings.TrimSpace(string(b)), err
	}
}

// OpenSSHMcEliece is trixie's OpenSSH 10.0p1 patched by this project for
// mceliece6688128x25519-sha512 (interop/openssh-mceliece), built from
// Debian's source inside its root filesystem and installed under
// /opt/openssh-mceliece. Nobody else speaks McEliece: this is the peer that
// checks pqssh's McEliece against code the project did not write.
var OpenSSHMcEliece = &harness.Peer{
	Name: "openssh-10.0-mceliece",
	Recipe: harness.Recipe{Suite: "trixie", Packages: Trixie.Packages, Build: []harness.BuildStep{{
		Args:   []string{filepath.Join(mcelieceDir, "build.sh")},
		Inputs: []string{filepath.Join(mcelieceDir, "build.sh"), filepath.Join(mcelieceDir, "patches")},
	}}},
	Kex:    []string{MCELIECE, MCELIECEOpenSSH, MLKEM768, SNTRUP761, SNTRUP761OpenSSH, Curve25519},
	Server: openSSHServerAt(mcelieceBin + "sbin/sshd"),
	Client: sshClient(mcelieceBin + "bin/ssh"),
}

const mcelieceBin = "/opt/openssh-mceliece/"

// mcelieceDir is interop/openssh-mceliece in the source tree this package
// was compiled from (the build script and patch are read from there).
var mcelieceDir = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "openssh-mceliece")
}()
