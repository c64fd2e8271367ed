package sshkey

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// DefaultUserExtensions are the extensions ssh-keygen -s gives a user
// certificate unless -O clear removes them.
var DefaultUserExtensions = []string{
	"permit-X11-forwarding",
	"permit-agent-forwarding",
	"permit-port-forwarding",
	"permit-pty",
	"permit-user-rc",
}

// CertRequest describes a certificate to sign, as ssh-keygen -s's flags do.
type CertRequest struct {
	Key         ssh.PublicKey
	KeyID       string   // -I
	Principals  []string // -n
	Serial      uint64   // -z
	Host        bool     // -h
	ValidAfter  uint64   // -V, 0 = always
	ValidBefore uint64   // -V, math.MaxUint64 = forever
	// Critical options and extensions; a user certificate without
	// explicit ones gets DefaultUserExtensions (see ApplyOption).
	CriticalOptions map[string]string
	Extensions      map[string]string
}

// NewCertRequest returns ssh-keygen's defaults: valid forever and, for a
// user certificate, the default extensions.
func NewCertRequest(key ssh.PublicKey, host bool) *CertRequest {
	r := &CertRequest{Key: key, Host: host, ValidBefore: math.MaxUint64,
		CriticalOptions: map[string]string{}, Extensions: map[string]string{}}
	if !host {
		for _, e := range DefaultUserExtensions {
			r.Extensions[e] = ""
		}
	}
	return r
}

// ApplyOption applies one ssh-keygen -O option: clear, force-command=CMD,
// source-address=LIST, verify-required, no-X / permit-X for the standard
// extensions, critical:NAME[=VALUE], extension:NAME[=VALUE].
func (r *CertRequest) ApplyOption(opt string) error {
	name, val, hasVal := strings.Cut(opt, "=")
	lower := strings.ToLower(name)
	ext := func(e string, on bool) {
		if on {
			r.Extensions[e] = ""
		} else {
			delete(r.Extensions, e)
		}
	}
	switch {
	case lower == "clear":
		clear(r.CriticalOptions)
		clear(r.Extensions)
	case lower == "no-x11-forwarding" || lower == "permit-x11-forwarding":
		ext("permit-X11-forwarding", strings.HasPrefix(lower, "permit"))
	case lower == "no-agent-forwarding" || lower == "permit-agent-forwarding",
		lower == "no-port-forwarding" || lower == "permit-port-forwarding",
		lower == "no-pty" || lower == "permit-pty",
		lower == "no-user-rc" || lower == "permit-user-rc":
		ext("permit-"+strings.TrimPrefix(strings.TrimPrefix(lower, "no-"), "permit-"), strings.HasPrefix(lower, "permit"))
	case lower == "no-touch-required":
		ext("no-touch-required", true)
	case lower == "force-command" || lower == "source-address":
		if !hasVal || val == "" {
			return fmt.Errorf("invalid %s option", lower)
		}
		if _, dup := r.CriticalOptions[lower]; dup {
			return fmt.Errorf("%s already specified", lower)
		}
		r.CriticalOptions[lower] = val
	case lower == "verify-required":
		r.CriticalOptions["verify-required"] = ""
	case strings.HasPrefix(lower, "critical:"):
		r.CriticalOptions[name[len("critical:"):]] = val
	case strings.HasPrefix(lower, "extension:"):
		r.Extensions[name[len("extension:"):]] = val
	default:
		return fmt.Errorf("Unsupported certificate option %q", opt)
	}
	return nil
}

// Sign signs the certificate with the CA (RSA CAs sign with rsa-sha2-512,
// as ssh-keygen does; every other CA with its own algorithm).
func (r *CertRequest) Sign(ca ssh.Signer) (*ssh.Certificate, error) {
	typ := uint32(ssh.UserCert)
	if r.Host {
		typ = ssh.HostCert
	}
	c := &ssh.Certificate{
		Key:             r.Key,
		Serial:          r.Serial,
		CertType:        typ,
		KeyId:           r.KeyID,
		ValidPrincipals: r.Principals,
		ValidAfter:      r.ValidAfter,
		ValidBefore:     r.ValidBefore,
		Permissions: ssh.Permissions{
			CriticalOptions: maps.Clone(r.CriticalOptions),
			Extensions:      maps.Clone(r.Extensions),
		},
	}
	if as, ok := ca.(ssh.AlgorithmSigner); ok && ca.PublicKey().Type() == ssh.KeyAlgoRSA {
		s, err := ssh.NewSignerWithAlgorithms(as, []string{ssh.KeyAlgoRSASHA512})
		if err != nil {
			return nil, fmt.Errorf("RSA CA: %w", err)
		}
		ca = s
	}
	if err := c.SignCert(rand.Reader, ca); err != nil {
		return nil, fmt.Errorf("signing the certificate: %w", err)
	}
	return c, nil
}

// ParseValidity parses ssh-keygen's -V argument relative to now: "always"
// or "forever" ends, YYYYMMDD[HHMM[SS]] (local time, or UTC with a Z
// suffix), [+-]timespec (e.g. +52w1d, -1h), 0x-prefixed seconds since the
// epoch, "from:to", or a single "+timespec" meaning from one minute ago
// to now+timespec.
func ParseValidity(spec string, now time.Time) (after, before uint64, err error) {
	if strings.HasPrefix(spec, "+") && !strings.Contains(spec, ":") {
		d, err := parseTimespec(spec[1:])
		if err != nil {
			return 0, 0, fmt.Errorf("Invalid relative certificate life %s", spec)
		}
		n := now.Unix()
		return uint64((n - 59) / 60 * 60), uint64(n + d), nil
	}
	from, to, ok := strings.Cut(spec, ":")
	if !ok || from == "" || to == "" {
		return 0, 0, fmt.Errorf("Invalid certificate life specification %s", spec)
	}
	if after, err = parseTime(from, now, true); err != nil {
		return 0, 0, err
	}
	if before, err = parseTime(to, now, false); err != nil {
		return 0, 0, err
	}
	if before <= after {
		return 0, 0, fmt.Errorf("Empty certificate validity interval")
	}
	return after, before, nil
}

func parseTime(s string, now time.Time, isFrom bool) (uint64, error) {
	switch {
	case isFrom && s == "always":
		return 0, nil
	case !isFrom && s == "forever":
		return math.MaxUint64, nil
	case s[0] == '+' || s[0] == '-':
		d, err := parseTimespec(s[1:])
		if err != nil {
			return 0, fmt.Errorf("Invalid relative certificate time %s", s)
		}
		if s[0] == '-' {
			d = -d
		}
		return uint64(now.Unix() + d), nil
	case strings.HasPrefix(s, "0x"):
		v, err := strconv.ParseUint(s[2:], 16, 64)
		if err != nil {
			return 0, fmt.Errorf("Invalid certificate time %s", s)
		}
		return v, nil
	}
	loc := time.Local
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		loc, s = time.UTC, s[:len(s)-1]
	}
	layout := map[int]string{8: "20060102", 12: "200601021504", 14: "20060102150405"}[len(s)]
	if layout == "" {
		return 0, fmt.Errorf("Invalid certificate time %s", s)
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil || t.Unix() < 0 {
		return 0, fmt.Errorf("Invalid certificate time %s", s)
	}
	return uint64(t.Unix()), nil
}

// parseTimespec is OpenSSH's convtime: a sequence of NUMBER[smhdwSMHDW]
// (seconds when no unit), in seconds.
func parseTimespec(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty time")
	}
	var total int64
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("bad time %q", s)
		}
		n, err := strconv.ParseInt(s[:i], 10, 32)
		if err != nil {
			return 0, err
		}
		s = s[i:]
		mult := int64(1)
		if s != "" {
			switch s[0] {
			case 's', 'S':
			case 'm', 'M':
				mult = 60
			case 'h', 'H':
				mult = 3600
			case 'd', 'D':
				mult = 86400
			case 'w', 'W':
				mult = 7 * 86400
			default:
				return 0, fmt.Errorf("bad time unit %q", s[0])
			}
			s = s[1:]
		}
		total += n * mult
		if total > math.MaxInt32*int64(7*86400) {
			return 0, fmt.Errorf("time too large")
		}
	}
	return total, nil
}

// FormatValidity is ssh-keygen's "Valid:" text (local time).
func FormatValidity(after, before uint64) string {
	f := func(t uint64) string {
		if t > math.MaxInt64 {
			t = math.MaxInt64
		}
		return time.Unix(int64(t), 0).Format("2006-01-02T15:04:05")
	}
	switch {
	case after == 0 && before == math.MaxUint64:
		return "forever"
	case after == 0:
		return "before " + f(before)
	case before == math.MaxUint64:
		return "after " + f(after)
	}
	return "from " + f(after) + " to " + f(before)
}

// KeyTypeLabel is OpenSSH's sshkey_type: the short upper-case label of a
// key's type ("ED25519", "ECDSA", "RSA", "MLDSA44-ED25519", with "-CERT"
// for certificates).
func KeyTypeLabel(k ssh.PublicKey) string {
	if c, ok := k.(*ssh.Certificate); ok {
		return KeyTypeLabel(c.Key) + "-CERT"
	}
	switch t := k.Type(); {
	case t == ssh.KeyAlgoED25519:
		return "ED25519"
	case strings.HasPrefix(t, "ecdsa-sha2-"):
		return "ECDSA"
	case t == ssh.KeyAlgoRSA:
		return "RSA"
	case t == ssh.InsecureKeyAlgoDSA: //nolint:staticcheck // labels only
		return "DSA"
	case t == ssh.KeyAlgoSKED25519:
		return "ED25519-SK"
	case t == ssh.KeyAlgoSKECDSA256:
		return "ECDSA-SK"
	default:
		return strings.ToUpper(strings.TrimPrefix(t, "ssh-"))
	}
}

// CertTypeLabel is "user" or "host".
func CertTypeLabel(c *ssh.Certificate) string {
	if c.CertType == ssh.HostCert {
		return "host"
	}
	return "user"
}

// FormatCertificate prints a certificate as ssh-keygen -L does (without the
// leading "FILE:" line); fingerprint gives the fingerprint text of a key
// (SHA256 or MD5, as -E chooses).
func FormatCertificate(c *ssh.Certificate, fingerprint func(ssh.PublicKey) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "        Type: %s %s certificate\n", c.Type(), CertTypeLabel(c))
	fmt.Fprintf(&b, "        Public key: %s %s\n", KeyTypeLabel(c), fingerprint(c.Key))
	sigType := ""
	if c.Signature != nil {
		sigType = c.Signature.Format
	}
	fmt.Fprintf(&b, "        Signing CA: %s %s (using %s)\n", KeyTypeLabel(c.SignatureKey), fingerprint(c.SignatureKey), sigType)
	fmt.Fprintf(&b, "        Key ID: \"%s\"\n", c.KeyId)
	fmt.Fprintf(&b, "        Serial: %d\n", c.Serial)
	fmt.Fprintf(&b, "        Valid: %s\n", FormatValidity(c.ValidAfter, c.ValidBefore))
	b.WriteString("        Principals: ")
	if len(c.ValidPrincipals) == 0 {
		b.WriteString("(none)\n")
	} else {
		for _, p := range c.ValidPrincipals {
			b.WriteString("\n                " + p)
		}
		b.WriteString("\n")
	}
	b.WriteString("        Critical Options: ")
	formatOptions(&b, c.CriticalOptions, true)
	b.WriteString("        Extensions: ")
	formatOptions(&b, c.Extensions, false)
	return b.String()
}

// formatOptions is ssh-keygen's show_options.
func formatOptions(b *strings.Builder, opts map[string]string, critical bool) {
	if len(opts) == 0 {
		b.WriteString("(none)\n")
		return
	}
	b.WriteString("\n")
	names := make([]string, 0, len(opts))
	for n := range opts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		// x/crypto hands over a value without the SSH string that wraps
		// it in the option's data.
		var data []byte
		if v := opts[n]; v != "" {
			data = appendString(nil, []byte(v))
		}
		b.WriteString("                " + n)
		switch {
		case !critical && (n == "permit-X11-forwarding" || n == "permit-agent-forwarding" ||
			n == "permit-port-forwarding" || n == "permit-pty" || n == "permit-user-rc" || n == "no-touch-required"):
			b.WriteString("\n")
		case critical && (n == "force-command" || n == "source-address"):
			b.WriteString(" " + opts[n] + "\n")
		case critical && n == "verify-required":
			b.WriteString("\n")
		case len(data) > 0:
			fmt.Fprintf(b, " UNKNOWN OPTION: %s (len %d)\n", hex.EncodeToString(data), len(data))
		default:
			b.WriteString(" UNKNOWN FLAG OPTION\n")
		}
	}
}
