//go:build linux

package peers

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pqssh/pqssh/interop/harness"
)

// TinySSH is TinySSH 20250501 (trixie's tinysshd), a server only, started
// per connection by socat as an inetd-style service. It speaks the
// sntrup761 hybrid under its @openssh.com name only, cannot be
// restricted and does not log the negotiated method.
var TinySSH = &harness.Peer{
	Name:   "tinyssh-20250501",
	Recipe: Trixie,
	Kex:    []string{SNTRUP761OpenSSH, Curve25519},
	Server: &harness.ServerSpec{
		Command: func(ctx context.Context, c *harness.Container, cfg harness.ServerConfig) ([]string, error) {
			if err := authorize(c, cfg); err != nil {
				return nil, err
			}
			if _, err := c.Sh(ctx, "test -d "+tinysshKeys+" || tinysshd-makekey "+tinysshKeys); err != nil {
				return nil, err
			}
			return []string{"socat", "TCP-LISTEN:" + strconv.Itoa(cfg.Port) + ",reuseaddr,fork",
				"EXEC:/usr/sbin/tinysshd -v " + tinysshKeys}, nil
		},
		// tinysshd -v logs connections and logins, not the key
		// exchange: tests read the client's side.
	},
}

const tinysshKeys = "/etc/tinyssh/pqi_sshkeydir"

// Dropbear is Dropbear 2025.89 (trixie's dropbear-bin): dropbear and
// dbclient. Neither can be restricted to one key exchange from the
// command line, and neither logs the negotiated one (Debian builds without
// its debug trace), so tests restrict and read the pqssh side.
var Dropbear = &harness.Peer{
	Name:   "dropbear-2025.89",
	Recipe: Trixie,
	Kex:    []string{MLKEM768, SNTRUP761, SNTRUP761OpenSSH, Curve25519},
	Server: &harness.ServerSpec{
		Command: func(ctx context.Context, c *harness.Container, cfg harness.ServerConfig) ([]string, error) {
			if err := authorize(c, cfg); err != nil {
				return nil, err
			}
			if _, err := c.Sh(ctx, "test -s "+dropbearHostKey+" || { mkdir -p /etc/dropbear && dropbearkey -t ed25519 -f "+dropbearHostKey+" >/dev/null; }"); err != nil {
				return nil, err
			}
			return []string{"dropbear", "-F", "-E", "-s", "-p", strconv.Itoa(cfg.Port), "-r", dropbearHostKey}, nil
		},
	},
	Client: &harness.ClientSpec{
		// dbclient 2025.89 piping 10 MiB through a remote cat stalls in
		// about one run in 25, against OpenSSH's sshd as against pqsshd:
		// the remote cat has exited and the server keeps the channel
		// open, while dbclient waits on the socket alone, its stdin and
		// stdout idle. Streaming one way at a time has not stalled.
		HalfDuplex: true,
		PrepareKey: func(ctx context.Context, c *harness.Container, path string) (string, error) {
			_, err := c.Sh(ctx, "dropbearconvert openssh dropbear "+path+" "+path+".dropbear >/dev/null 2>&1")
			return path + ".dropbear", err
		},
		Command: func(cfg harness.ClientConfig) []string {
			argv := []string{"dbclient", "-y", "-y", "-i", cfg.Key, "-p", strconv.Itoa(cfg.Port)}
			if cfg.TTY {
				argv = append(argv, "-t")
			} else {
				argv = append(argv, "-T")
			}
			argv = append(argv, cfg.User+"@"+cfg.Host)
			if cfg.Command != "" {
				argv = append(argv, cfg.Command)
			}
			return argv
		},
	},
}

const dropbearHostKey = "/etc/dropbear/pqi_ed25519_host_key"

// TinySSH2026 is TinySSH 20261001 (forky's tinysshd), the same server as
// TinySSH, which since 20260906 speaks sntrup761 under its plain name too
// (as its KEXINIT shows: TestForkyKexLists).
var TinySSH2026 = &harness.Peer{
	Name:   "tinyssh-20261001",
	Recipe: Forky,
	Kex:    []string{SNTRUP761, SNTRUP761OpenSSH, Curve25519},
	Server: TinySSH.Server,
}

// Dropbear2026 is Dropbear 2026.94 (forky's dropbear-bin): the same
// programs as Dropbear, driven the same way. Its methods are what its own
// `dbclient -Q kex` and `dropbear -Q kex` list that pqssh implements
// (TestForkyKexLists): no more than 2025.89 had.
var Dropbear2026 = &harness.Peer{
	Name:   "dropbear-2026.94",
	Recipe: Forky,
	Kex:    []string{MLKEM768, SNTRUP761, SNTRUP761OpenSSH, Curve25519},
	Server: Dropbear.Server,
	Client: Dropbear.Client,
}

// PuTTY is PuTTY 0.83's plink (trixie's putty-tools), a client only. Its
// key exchange preference lives in saved sessions, not flags, so tests
// take its defaults or restrict the server; plink -v names the method in
// words, translated by puttyKex.
var PuTTY = &harness.Peer{
	Name:   "putty-0.83",
	Recipe: Trixie,
	Kex:    []string{SNTRUP761, SNTRUP761OpenSSH, MLKEM768, Curve25519},
	Client: &harness.ClientSpec{
		PrepareKey: func(ctx context.Context, c *harness.Container, path string) (string, error) {
			_, err := c.Sh(ctx, "puttygen "+path+" -O private -o "+path+".ppk")
			return path + ".ppk", err
		},
		Command: func(cfg harness.ClientConfig) []string {
			argv := []string{"plink", "-batch", "-ssh", "-P", strconv.Itoa(cfg.Port), "-l", cfg.User, "-i", cfg.Key, "-hostkey", cfg.HostKey}
			if !cfg.Quiet {
				argv = append(argv, "-v")
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
		Kex: puttyKex,
	},
}

// PuTTY085 is PuTTY 0.85's plink (forky's putty-tools), the same client
// as PuTTY with more methods: besides the hybrids with X25519 it speaks
// mlkem768nistp256-sha256 and mlkem1024nistp384-sha384, and the classical
// curve448-sha512 and diffie-hellman-group18-sha512 (names from its
// "Doing … key exchange" lines against a server offering only each).
var PuTTY085 = &harness.Peer{
	Name:   "putty-0.85",
	Recipe: Forky,
	Kex:    []string{SNTRUP761, SNTRUP761OpenSSH, MLKEM768, MLKEM768P256, MLKEM1024P384, Curve25519, Curve448, DH18},
	Client: PuTTY.Client,
}

// puttyKex maps plink -v's "Doing … key exchange" lines to method names.
// plink names sntrup761 the same whichever of its two names was
// negotiated, so that line maps to both, separated by "|".
func puttyKex(log string) []string {
	var names []string
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, "key exchange") || !strings.HasPrefix(strings.TrimSpace(line), "Doing") {
			continue
		}
		switch {
		case strings.Contains(line, "ML-KEM-768") && strings.Contains(line, "Curve25519"):
			names = append(names, MLKEM768)
		case strings.Contains(line, "ML-KEM-768") && strings.Contains(line, "P256"):
			names = append(names, MLKEM768P256)
		case strings.Contains(line, "ML-KEM-1024") && strings.Contains(line, "P384"):
			names = append(names, MLKEM1024P384)
		case strings.Contains(line, "Curve448"):
			names = append(names, Curve448)
		case strings.Contains(line, "8192-bit") && strings.Contains(line, "group18"):
			names = append(names, DH18)
		case strings.Contains(line, "NTRU Prime") || strings.Contains(line, "sntrup761"):
			names = append(names, SNTRUP761+"|"+SNTRUP761OpenSSH)
		case strings.Contains(line, "Curve25519"):
			names = append(names, Curve25519)
		default:
			names = append(names, "putty: "+strings.TrimSpace(line))
		}
	}
	return names
}

// ForkyLibSSH is Debian forky with libssh 0.12 (libssh-4, libssh-dev) and
// gcc, and interop/libssh-client compiled against them into /opt/pqi-libssh.
// No packaged program of forky both links libssh and runs a remote command
// (its reverse dependencies are sftp clients, file-system and VNC plugins,
// libraries), so the project drives libssh through a client of its own.
// A recipe of its own: the Forky root filesystem stays as it was.
var ForkyLibSSH = harness.Recipe{Suite: "forky", Script: "sid", IgnoreValidUntil: true,
	Packages: append([]string{"libssh-dev", "gcc", "libc6-dev"}, Forky.Packages...),
	Build: []harness.BuildStep{{
		Args:   []string{filepath.Join(libsshDir, "build.sh")},
		Inputs: []string{filepath.Join(libsshDir, "build.sh"), filepath.Join(libsshDir, "client.c")},
	}},
}

// libsshDir is interop/libssh-client in the source tree this package was
// compiled from.
var libsshDir = filepath.Join(filepath.Dir(mcelieceDir), "libssh-client")

// LibSSHClientBin is the libssh client in ForkyLibSSH containers.
const LibSSHClientBin = "/opt/pqi-libssh/pqi-libssh-client"

// LibSSH012 is libssh 0.12.2 (forky's libssh-4) as a client, through
// interop/libssh-client: a key exchange list set with
// SSH_OPTIONS_KEY_EXCHANGE, the negotiated method from ssh_get_kex_algo.
// Its names are those ssh_get_supported_methods(SSH_KEX) lists that
// pqssh implements (TestForkyKexLists).
var LibSSH012 = &harness.Peer{
	Name:   "libssh-0.12",
	Recipe: ForkyLibSSH,
	Kex:    []string{SNTRUP761, SNTRUP761OpenSSH, MLKEM768, MLKEM768P256, MLKEM1024P384, Curve25519, DH18},
	Client: &harness.ClientSpec{
		Command: func(cfg harness.ClientConfig) []string {
			argv := []string{LibSSHClientBin, "-p", strconv.Itoa(cfg.Port), "-l", cfg.User, "-i", cfg.Key}
			if cfg.Kex != "" {
				argv = append(argv, "-k", cfg.Kex)
			}
			return append(argv, cfg.Host, cfg.Command)
		},
		Kex:            func(stderr string) []string { return harness.KexLines(stderr, "libssh kex: ", "") },
		CanRestrictKex: true,
	},
}
