package config

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
)

// pqFirstKex is pqssh's preferred KexAlgorithms order: post-quantum hybrids
// first, in OpenSSH 10.0's order, then the classical methods. Names the
// linked SSH library does not implement are dropped by DefaultKexAlgorithms.
var pqFirstKex = []string{
	"mlkem768x25519-sha256",
	"sntrup761x25519-sha512",
	"sntrup761x25519-sha512@openssh.com",
	"curve25519-sha256",
	"curve25519-sha256@libssh.org",
	"ecdh-sha2-nistp256",
	"ecdh-sha2-nistp384",
	"ecdh-sha2-nistp521",
	"diffie-hellman-group-exchange-sha256",
	"diffie-hellman-group16-sha512",
	"diffie-hellman-group14-sha256",
}

// postQuantumKex are the key-exchange names that are post-quantum hybrids,
// whether or not this build implements them (OpenSSH 10.1's notion, used
// for its "not using a post-quantum key exchange" warning).
var postQuantumKex = []string{
	"mlkem768x25519-sha256",
	"mlkem768nistp256-sha256",
	"mlkem1024nistp384-sha384",
	"sntrup761x25519-sha512",
	"sntrup761x25519-sha512@openssh.com",
	"mceliece6688128x25519-sha512",
	"mceliece6688128x25519-sha512@openssh.com",
}

// IsPostQuantum reports whether the key exchange method name is a
// post-quantum hybrid.
func IsPostQuantum(name string) bool {
	return slices.Contains(postQuantumKex, name) || strings.HasPrefix(name, "mceliece") ||
		strings.HasPrefix(name, "mlkem") || strings.HasPrefix(name, "sntrup")
}

// DefaultKexAlgorithms returns pqssh's default KexAlgorithms: the
// post-quantum methods the library implements first, then the classical
// ones.
func DefaultKexAlgorithms() []string {
	known := KnownAlgorithms("kexalgorithms")
	var out []string
	for _, n := range pqFirstKex {
		if slices.Contains(known, n) {
			out = append(out, n)
		}
	}
	// Post-quantum methods registered by other packages that are not in
	// the fixed order go right after the listed post-quantum ones.
	for _, n := range ssh.SupportedAlgorithms().KeyExchanges {
		if IsPostQuantum(n) && !slices.Contains(out, n) {
			i := 0
			for i < len(out) && IsPostQuantum(out[i]) {
				i++
			}
			out = slices.Insert(out, i, n)
		}
	}
	return out
}

// DefaultAlgorithms returns the default list for one of the algorithm
// keywords (lowercase: kexalgorithms, ciphers, macs, hostkeyalgorithms,
// pubkeyacceptedalgorithms).
func DefaultAlgorithms(key string) []string {
	s := ssh.SupportedAlgorithms()
	switch key {
	case "kexalgorithms":
		return DefaultKexAlgorithms()
	case "ciphers":
		return s.Ciphers
	case "macs":
		return s.MACs
	case "hostkeyalgorithms":
		return s.HostKeys
	case "pubkeyacceptedalgorithms":
		return s.PublicKeyAuths
	}
	return nil
}

// KnownAlgorithms returns every name the SSH library implements for the
// keyword, including the insecure ones a configuration may still name.
func KnownAlgorithms(key string) []string {
	s, in := ssh.SupportedAlgorithms(), ssh.InsecureAlgorithms()
	switch key {
	case "kexalgorithms":
		k := slices.Concat(s.KeyExchanges, in.KeyExchanges)
		if slices.Contains(k, "curve25519-sha256") && !slices.Contains(k, "curve25519-sha256@libssh.org") {
			k = append(k, "curve25519-sha256@libssh.org")
		}
		return k
	case "ciphers":
		return slices.Concat(s.Ciphers, in.Ciphers)
	case "macs":
		return slices.Concat(s.MACs, in.MACs)
	case "hostkeyalgorithms":
		return slices.Concat(s.HostKeys, in.HostKeys)
	case "pubkeyacceptedalgorithms":
		return slices.Concat(s.PublicKeyAuths, in.PublicKeyAuths)
	}
	return nil
}

// ApplyAlgorithms applies an OpenSSH algorithm-list argument to defaults:
// a plain list replaces it, "+list" appends, "-list" removes and "^list"
// moves names to the front (ssh_config(5), KexAlgorithms). Names may be
// wildcard patterns. A name (not a pattern) the library does not implement
// is an error, as is a list that ends up empty.
func ApplyAlgorithms(arg string, defaults, known []string) ([]string, error) {
	if arg == "" {
		return nil, fmt.Errorf("empty algorithm list")
	}
	mod := byte(0)
	switch arg[0] {
	case '+', '-', '^':
		mod, arg = arg[0], arg[1:]
	}
	var names []string
	for _, n := range strings.Split(arg, ",") {
		if n == "" {
			return nil, fmt.Errorf("empty name in algorithm list")
		}
		if mod == '-' {
			names = append(names, n)
			continue
		}
		if strings.ContainsAny(n, "*?") {
			matched := false
			for _, k := range known {
				if MatchPattern(k, n) && !slices.Contains(names, k) {
					names = append(names, k)
					matched = true
				}
			}
			if !matched {
				return nil, fmt.Errorf("pattern %q matches no supported algorithm", n)
			}
			continue
		}
		if !slices.Contains(known, n) {
			return nil, fmt.Errorf("unsupported algorithm %q", n)
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	var out []string
	switch mod {
	case 0:
		out = names
	case '+':
		out = slices.Clone(defaults)
		for _, n := range names {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	case '^':
		out = slices.Clone(names)
		for _, n := range defaults {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	case '-':
		for _, d := range defaults {
			if !slices.ContainsFunc(names, func(p string) bool { return MatchPattern(d, p) }) {
				out = append(out, d)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("algorithm list is empty")
	}
	return out, nil
}
