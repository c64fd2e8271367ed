package client

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"

	"github.com/pqssh/pqssh/client/knownhosts"
	"golang.org/x/crypto/ssh"
)

// ErrHostKeyVerification is returned when the server's host key is
// refused; the reasons have already been written to the log.
var ErrHostKeyVerification = errors.New("Host key verification failed.")

// KeyTypeName returns OpenSSH's short display name for a key type
// ("ED25519", "ECDSA", "RSA", ...).
func KeyTypeName(t string) string {
	switch {
	case t == ssh.KeyAlgoED25519:
		return "ED25519"
	case t == ssh.KeyAlgoSKED25519:
		return "ED25519-SK"
	case t == ssh.KeyAlgoSKECDSA256:
		return "ECDSA-SK"
	case strings.HasPrefix(t, "ecdsa-sha2-"):
		return "ECDSA"
	case t == ssh.KeyAlgoRSA || strings.HasPrefix(t, "rsa-sha2-"):
		return "RSA"
	case t == ssh.InsecureKeyAlgoDSA:
		return "DSA"
	case strings.Contains(t, "-cert-v01@openssh.com"):
		return KeyTypeName(strings.Replace(t, "-cert-v01@openssh.com", "", 1)) + "-CERT"
	}
	return strings.ToUpper(strings.TrimPrefix(t, "ssh-"))
}

// Fingerprint formats a key fingerprint with FingerprintHash (sha256 or
// md5) as OpenSSH prints it.
func Fingerprint(key ssh.PublicKey, hash string) string {
	if hash == "md5" {
		return "MD5:" + ssh.FingerprintLegacyMD5(key)
	}
	return ssh.FingerprintSHA256(key)
}

// hostKeyState carries the outcome of host key checking to the rest of
// the connection (OpenSSH restricts a connection whose key changed while
// StrictHostKeyChecking=no).
type hostKeyState struct {
	changed bool
	err     error
	// key is the server's host key; trusted is set when it matched
	// known_hosts or was added to it (the condition for UpdateHostKeys).
	key     ssh.PublicKey
	trusted bool
}

// hostKeyCallback checks the server's host key against the known_hosts
// files following StrictHostKeyChecking (ssh_config(5)), prompting on
// first contact when asked to.
func (d *Dialer) hostKeyCallback(db *knownhosts.DB, st *hostKeyState) ssh.HostKeyCallback {
	return func(_ string, remote net.Addr, key ssh.PublicKey) error {
		err := d.checkHostKey(db, st, remote, key)
		if err != nil {
			st.err = err
		}
		return err
	}
}

func (d *Dialer) checkHostKey(db *knownhosts.DB, st *hostKeyState, remote net.Addr, key ssh.PublicKey) error {
	r := d.Config
	log := d.Log
	host := r.HostName
	if r.HostKeyAlias != "" {
		host = r.HostKeyAlias
	}
	name := knownhosts.HostName(host, r.Port)
	plain := key
	if cert, ok := key.(*ssh.Certificate); ok {
		plain = cert.Key
	}
	log.Debug(1, "Server host key: %s %s", key.Type(), Fingerprint(plain, r.FingerprintHash))
	st.key = key

	if db.IsRevoked(plain) || d.revoked(plain) {
		log.Error("Host key %s %s revoked by file", KeyTypeName(key.Type()), Fingerprint(plain, r.FingerprintHash))
		return ErrHostKeyVerification
	}
	if pk, ok := plain.(ssh.CryptoPublicKey); ok {
		if rk, ok := pk.CryptoPublicKey().(*rsa.PublicKey); ok && rk.N.BitLen() < r.RequiredRSASize {
			log.Error("Bad server host key: Invalid key length (%d bits, RequiredRSASize %d)", rk.N.BitLen(), r.RequiredRSASize)
			return ErrHostKeyVerification
		}
	}
	if cert, ok := key.(*ssh.Certificate); ok && db.IsHostAuthority(cert.SignatureKey, name) {
		if len(r.CASignatureAlgorithms) > 0 && (cert.Signature == nil || !slices.Contains(r.CASignatureAlgorithms, cert.Signature.Format)) {
			format := ""
			if cert.Signature != nil {
				format = cert.Signature.Format
			}
			log.Error("Host certificate signature algorithm %s not in CASignatureAlgorithms", format)
			return ErrHostKeyVerification
		}
		checker := &ssh.CertChecker{IsHostAuthority: func(auth ssh.PublicKey, _ string) bool {
			return db.IsHostAuthority(auth, name)
		}}
		if err := checker.CheckHostKey(net.JoinHostPort(host, "22"), remote, key); err != nil {
			log.Error("Certificate invalid: %v", err)
			return ErrHostKeyVerification
		}
		log.Debug(1, "Host '%s' is known and matches the %s host certificate.", name, KeyTypeName(key.Type()))
		return nil
	}
	if r.NoHostAuthenticationForLocalhost && isLocalhost(r.HostName) {
		log.Debug(1, "Forcing accepting of host key for loopback/localhost.")
		return nil
	}

	res, entries := db.Check(name, plain)
	switch res {
	case knownhosts.Known:
		log.Debug(1, "Host '%s' is known and matches the %s host key.", name, KeyTypeName(plain.Type()))
		log.Debug(1, "Found key in %s:%d", entries[0].File, entries[0].Line)
		st.trusted = true
		return nil
	case knownhosts.Revoked:
		log.Error("Host key %s %s revoked by file %s", KeyTypeName(plain.Type()), Fingerprint(plain, r.FingerprintHash), entries[0].File)
		return ErrHostKeyVerification
	case knownhosts.Changed:
		d.warnChanged(name, plain, entries)
		if r.StrictHostKeyChecking != "no" {
			log.Error("Host key for %s has changed and you have requested strict checking.", name)
			return ErrHostKeyVerification
		}
		log.Error("Agent forwarding and port forwarding are disabled to avoid man-in-the-middle attacks.")
		st.changed = true
		return nil
	}

	// Unknown host (or unknown key type for a known host).
	fp := Fingerprint(plain, r.FingerprintHash)
	typ := KeyTypeName(plain.Type())
	switch r.StrictHostKeyChecking {
	case "yes":
		log.Error("No %s host key is known for %s and you have requested strict checking.", typ, name)
		return ErrHostKeyVerification
	case "ask":
		if r.BatchMode || d.Prompt == nil {
			log.Debug(1, "No terminal to ask about the host key (BatchMode or no TTY).")
			return ErrHostKeyVerification
		}
		ip := remote.String()
		if a, ok := remote.(*net.TCPAddr); ok {
			ip = knownhosts.HostName(a.IP.String(), a.Port)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "The authenticity of host '%s (%s)' can't be established.\n", name, ip)
		fmt.Fprintf(&b, "%s key fingerprint is %s.\n", typ, fp)
		if len(entries) > 0 {
			b.WriteString("Keys of other types are already known for this host:\n")
			for _, e := range entries {
				fmt.Fprintf(&b, "    %s:%d: %s\n", e.File, e.Line, KeyTypeName(e.Key.Type()))
			}
		} else {
			b.WriteString("This key is not known by any other names.\n")
		}
		b.WriteString("Are you sure you want to continue connecting (yes/no/[fingerprint])? ")
		prompt := b.String()
		for {
			ans, err := d.Prompt.Prompt(prompt, true)
			if err != nil {
				return ErrHostKeyVerification
			}
			ans = strings.TrimSpace(ans)
			switch {
			case strings.EqualFold(ans, "yes"), ans == fp:
			case strings.EqualFold(ans, "no"):
				return ErrHostKeyVerification
			default:
				prompt = "Please type 'yes', 'no' or the fingerprint: "
				continue
			}
			break
		}
	}
	// accept-new, no, or a confirmed "ask": record the key.
	st.trusted = d.addKnownHost(name, plain)
	return nil
}

func (d *Dialer) addKnownHost(name string, key ssh.PublicKey) bool {
	r := d.Config
	if len(r.UserKnownHostsFiles) == 0 {
		d.Log.Error("Failed to add the host to the list of known hosts (no UserKnownHostsFile).")
		return false
	}
	file := r.UserKnownHostsFiles[0]
	line, err := knownhosts.Line([]string{name}, key, r.HashKnownHosts)
	if err == nil {
		err = knownhosts.Append(file, line)
	}
	if err != nil {
		d.Log.Error("Failed to add the host to the list of known hosts (%s): %v", file, err)
		return false
	}
	d.Log.Info("Warning: Permanently added '%s' (%s) to the list of known hosts.", name, KeyTypeName(key.Type()))
	return true
}

func (d *Dialer) warnChanged(name string, key ssh.PublicKey, entries []knownhosts.Entry) {
	r := d.Config
	typ := KeyTypeName(key.Type())
	var b strings.Builder
	b.WriteString("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n")
	b.WriteString("@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n")
	b.WriteString("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n")
	b.WriteString("IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n")
	b.WriteString("Someone could be eavesdropping on you right now (man-in-the-middle attack)!\n")
	b.WriteString("It is also possible that a host key has just been changed.\n")
	fmt.Fprintf(&b, "The fingerprint for the %s key sent by the remote host is\n%s.\n", typ, Fingerprint(key, r.FingerprintHash))
	b.WriteString("Please contact your system administrator.\n")
	if len(r.UserKnownHostsFiles) > 0 {
		fmt.Fprintf(&b, "Add correct host key in %s to get rid of this message.\n", r.UserKnownHostsFiles[0])
	}
	fmt.Fprintf(&b, "Offending %s key in %s:%d\n", KeyTypeName(entries[0].Key.Type()), entries[0].File, entries[0].Line)
	// OpenSSH's hint, and the same command with pqssh's own ssh-keygen.
	b.WriteString("  remove with:\n")
	fmt.Fprintf(&b, "  ssh-keygen -f '%s' -R '%s'\n", entries[0].File, name)
	fmt.Fprintf(&b, "  (or pqssh-keygen -f '%s' -R '%s')", entries[0].File, name)
	d.Log.Error("%s", b.String())
}

// revoked reports whether key is listed in the RevokedHostKeys file (a
// list of public keys; binary KRLs are refused as unreadable, which fails
// closed).
func (d *Dialer) revoked(key ssh.PublicKey) bool {
	f := d.Config.RevokedHostKeys
	if f == "" {
		return false
	}
	data, err := os.ReadFile(f)
	if err != nil {
		d.Log.Error("Error checking host key in revoked keys file %s: %v", f, err)
		return true
	}
	if len(data) >= 6 && string(data[:6]) == "SSHKRL" {
		d.Log.Error("Revoked keys file %s is a binary KRL, which pqssh cannot read", f)
		return true
	}
	blob := key.Marshal()
	for len(data) > 0 {
		k, _, _, rest, err := ssh.ParseAuthorizedKey(data)
		if err != nil {
			break
		}
		if slices.Equal(k.Marshal(), blob) {
			return true
		}
		data = rest
	}
	return false
}

func isLocalhost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// orderHostKeyAlgorithms puts the algorithms of key types already known
// for the host first, so that a known key is negotiated rather than
// prompting for a new one (OpenSSH's order_hostkeyalgs).
func orderHostKeyAlgorithms(algs, knownTypes []string) []string {
	if len(knownTypes) == 0 {
		return algs
	}
	var first, rest []string
	for _, a := range algs {
		base := strings.Replace(a, "-cert-v01@openssh.com", "", 1)
		if base == "rsa-sha2-256" || base == "rsa-sha2-512" {
			base = ssh.KeyAlgoRSA
		}
		if slices.Contains(knownTypes, base) {
			first = append(first, a)
		} else {
			rest = append(rest, a)
		}
	}
	return append(first, rest...)
}
