// Package config parses pqsshd's configuration, which uses the syntax of
// OpenSSH's sshd_config(5): one "Keyword arguments" or "Keyword=arguments"
// per line, keywords case-insensitive, '#' comments, quoted arguments,
// Include and Match. As in OpenSSH, the first value obtained for most
// keywords wins; the list-valued ones (Port, ListenAddress, HostKey,
// AcceptEnv, Subsystem, Allow/DenyUsers, Allow/DenyGroups) accumulate.
// Unknown or unsupported keywords and values are errors naming the file and
// line: pqsshd never silently ignores a setting.
package config

import (
	"fmt"
	"slices"
	"time"

	"github.com/pqssh/pqssh/internal/sshconf"
)

// Subsystem is one Subsystem line: a name and the command (or
// "internal-sftp") that serves it.
type Subsystem struct {
	Name    string
	Command string
}

// Penalties are the PerSourcePenalties settings.
type Penalties struct {
	Enabled                         bool
	AuthFail, NoAuth, GraceExceeded time.Duration
	// Crash is added when a session process dies before authentication
	// without ending its connection (a signal, a Go fatal error).
	Crash      time.Duration
	Min, Max   time.Duration
	MaxSources int
}

// MaxStartups is the start:rate:full triple of the MaxStartups option.
type MaxStartups struct {
	Start, Rate, Full int
}

// Config is an sshd configuration. Parse returns one holding the global
// settings and the Match blocks; ForConnection resolves it for one
// connection.
type Config struct {
	Ports                     []int
	ListenAddresses           []string
	HostKeys                  []string
	HostCertificates          []string
	AuthorizedKeysFiles       []string
	KexAlgorithms             []string
	Ciphers                   []string
	MACs                      []string
	PubkeyAcceptedAlgorithms  []string
	HostKeyAlgorithms         []string
	RevokedKeys               string
	ChrootDirectory           string
	RekeyLimit                uint64 // bytes; 0: the library's default
	AuthorizedKeysCommand     string
	AuthorizedKeysCommandUser string
	// AuthorizedPrincipalsFile, AuthorizedPrincipalsCommand and its user
	// list the certificate principals accepted for a user with
	// TrustedUserCAKeys; "none" when unset.
	AuthorizedPrincipalsFile        string
	AuthorizedPrincipalsCommand     string
	AuthorizedPrincipalsCommandUser string
	PerSourceMaxStartups            int    // 0: none
	PerSourceNetBlockSize           [2]int // IPv4, IPv6 prefix lengths
	PubkeyAuthentication            bool
	PasswordAuthentication          bool
	KbdInteractiveAuth              bool
	LogLevel                        string
	SyslogFacility                  string // DAEMON, USER, AUTH, AUTHPRIV, LOCAL0-7
	PidFile                         string
	AcceptEnv                       []string
	Subsystems                      []Subsystem
	MaxStartups                     MaxStartups
	LoginGraceTime                  time.Duration
	MaxAuthTries                    int
	MaxSessions                     int
	Banner                          string
	PrintMotd                       bool
	PermitRootLogin                 string
	AllowUsers                      []string
	DenyUsers                       []string
	AllowGroups                     []string
	DenyGroups                      []string
	AllowTCPForwarding              string
	AllowAgentForwarding            bool
	AllowStreamLocalForwarding      string
	GatewayPorts                    string
	PermitOpen                      []string
	PermitListen                    []string
	PermitTTY                       bool
	ForceCommand                    string
	ClientAliveInterval             time.Duration
	UnusedConnectionTimeout         time.Duration // 0: none
	ClientAliveCountMax             int
	PermitUserEnvironment           string
	TrustedUserCAKeys               string
	StreamLocalBindUnlink           bool
	StrictModes                     bool
	UseDNS                          bool
	PerSourcePenalties              Penalties
	PerSourcePenaltyExemptList      string
	DisableForwarding               bool
	ExposeAuthInfo                  bool
	VersionAddendum                 string
	TCPKeepAlive                    bool
	SetEnv                          []string
	AddressFamily                   string
	McTiny                          McTinySettings // options_mctiny.go
	UnauthenticatedKexMemory        int64          // bytes, options_unauthkex.go; NoKexBudget: none
	PerSourceKexMemory              int64          // bytes per PerSourceNetBlockSize block; NoKexBudget: none
	AuthenticationMethods           string         // "any", or lists of comma-separated methods separated by spaces (AuthMethodLists)
	UsePAM                          bool           // PAM account, session and password checks (a notice in a build without PAM)
	PAMServiceName                  string         // the PAM service (default "sshd")
	X11Forwarding                   bool           // accepted; X11 forwarding is not offered (a notice)

	// Notices are settings accepted although they have no effect in
	// pqsshd (such as UsePAM yes), one line each with its file and line;
	// pqsshd logs them at start-up and -t prints them.
	Notices []string

	// set records which keywords have been given a value (first wins).
	set map[string]bool
	// matches are the Match blocks in file order.
	matches []*matchBlock
}

// Default returns the configuration in force when the files say nothing,
// OpenSSH's defaults where pqsshd supports the option.
func Default() *Config {
	return &Config{
		AuthorizedKeysFiles:             []string{".ssh/authorized_keys", ".ssh/authorized_keys2"},
		KexAlgorithms:                   sshconf.ServerDefaults(sshconf.KexAlgorithms),
		Ciphers:                         sshconf.ServerDefaults(sshconf.Ciphers),
		MACs:                            sshconf.ServerDefaults(sshconf.MACs),
		PubkeyAcceptedAlgorithms:        sshconf.ServerDefaults(sshconf.PubkeyAcceptedAlgorithms),
		HostKeyAlgorithms:               sshconf.ServerDefaults(sshconf.HostKeyAlgorithms),
		RevokedKeys:                     "none",
		ChrootDirectory:                 "none",
		AuthorizedKeysCommand:           "none",
		AuthorizedKeysCommandUser:       "none",
		AuthorizedPrincipalsFile:        "none",
		AuthorizedPrincipalsCommand:     "none",
		AuthorizedPrincipalsCommandUser: "none",
		PerSourceNetBlockSize:           [2]int{32, 128},
		PubkeyAuthentication:            true,
		LogLevel:                        "INFO",
		SyslogFacility:                  "AUTH",
		PidFile:                         "/run/pqsshd.pid",
		MaxStartups:                     MaxStartups{10, 30, 100},
		LoginGraceTime:                  120 * time.Second,
		MaxAuthTries:                    6,
		MaxSessions:                     10,
		Banner:                          "none",
		PrintMotd:                       true,
		PermitRootLogin:                 "prohibit-password",
		AllowTCPForwarding:              "yes",
		AllowAgentForwarding:            true,
		AllowStreamLocalForwarding:      "yes",
		GatewayPorts:                    "no",
		PermitOpen:                      []string{"any"},
		PermitListen:                    []string{"any"},
		PermitTTY:                       true,
		ForceCommand:                    "none",
		ClientAliveCountMax:             3,
		PermitUserEnvironment:           "no",
		TrustedUserCAKeys:               "none",
		StrictModes:                     true,
		PerSourcePenalties:              DefaultPenalties(),
		TCPKeepAlive:                    true,
		AddressFamily:                   "any",
		UnauthenticatedKexMemory:        DefaultUnauthenticatedKexMemory,
		PerSourceKexMemory:              DefaultPerSourceKexMemory,
		AuthenticationMethods:           "any",
		PAMServiceName:                  "sshd",
		PasswordAuthentication:          true,
		KbdInteractiveAuth:              true,
		set:                             map[string]bool{},
	}
}

// clone returns a deep enough copy of c for ForConnection to modify.
func (c *Config) clone() *Config {
	n := *c
	n.Ports = slices.Clone(c.Ports)
	n.ListenAddresses = slices.Clone(c.ListenAddresses)
	n.HostKeys = slices.Clone(c.HostKeys)
	n.HostCertificates = slices.Clone(c.HostCertificates)
	n.AuthorizedKeysFiles = slices.Clone(c.AuthorizedKeysFiles)
	n.KexAlgorithms = slices.Clone(c.KexAlgorithms)
	n.Ciphers = slices.Clone(c.Ciphers)
	n.MACs = slices.Clone(c.MACs)
	n.AcceptEnv = slices.Clone(c.AcceptEnv)
	n.Subsystems = slices.Clone(c.Subsystems)
	n.AllowUsers = slices.Clone(c.AllowUsers)
	n.DenyUsers = slices.Clone(c.DenyUsers)
	n.AllowGroups = slices.Clone(c.AllowGroups)
	n.DenyGroups = slices.Clone(c.DenyGroups)
	n.PermitOpen = slices.Clone(c.PermitOpen)
	n.PermitListen = slices.Clone(c.PermitListen)
	n.SetEnv = slices.Clone(c.SetEnv)
	n.Notices = slices.Clone(c.Notices)
	n.set = map[string]bool{}
	for k, v := range c.set {
		n.set[k] = v
	}
	return &n
}

// Subsystem returns the command configured for a subsystem name.
func (c *Config) Subsystem(name string) (string, bool) {
	for _, s := range c.Subsystems {
		if s.Name == name {
			return s.Command, true
		}
	}
	return "", false
}

// An Error is a configuration error at a place in a file.
type Error struct {
	File string
	Line int
	Err  error
}

func (e *Error) Error() string {
	if e.File == "" {
		return e.Err.Error()
	}
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
