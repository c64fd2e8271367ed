package config

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pqssh/pqssh/server/pam"
)

// option describes one keyword.
type option struct {
	name  string // canonical spelling, for messages and -T
	match bool   // allowed inside Match
	multi bool   // values accumulate instead of first-wins
	// set parses args into c. Multi options append.
	set func(c *Config, args []string) error
	// reset empties a multi option's value, for a Match block that
	// replaces the global list.
	reset func(c *Config)
	dump  func(c *Config) []string // lines for -T, without the keyword
	// notice, if set, returns the notice a valid value earns (see
	// Config.Notices), or "".
	notice func(args []string) string
}

// options is the table of supported keywords, in -T order.
var options []*option

// byKeyword maps a lower-case keyword to its option.
var byKeyword = map[string]*option{}

// unsupported are sshd_config keywords pqsshd knows but does not
// implement, with the reason given in the error (docs/sshd-options.md
// gives the same reasons). Every keyword OpenSSH's sshd -T prints is
// either an option or here.
var unsupported = map[string]string{
	"agentsocketpath":                 "agent sockets are created in a private directory under $TMPDIR (docs/sshd-options.md, Forwarding sockets); the place is not configurable",
	"casignaturealgorithms":           "CA signatures are checked with x/crypto's default algorithms; the list is not configurable",
	"channeltimeout":                  "per-channel idle timeouts are not supported yet (UnusedConnectionTimeout and ClientAliveInterval are)",
	"debianbanner":                    "the version string never names the distribution (VersionAddendum adds text)",
	"fingerprinthash":                 "logs always use SHA256 fingerprints",
	"gssapicleanupcredentials":        "GSSAPI is not supported",
	"gssapikexalgorithms":             "GSSAPI key exchange is not supported",
	"gssapikeyexchange":               "GSSAPI key exchange is not supported",
	"gssapistorecredentialsonrekey":   "GSSAPI is not supported",
	"gssapistrictacceptorcheck":       "GSSAPI is not supported",
	"hostbasedacceptedalgorithms":     "host-based authentication is not supported",
	"hostbasedusesnamefrompacketonly": "host-based authentication is not supported",
	"hostkeyagent":                    "host keys are read from files only (HostKey)",
	"ignoreuserknownhosts":            "host-based authentication is not supported, so known_hosts files are never read",
	"ipqos":                           "IP type-of-service marking is not supported",
	"kerberosgetafstoken":             "Kerberos is not supported",
	"kerberosorlocalpasswd":           "Kerberos and password authentication are not supported",
	"kerberosticketcleanup":           "Kerberos is not supported",
	"logverbose":                      "per-source-file verbose logging is not supported; use LogLevel",
	"modulifile":                      "diffie-hellman-group-exchange uses x/crypto's built-in groups; no moduli file is read",
	"pubkeyauthoptions":               "a security key's touch is always required and user verification cannot be checked (see authorized_keys options)",
	"rdomain":                         "routing domains are not supported",
	"refuseconnection":                "use DenyUsers, or Match with AllowUsers, instead",
	"requiredrsasize":                 "the minimum RSA key size is x/crypto's and not configurable",
	"securitykeyprovider":             "security keys are verified without a provider library; the setting has no use",
	"sshdauthpath":                    "pqsshd is one binary; it has no separate sshd-auth program",
	"sshdsessionpath":                 "pqsshd is one binary; it has no separate sshd-session program",
	"streamlocalbindmask":             "forwarded Unix sockets are always bound with mode 0600 (OpenSSH's default mask 0177)",
	"usepriviledgeseparation":         "privilege separation is built in",
	"useprivilegeseparation":          "privilege separation is built in",
	"warnweakcrypto":                  "pqsshd always logs a warning for a connection without a post-quantum key exchange",
	"x11displayoffset":                "X11 forwarding is not offered (see X11Forwarding)",
	"x11uselocalhost":                 "X11 forwarding is not offered (see X11Forwarding)",
	"xauthlocation":                   "X11 forwarding is not offered (see X11Forwarding)",
}

func init() {
	add := func(o *option) {
		options = append(options, o)
		byKeyword[strings.ToLower(o.name)] = o
	}
	str := func(get func(*Config) *string) func(*Config) []string {
		return func(c *Config) []string { return []string{*get(c)} }
	}
	list := func(get func(*Config) *[]string) func(*Config) []string {
		return func(c *Config) []string { return *get(c) }
	}
	yesno := func(name string, match bool, get func(*Config) *bool) {
		add(&option{name: name, match: match,
			set: func(c *Config, a []string) error {
				v, err := parseYesNo(a)
				*get(c) = v
				return err
			},
			dump: func(c *Config) []string {
				if *get(c) {
					return []string{"yes"}
				}
				return []string{"no"}
			}})
	}
	choice := func(name string, match bool, get func(*Config) *string, allowed ...string) {
		add(&option{name: name, match: match,
			set: func(c *Config, a []string) error {
				if len(a) != 1 {
					return fmt.Errorf("%s takes one argument", name)
				}
				v := strings.ToLower(a[0])
				if !slices.Contains(allowed, v) {
					return fmt.Errorf("%s: unsupported value %q (one of %s)", name, a[0], strings.Join(allowed, ", "))
				}
				*get(c) = v
				return nil
			},
			dump: str(get)})
	}
	integer := func(name string, match bool, get func(*Config) *int) {
		add(&option{name: name, match: match,
			set: func(c *Config, a []string) error {
				if len(a) != 1 {
					return fmt.Errorf("%s takes one argument", name)
				}
				n, err := strconv.Atoi(a[0])
				if err != nil || n < 0 {
					return fmt.Errorf("%s: bad number %q", name, a[0])
				}
				*get(c) = n
				return nil
			},
			dump: func(c *Config) []string { return []string{strconv.Itoa(*get(c))} }})
	}
	duration := func(name string, match bool, get func(*Config) *time.Duration) {
		add(&option{name: name, match: match,
			set: func(c *Config, a []string) error {
				if len(a) != 1 {
					return fmt.Errorf("%s takes one argument", name)
				}
				d, err := ParseTime(a[0])
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				*get(c) = d
				return nil
			},
			dump: func(c *Config) []string { return []string{strconv.Itoa(int(get(c).Seconds()))} }})
	}
	accumulate := func(name string, match bool, get func(*Config) *[]string) {
		add(&option{name: name, match: match, multi: true,
			reset: func(c *Config) { *get(c) = nil },
			set: func(c *Config, a []string) error {
				if len(a) == 0 {
					return fmt.Errorf("%s: missing argument", name)
				}
				*get(c) = append(*get(c), a...)
				return nil
			},
			dump: list(get)})
	}

	add(&option{name: "Port", multi: true,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("Port takes one argument")
			}
			p, err := strconv.Atoi(a[0])
			if err != nil || p < 0 || p > 65535 {
				return fmt.Errorf("Port: bad port number %q", a[0])
			}
			c.Ports = append(c.Ports, p)
			return nil
		},
		dump: func(c *Config) []string {
			var out []string
			for _, p := range c.Ports {
				out = append(out, strconv.Itoa(p))
			}
			return out
		}})
	add(&option{name: "ListenAddress", multi: true,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("ListenAddress takes one argument (rdomain is not supported)")
			}
			c.ListenAddresses = append(c.ListenAddresses, a[0])
			return nil
		},
		dump: func(c *Config) []string { return c.listenDump() }})
	accumulate("HostKey", false, func(c *Config) *[]string { return &c.HostKeys })
	accumulate("HostCertificate", false, func(c *Config) *[]string { return &c.HostCertificates })
	add(&option{name: "AuthorizedKeysFile", match: true,
		set: func(c *Config, a []string) error {
			if len(a) == 0 {
				return fmt.Errorf("AuthorizedKeysFile: missing argument")
			}
			c.AuthorizedKeysFiles = slices.Clone(a)
			return nil
		},
		dump: list(func(c *Config) *[]string { return &c.AuthorizedKeysFiles })})
	algos := func(name string, get func(*Config) *[]string, defaults, known func() []string) {
		add(&option{name: name,
			set: func(c *Config, a []string) error {
				if len(a) != 1 {
					return fmt.Errorf("%s takes one comma-separated list", name)
				}
				v, err := algorithmList(a[0], defaults(), known())
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				if len(v) == 0 {
					return fmt.Errorf("%s: the list is empty", name)
				}
				*get(c) = v
				return nil
			},
			dump: func(c *Config) []string { return []string{strings.Join(*get(c), ",")} }})
	}
	algos("KexAlgorithms", func(c *Config) *[]string { return &c.KexAlgorithms }, DefaultKexAlgorithms, knownKex)
	algos("Ciphers", func(c *Config) *[]string { return &c.Ciphers }, defaultCiphers, knownCiphers)
	algos("MACs", func(c *Config) *[]string { return &c.MACs }, defaultMACs, knownMACs)
	algos("PubkeyAcceptedAlgorithms", func(c *Config) *[]string { return &c.PubkeyAcceptedAlgorithms }, defaultPubkeyAlgos, knownPubkeyAlgos)
	byKeyword["pubkeyacceptedkeytypes"] = byKeyword["pubkeyacceptedalgorithms"] // the pre-8.5 name
	algos("HostKeyAlgorithms", func(c *Config) *[]string { return &c.HostKeyAlgorithms }, defaultHostKeyAlgos, knownHostKeyAlgos)
	add(&option{name: "RevokedKeys",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("RevokedKeys takes one argument")
			}
			c.RevokedKeys = a[0]
			return nil
		},
		dump: str(func(c *Config) *string { return &c.RevokedKeys })})
	yesno("PubkeyAuthentication", true, func(c *Config) *bool { return &c.PubkeyAuthentication })
	add(&option{name: "AuthenticationMethods", match: true,
		set: func(c *Config, a []string) error {
			lists, err := ParseAuthenticationMethods(a)
			if err != nil {
				return err
			}
			c.AuthenticationMethods = lists
			return nil
		},
		dump: str(func(c *Config) *string { return &c.AuthenticationMethods })})
	add(&option{name: "UsePAM",
		set: func(c *Config, a []string) error {
			v, err := parseYesNo(a)
			if err != nil {
				return fmt.Errorf("UsePAM: %w", err)
			}
			c.UsePAM = v
			return nil
		},
		notice: func(a []string) string {
			if v, err := parseYesNo(a); err == nil && v && !pam.Available {
				return "UsePAM yes: this pqsshd was built without cgo, so PAM is unavailable: accounts are checked as with UsePAM no (locked and expired accounts are refused), no PAM account or session module runs and passwords cannot be checked (build with CGO_ENABLED=1 and libpam0g-dev)"
			}
			return ""
		},
		dump: func(c *Config) []string {
			if c.UsePAM {
				return []string{"yes"}
			}
			return []string{"no"}
		}})
	yesno("PasswordAuthentication", true, func(c *Config) *bool { return &c.PasswordAuthentication })
	yesno("KbdInteractiveAuthentication", true, func(c *Config) *bool { return &c.KbdInteractiveAuth })
	// The old name of KbdInteractiveAuthentication; sshd -T prints only
	// the new one.
	add(&option{name: "ChallengeResponseAuthentication", match: true,
		set: func(c *Config, a []string) error {
			v, err := parseYesNo(a)
			c.KbdInteractiveAuth = v
			return err
		},
		dump: func(*Config) []string { return nil }})
	add(&option{name: "PAMServiceName",
		set: func(c *Config, a []string) error {
			if len(a) != 1 || a[0] == "" {
				return fmt.Errorf("PAMServiceName takes one argument")
			}
			c.PAMServiceName = a[0]
			return nil
		},
		dump: str(func(c *Config) *string { return &c.PAMServiceName })})
	add(&option{name: "LogLevel", match: true,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("LogLevel takes one argument")
			}
			v := strings.ToUpper(a[0])
			switch v {
			case "QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG", "DEBUG1", "DEBUG2", "DEBUG3":
				c.LogLevel = v
				return nil
			}
			return fmt.Errorf("LogLevel: unsupported level %q", a[0])
		},
		dump: str(func(c *Config) *string { return &c.LogLevel })})
	add(&option{name: "PidFile",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("PidFile takes one argument")
			}
			c.PidFile = a[0]
			return nil
		},
		dump: str(func(c *Config) *string { return &c.PidFile })})
	accumulate("AcceptEnv", true, func(c *Config) *[]string { return &c.AcceptEnv })
	add(&option{name: "Subsystem", multi: true,
		set: func(c *Config, a []string) error {
			if len(a) < 2 {
				return fmt.Errorf("Subsystem needs a name and a command")
			}
			if _, dup := c.Subsystem(a[0]); dup {
				return fmt.Errorf("Subsystem %q already defined", a[0])
			}
			c.Subsystems = append(c.Subsystems, Subsystem{Name: a[0], Command: strings.Join(a[1:], " ")})
			return nil
		},
		dump: func(c *Config) []string {
			var out []string
			for _, s := range c.Subsystems {
				out = append(out, s.Name+" "+s.Command)
			}
			return out
		}})
	add(&option{name: "MaxStartups",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("MaxStartups takes one argument")
			}
			m, err := parseMaxStartups(a[0])
			c.MaxStartups = m
			return err
		},
		dump: func(c *Config) []string {
			m := c.MaxStartups
			return []string{fmt.Sprintf("%d:%d:%d", m.Start, m.Rate, m.Full)}
		}})
	duration("LoginGraceTime", false, func(c *Config) *time.Duration { return &c.LoginGraceTime })
	integer("MaxAuthTries", true, func(c *Config) *int { return &c.MaxAuthTries })
	integer("MaxSessions", true, func(c *Config) *int { return &c.MaxSessions })
	add(&option{name: "Banner", match: true,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("Banner takes one argument")
			}
			c.Banner = a[0]
			return nil
		},
		dump: str(func(c *Config) *string { return &c.Banner })})
	yesno("PrintMotd", false, func(c *Config) *bool { return &c.PrintMotd })
	choice("PermitRootLogin", true, func(c *Config) *string { return &c.PermitRootLogin },
		"yes", "prohibit-password", "without-password", "forced-commands-only", "no")
	accumulate("AllowUsers", true, func(c *Config) *[]string { return &c.AllowUsers })
	accumulate("DenyUsers", true, func(c *Config) *[]string { return &c.DenyUsers })
	accumulate("AllowGroups", true, func(c *Config) *[]string { return &c.AllowGroups })
	accumulate("DenyGroups", true, func(c *Config) *[]string { return &c.DenyGroups })
	choice("AllowTcpForwarding", true, func(c *Config) *string { return &c.AllowTCPForwarding }, "yes", "all", "no", "local", "remote")
	yesno("AllowAgentForwarding", true, func(c *Config) *bool { return &c.AllowAgentForwarding })
	choice("AllowStreamLocalForwarding", true, func(c *Config) *string { return &c.AllowStreamLocalForwarding }, "yes", "all", "no", "local", "remote")
	choice("GatewayPorts", true, func(c *Config) *string { return &c.GatewayPorts }, "yes", "no", "clientspecified")
	permitList := func(name string, get func(*Config) *[]string) {
		add(&option{name: name, match: true,
			set: func(c *Config, a []string) error {
				if len(a) == 0 {
					return fmt.Errorf("%s: missing argument", name)
				}
				for _, v := range a {
					if (v == "any" || v == "none") && len(a) > 1 {
						return fmt.Errorf("%s: %q must stand alone", name, v)
					}
					if name == "PermitListen" && !strings.Contains(v, ":") {
						if _, err := strconv.Atoi(v); err != nil && v != "*" {
							return fmt.Errorf("%s: bad port %q", name, v)
						}
						continue
					}
					if v != "any" && v != "none" {
						if _, _, err := SplitHostPort(v); err != nil {
							return fmt.Errorf("%s: %w", name, err)
						}
					}
				}
				*get(c) = slices.Clone(a)
				return nil
			},
			dump: func(c *Config) []string { return []string{strings.Join(*get(c), " ")} }})
	}
	permitList("PermitOpen", func(c *Config) *[]string { return &c.PermitOpen })
	permitList("PermitListen", func(c *Config) *[]string { return &c.PermitListen })
	yesno("PermitTTY", true, func(c *Config) *bool { return &c.PermitTTY })
	add(&option{name: "ForceCommand", match: true,
		set: func(c *Config, a []string) error {
			if len(a) == 0 {
				return fmt.Errorf("ForceCommand: missing argument")
			}
			c.ForceCommand = strings.Join(a, " ")
			return nil
		},
		dump: str(func(c *Config) *string { return &c.ForceCommand })})
	add(&option{name: "UnusedConnectionTimeout",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("UnusedConnectionTimeout takes one argument")
			}
			if strings.EqualFold(a[0], "none") {
				c.UnusedConnectionTimeout = 0
				return nil
			}
			d, err := ParseTime(a[0])
			if err != nil {
				return fmt.Errorf("UnusedConnectionTimeout: %w", err)
			}
			c.UnusedConnectionTimeout = d
			return nil
		},
		dump: func(c *Config) []string {
			if c.UnusedConnectionTimeout == 0 {
				return []string{"none"}
			}
			return []string{strconv.Itoa(int(c.UnusedConnectionTimeout.Seconds()))}
		}})
	duration("ClientAliveInterval", true, func(c *Config) *time.Duration { return &c.ClientAliveInterval })
	integer("ClientAliveCountMax", true, func(c *Config) *int { return &c.ClientAliveCountMax })
	add(&option{name: "PermitUserEnvironment",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("PermitUserEnvironment takes one argument")
			}
			v := a[0]
			if l := strings.ToLower(v); l == "yes" || l == "no" {
				v = l
			}
			c.PermitUserEnvironment = v
			return nil
		},
		dump: str(func(c *Config) *string { return &c.PermitUserEnvironment })})
	add(&option{name: "PerSourceMaxStartups",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("PerSourceMaxStartups takes one argument")
			}
			if strings.EqualFold(a[0], "none") {
				c.PerSourceMaxStartups = 0
				return nil
			}
			n, err := strconv.Atoi(a[0])
			if err != nil || n < 1 {
				return fmt.Errorf("PerSourceMaxStartups: expected a positive number or none, not %q", a[0])
			}
			c.PerSourceMaxStartups = n
			return nil
		},
		dump: func(c *Config) []string {
			if c.PerSourceMaxStartups == 0 {
				return []string{"none"}
			}
			return []string{strconv.Itoa(c.PerSourceMaxStartups)}
		}})
	add(&option{name: "PerSourceNetBlockSize",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("PerSourceNetBlockSize takes one argument")
			}
			v4, v6, has6 := strings.Cut(a[0], ":")
			n4, err := strconv.Atoi(v4)
			if err != nil || n4 < 0 || n4 > 32 {
				return fmt.Errorf("PerSourceNetBlockSize: bad IPv4 prefix length in %q", a[0])
			}
			n6 := 128
			if has6 {
				if n6, err = strconv.Atoi(v6); err != nil || n6 < 0 || n6 > 128 {
					return fmt.Errorf("PerSourceNetBlockSize: bad IPv6 prefix length in %q", a[0])
				}
			}
			c.PerSourceNetBlockSize = [2]int{n4, n6}
			return nil
		},
		dump: func(c *Config) []string {
			return []string{fmt.Sprintf("%d:%d", c.PerSourceNetBlockSize[0], c.PerSourceNetBlockSize[1])}
		}})
	add(&option{name: "AuthorizedKeysCommand", match: true,
		set: func(c *Config, a []string) error {
			if len(a) == 0 {
				return fmt.Errorf("AuthorizedKeysCommand: missing argument")
			}
			if a[0] != "none" && !strings.HasPrefix(a[0], "/") {
				return fmt.Errorf("AuthorizedKeysCommand %q must be an absolute path", a[0])
			}
			c.AuthorizedKeysCommand = strings.Join(a, " ")
			return nil
		},
		dump: str(func(c *Config) *string { return &c.AuthorizedKeysCommand })})
	add(&option{name: "AuthorizedPrincipalsFile", match: true,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("AuthorizedPrincipalsFile takes one argument")
			}
			c.AuthorizedPrincipalsFile = a[0]
			return nil
		},
		dump: str(func(c *Config) *string { return &c.AuthorizedPrincipalsFile })})
	add(&option{name: "AuthorizedPrincipalsCommand", match: true,
		set: func(c *Config, a []string) error {
			if len(a) == 0 {
				return fmt.Errorf("AuthorizedPrincipalsCommand: missing argument")
			}
			if a[0] != "none" && !strings.HasPrefix(a[0], "/") {
				return fmt.Errorf("AuthorizedPrincipalsCommand %q must be an absolute path", a[0])
			}
			c.AuthorizedPrincipalsCommand = strings.Join(a, " ")
			return nil
		},
		dump: str(func(c *Config) *string { return &c.AuthorizedPrincipalsCommand })})
	add(&option{name: "AuthorizedPrincipalsCommandUser", match: true,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("AuthorizedPrincipalsCommandUser takes one argument")
			}
			c.AuthorizedPrincipalsCommandUser = a[0]
			return nil
		},
		dump: str(func(c *Config) *string { return &c.AuthorizedPrincipalsCommandUser })})
	add(&option{name: "AuthorizedKeysCommandUser", match: true,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("AuthorizedKeysCommandUser takes one argument")
			}
			c.AuthorizedKeysCommandUser = a[0]
			return nil
		},
		dump: str(func(c *Config) *string { return &c.AuthorizedKeysCommandUser })})
	add(&option{name: "RekeyLimit",
		set: func(c *Config, a []string) error {
			if len(a) < 1 || len(a) > 2 {
				return fmt.Errorf("RekeyLimit takes a data limit and an optional time limit")
			}
			if len(a) == 2 && a[1] != "none" {
				return fmt.Errorf("RekeyLimit: time-based rekeying (%q) is not supported; use none", a[1])
			}
			if a[0] == "default" {
				c.RekeyLimit = 0
				return nil
			}
			n, err := parseSize(a[0])
			if err != nil {
				return fmt.Errorf("RekeyLimit: %w", err)
			}
			c.RekeyLimit = n
			return nil
		},
		dump: func(c *Config) []string {
			if c.RekeyLimit == 0 {
				return []string{"0", "0"}
			}
			return []string{strconv.FormatUint(c.RekeyLimit, 10), "0"}
		}})
	add(&option{name: "ChrootDirectory", match: true,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("ChrootDirectory takes one argument")
			}
			c.ChrootDirectory = a[0]
			return nil
		},
		dump: str(func(c *Config) *string { return &c.ChrootDirectory })})
	add(&option{name: "TrustedUserCAKeys", match: true,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("TrustedUserCAKeys takes one argument")
			}
			c.TrustedUserCAKeys = a[0]
			return nil
		},
		dump: str(func(c *Config) *string { return &c.TrustedUserCAKeys })})
	add(&option{name: "VersionAddendum",
		set: func(c *Config, a []string) error {
			v := strings.Join(a, " ")
			if strings.ContainsAny(v, "\r\n") || len(v) > 200 {
				return fmt.Errorf("VersionAddendum: must be one short line")
			}
			if strings.EqualFold(v, "none") {
				v = ""
			}
			c.VersionAddendum = v
			return nil
		},
		dump: func(c *Config) []string {
			if c.VersionAddendum == "" {
				return []string{"none"}
			}
			return []string{c.VersionAddendum}
		}})
	yesno("ExposeAuthInfo", true, func(c *Config) *bool { return &c.ExposeAuthInfo })
	yesno("DisableForwarding", true, func(c *Config) *bool { return &c.DisableForwarding })
	yesno("TCPKeepAlive", false, func(c *Config) *bool { return &c.TCPKeepAlive })
	add(&option{name: "SetEnv", match: true, multi: true,
		reset: func(c *Config) { c.SetEnv = nil },
		set: func(c *Config, a []string) error {
			for _, kv := range a {
				if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
					return fmt.Errorf("SetEnv: expected NAME=VALUE, not %q", kv)
				}
			}
			c.SetEnv = append(c.SetEnv, a...)
			return nil
		},
		dump: list(func(c *Config) *[]string { return &c.SetEnv })})
	add(&option{name: "SyslogFacility",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("SyslogFacility takes one argument")
			}
			v := strings.ToUpper(a[0])
			switch v {
			case "DAEMON", "USER", "AUTH", "AUTHPRIV", "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3", "LOCAL4", "LOCAL5", "LOCAL6", "LOCAL7":
				c.SyslogFacility = v
				return nil
			}
			return fmt.Errorf("SyslogFacility: unsupported facility %q (DAEMON, USER, AUTH, AUTHPRIV, LOCAL0-LOCAL7)", a[0])
		},
		dump: str(func(c *Config) *string { return &c.SyslogFacility })})
	choice("AddressFamily", false, func(c *Config) *string { return &c.AddressFamily }, "any", "inet", "inet6")
	yesno("StreamLocalBindUnlink", true, func(c *Config) *bool { return &c.StreamLocalBindUnlink })
	yesno("StrictModes", false, func(c *Config) *bool { return &c.StrictModes })
	yesno("UseDNS", false, func(c *Config) *bool { return &c.UseDNS })
	add(&option{name: "PerSourcePenalties",
		set: func(c *Config, a []string) error {
			p, err := parsePenalties(a)
			c.PerSourcePenalties = p
			return err
		},
		dump: func(c *Config) []string {
			p := c.PerSourcePenalties
			if !p.Enabled {
				return []string{"no"}
			}
			return []string{fmt.Sprintf("authfail:%ds noauth:%ds grace-exceeded:%ds max:%ds min:%ds max-sources:%d",
				int(p.AuthFail.Seconds()), int(p.NoAuth.Seconds()), int(p.GraceExceeded.Seconds()),
				int(p.Max.Seconds()), int(p.Min.Seconds()), p.MaxSources)}
		}})
	add(&option{name: "PerSourcePenaltyExemptList",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("PerSourcePenaltyExemptList takes one comma-separated list")
			}
			c.PerSourcePenaltyExemptList = a[0]
			return nil
		},
		dump: func(c *Config) []string {
			if c.PerSourcePenaltyExemptList == "" {
				return []string{"none"}
			}
			return []string{c.PerSourcePenaltyExemptList}
		}})
}

// listenDump is ListenAddress as sshd -T prints it: one host:port per
// address and port, the wildcard addresses of AddressFamily when the
// configuration names none.
func (c *Config) listenDump() []string {
	addrs := c.ListenAddresses
	if len(addrs) == 0 {
		switch c.AddressFamily {
		case "inet":
			addrs = []string{"0.0.0.0"}
		case "inet6":
			addrs = []string{"::"}
		default:
			addrs = []string{"::", "0.0.0.0"}
		}
	}
	var out []string
	for _, a := range addrs {
		if h, p, err := net.SplitHostPort(a); err == nil {
			out = append(out, net.JoinHostPort(h, p))
			continue
		}
		for _, p := range c.Ports {
			out = append(out, net.JoinHostPort(strings.Trim(a, "[]"), strconv.Itoa(p)))
		}
	}
	return out
}

// fixed lists keywords pqsshd accepts only with the value that describes
// its behaviour (so that common configurations load), and the reason any
// other value is refused.
var fixed = []struct{ name, value, why string }{
	{"PermitTunnel", "no", "tun/tap forwarding is not supported"},
	{"Compression", "no", "compression is not supported"},
	{"IgnoreRhosts", "yes", "rhosts authentication is not supported"},
	{"PermitEmptyPasswords", "no", "empty passwords are always refused"},
	{"HostbasedAuthentication", "no", "host-based authentication is not supported"},
	{"GSSAPIAuthentication", "no", "GSSAPI is not supported"},
	{"KerberosAuthentication", "no", "Kerberos is not supported"},
	{"PermitUserRC", "no", "~/.ssh/rc is not run"},
	{"PrintLastLog", "no", "lastlog is not written or printed"},
}

func init() {
	for _, f := range fixed {
		f := f
		o := &option{name: f.name, match: true,
			set: func(_ *Config, a []string) error {
				if len(a) != 1 || !strings.EqualFold(a[0], f.value) {
					return fmt.Errorf("%s %s is not supported: %s (only %q is accepted)", f.name, strings.Join(a, " "), f.why, f.value)
				}
				return nil
			},
			dump: func(*Config) []string { return []string{strings.ToLower(f.value)} }}
		options = append(options, o)
		byKeyword[strings.ToLower(f.name)] = o
	}
}

// noticed lists yes/no keywords that pqsshd accepts with either value so
// that stock configurations load (Debian's sets UsePAM yes and
// X11Forwarding yes), although "yes" has no effect yet: a "yes" adds the
// notice to Config.Notices, which pqsshd logs at start-up and -t prints.
var noticed = []struct {
	name   string
	get    func(*Config) *bool
	notice string
}{
	{"X11Forwarding", func(c *Config) *bool { return &c.X11Forwarding },
		"X11 forwarding is not offered (out of scope for now): clients' X11 requests are refused"},
}

func init() {
	for _, n := range noticed {
		n := n
		o := &option{name: n.name, match: true,
			set: func(c *Config, a []string) error {
				v, err := parseYesNo(a)
				if err != nil {
					return fmt.Errorf("%s: %w", n.name, err)
				}
				*n.get(c) = v
				return nil
			},
			notice: func(a []string) string {
				if v, err := parseYesNo(a); err == nil && v {
					return n.name + " yes: " + n.notice
				}
				return ""
			},
			dump: func(c *Config) []string {
				if *n.get(c) {
					return []string{"yes"}
				}
				return []string{"no"}
			}}
		options = append(options, o)
		byKeyword[strings.ToLower(n.name)] = o
	}
}

// DefaultPenalties are OpenSSH 9.8's PerSourcePenalties defaults.
func DefaultPenalties() Penalties {
	return Penalties{Enabled: true, AuthFail: 5 * time.Second, NoAuth: time.Second, GraceExceeded: 10 * time.Second,
		Min: 15 * time.Second, Max: 600 * time.Second, MaxSources: 65536}
}

// parsePenalties parses PerSourcePenalties: yes, no, or key:value
// settings (authfail, noauth, grace-exceeded, crash, min, max as times;
// max-sources4, max-sources6 as counts; overflow and overflow6 only
// "permissive").
func parsePenalties(a []string) (Penalties, error) {
	p := DefaultPenalties()
	if len(a) == 1 && (strings.EqualFold(a[0], "yes") || strings.EqualFold(a[0], "no")) {
		p.Enabled = strings.EqualFold(a[0], "yes")
		return p, nil
	}
	if len(a) == 0 {
		return p, fmt.Errorf("PerSourcePenalties: missing argument")
	}
	for _, kv := range a {
		k, v, ok := strings.Cut(kv, ":")
		if !ok {
			return p, fmt.Errorf("PerSourcePenalties: expected key:value, not %q", kv)
		}
		var d *time.Duration
		switch strings.ToLower(k) {
		case "authfail":
			d = &p.AuthFail
		case "noauth":
			d = &p.NoAuth
		case "grace-exceeded":
			d = &p.GraceExceeded
		case "crash":
			var ignored time.Duration // pqsshd has no per-connection process to crash
			d = &ignored
		case "min":
			d = &p.Min
		case "max":
			d = &p.Max
		case "max-sources4", "max-sources6":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return p, fmt.Errorf("PerSourcePenalties: bad %s %q", k, v)
			}
			p.MaxSources = n
			continue
		case "overflow", "overflow6":
			if v != "permissive" {
				return p, fmt.Errorf("PerSourcePenalties: %s:%s is not supported (only permissive)", k, v)
			}
			continue
		default:
			return p, fmt.Errorf("PerSourcePenalties: unknown setting %q", k)
		}
		t, err := ParseTime(v)
		if err != nil {
			return p, fmt.Errorf("PerSourcePenalties %s: %w", k, err)
		}
		*d = t
	}
	return p, nil
}

func parseYesNo(a []string) (bool, error) {
	if len(a) != 1 {
		return false, fmt.Errorf("expected yes or no")
	}
	switch strings.ToLower(a[0]) {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, fmt.Errorf("expected yes or no, not %q", a[0])
}

// ParseTime parses an sshd_config(5) time format: a number of seconds, or a
// sequence of number+unit with units s, m, h, d, w (e.g. "1h30m").
func ParseTime(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty time")
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("negative time %q", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	var total time.Duration
	num := ""
	for _, r := range strings.ToLower(s) {
		if r >= '0' && r <= '9' {
			num += string(r)
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			return 0, fmt.Errorf("bad time %q", s)
		}
		var unit time.Duration
		switch r {
		case 's':
			unit = time.Second
		case 'm':
			unit = time.Minute
		case 'h':
			unit = time.Hour
		case 'd':
			unit = 24 * time.Hour
		case 'w':
			unit = 7 * 24 * time.Hour
		default:
			return 0, fmt.Errorf("bad time unit in %q", s)
		}
		total += time.Duration(n) * unit
		num = ""
	}
	if num != "" {
		n, _ := strconv.Atoi(num)
		total += time.Duration(n) * time.Second
	}
	return total, nil
}

// parseSize parses a byte count with an optional K, M or G suffix (powers
// of 1024), as sshd_config's RekeyLimit; at least 16 bytes.
func parseSize(v string) (uint64, error) {
	mult := uint64(1)
	switch {
	case strings.HasSuffix(v, "K"), strings.HasSuffix(v, "k"):
		mult, v = 1<<10, v[:len(v)-1]
	case strings.HasSuffix(v, "M"), strings.HasSuffix(v, "m"):
		mult, v = 1<<20, v[:len(v)-1]
	case strings.HasSuffix(v, "G"), strings.HasSuffix(v, "g"):
		mult, v = 1<<30, v[:len(v)-1]
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n*mult < 16 || n > (1<<63)/mult {
		return 0, fmt.Errorf("bad size %q", v)
	}
	return n * mult, nil
}

func parseMaxStartups(s string) (MaxStartups, error) {
	parts := strings.Split(s, ":")
	var n []int
	for _, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return MaxStartups{}, fmt.Errorf("MaxStartups: bad value %q", s)
		}
		n = append(n, v)
	}
	switch len(n) {
	case 1:
		return MaxStartups{n[0], 100, n[0]}, nil
	case 3:
		if n[0] > n[2] || n[1] > 100 || n[1] < 1 {
			return MaxStartups{}, fmt.Errorf("MaxStartups: need start <= full and 1 <= rate <= 100 in %q", s)
		}
		return MaxStartups{n[0], n[1], n[2]}, nil
	}
	return MaxStartups{}, fmt.Errorf("MaxStartups: expected start or start:rate:full, not %q", s)
}

// SplitHostPort splits a PermitOpen-style "host:port" (or "[v6]:port") where
// port may be '*'.
func SplitHostPort(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		i := strings.Index(s, "]:")
		if i < 0 {
			return "", "", fmt.Errorf("bad host:port %q", s)
		}
		return s[1:i], s[i+2:], nil
	}
	i := strings.LastIndex(s, ":")
	if i <= 0 || i == len(s)-1 {
		return "", "", fmt.Errorf("bad host:port %q", s)
	}
	host, port = s[:i], s[i+1:]
	if port != "*" {
		if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			return "", "", fmt.Errorf("bad port in %q", s)
		}
	}
	return host, port, nil
}
