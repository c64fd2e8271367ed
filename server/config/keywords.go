package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pqssh/pqssh/internal/sshconf"
	"github.com/pqssh/pqssh/server/pam"
)

// options is pqsshd's keyword table: every keyword it implements, in the
// order -T prints them (OpenSSH's keywords, then the ones that accept only
// one value or earn a notice, then pqsshd's own: McTiny and the key
// exchange memory budget). Each entry parses its arguments once, into
// typed fields of Config.
var options = []*option{
	{name: "Port", multi: true,
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
		}},
	{name: "ListenAddress", multi: true,
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("ListenAddress takes one argument (rdomain is not supported)")
			}
			c.ListenAddresses = append(c.ListenAddresses, a[0])
			return nil
		},
		dump: func(c *Config) []string { return c.listenDump() }},
	accumulate("HostKey", false, func(c *Config) *[]string { return &c.HostKeys }),
	accumulate("HostCertificate", false, func(c *Config) *[]string { return &c.HostCertificates }),
	{name: "AuthorizedKeysFile", match: true,
		set: func(c *Config, a []string) error {
			if len(a) == 0 {
				return fmt.Errorf("AuthorizedKeysFile: missing argument")
			}
			c.AuthorizedKeysFiles = slices.Clone(a)
			return nil
		},
		dump: dumpList(func(c *Config) *[]string { return &c.AuthorizedKeysFiles })},
	algos("KexAlgorithms", sshconf.KexAlgorithms, func(c *Config) *[]string { return &c.KexAlgorithms }),
	algos("Ciphers", sshconf.Ciphers, func(c *Config) *[]string { return &c.Ciphers }),
	algos("MACs", sshconf.MACs, func(c *Config) *[]string { return &c.MACs }),
	withAliases(algos("PubkeyAcceptedAlgorithms", sshconf.PubkeyAcceptedAlgorithms, func(c *Config) *[]string { return &c.PubkeyAcceptedAlgorithms }), "PubkeyAcceptedKeyTypes"), // the pre-8.5 name
	algos("HostKeyAlgorithms", sshconf.HostKeyAlgorithms, func(c *Config) *[]string { return &c.HostKeyAlgorithms }),
	single("RevokedKeys", false, func(c *Config) *string { return &c.RevokedKeys }),
	yesno("PubkeyAuthentication", true, func(c *Config) *bool { return &c.PubkeyAuthentication }),
	{name: "AuthenticationMethods", match: true,
		set: func(c *Config, a []string) error {
			lists, err := ParseAuthenticationMethods(a)
			if err != nil {
				return err
			}
			c.AuthenticationMethods = lists
			return nil
		},
		dump: dumpString(func(c *Config) *string { return &c.AuthenticationMethods })},
	yesno("PasswordAuthentication", true, func(c *Config) *bool { return &c.PasswordAuthentication }),
	yesno("KbdInteractiveAuthentication", true, func(c *Config) *bool { return &c.KbdInteractiveAuth }),
	// The old name of KbdInteractiveAuthentication; sshd -T prints only
	// the new one.
	{name: "ChallengeResponseAuthentication", match: true,
		set: func(c *Config, a []string) error {
			v, err := parseYesNo(a)
			c.KbdInteractiveAuth = v
			return err
		},
		dump: func(*Config) []string { return nil }},
	{name: "PAMServiceName",
		set: func(c *Config, a []string) error {
			if len(a) != 1 || a[0] == "" {
				return fmt.Errorf("PAMServiceName takes one argument")
			}
			c.PAMServiceName = a[0]
			return nil
		},
		dump: dumpString(func(c *Config) *string { return &c.PAMServiceName })},
	{name: "LogLevel", match: true,
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
		dump: dumpString(func(c *Config) *string { return &c.LogLevel })},
	single("PidFile", false, func(c *Config) *string { return &c.PidFile }),
	accumulate("AcceptEnv", true, func(c *Config) *[]string { return &c.AcceptEnv }),
	{name: "Subsystem", multi: true,
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
		}},
	{name: "MaxStartups",
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
		}},
	duration("LoginGraceTime", false, func(c *Config) *time.Duration { return &c.LoginGraceTime }),
	integer("MaxAuthTries", true, func(c *Config) *int { return &c.MaxAuthTries }),
	integer("MaxSessions", true, func(c *Config) *int { return &c.MaxSessions }),
	single("Banner", true, func(c *Config) *string { return &c.Banner }),
	yesno("PrintMotd", false, func(c *Config) *bool { return &c.PrintMotd }),
	choice("PermitRootLogin", true, func(c *Config) *string { return &c.PermitRootLogin },
		"yes", "prohibit-password", "without-password", "forced-commands-only", "no"),
	accumulate("AllowUsers", true, func(c *Config) *[]string { return &c.AllowUsers }),
	accumulate("DenyUsers", true, func(c *Config) *[]string { return &c.DenyUsers }),
	accumulate("AllowGroups", true, func(c *Config) *[]string { return &c.AllowGroups }),
	accumulate("DenyGroups", true, func(c *Config) *[]string { return &c.DenyGroups }),
	choice("AllowTcpForwarding", true, func(c *Config) *string { return &c.AllowTCPForwarding }, "yes", "all", "no", "local", "remote"),
	yesno("AllowAgentForwarding", true, func(c *Config) *bool { return &c.AllowAgentForwarding }),
	choice("AllowStreamLocalForwarding", true, func(c *Config) *string { return &c.AllowStreamLocalForwarding }, "yes", "all", "no", "local", "remote"),
	choice("GatewayPorts", true, func(c *Config) *string { return &c.GatewayPorts }, "yes", "no", "clientspecified"),
	permitList("PermitOpen", func(c *Config) *[]string { return &c.PermitOpen }),
	permitList("PermitListen", func(c *Config) *[]string { return &c.PermitListen }),
	yesno("PermitTTY", true, func(c *Config) *bool { return &c.PermitTTY }),
	{name: "ForceCommand", match: true,
		set: func(c *Config, a []string) error {
			if len(a) == 0 {
				return fmt.Errorf("ForceCommand: missing argument")
			}
			c.ForceCommand = strings.Join(a, " ")
			return nil
		},
		dump: dumpString(func(c *Config) *string { return &c.ForceCommand })},
	{name: "UnusedConnectionTimeout",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("UnusedConnectionTimeout takes one argument")
			}
			if strings.EqualFold(a[0], "none") {
				c.UnusedConnectionTimeout = 0
				return nil
			}
			d, err := sshconf.ParseTime(a[0])
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
		}},
	duration("ClientAliveInterval", true, func(c *Config) *time.Duration { return &c.ClientAliveInterval }),
	integer("ClientAliveCountMax", true, func(c *Config) *int { return &c.ClientAliveCountMax }),
	{name: "PermitUserEnvironment",
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
		dump: dumpString(func(c *Config) *string { return &c.PermitUserEnvironment })},
	{name: "PerSourceMaxStartups",
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
		}},
	{name: "PerSourceNetBlockSize",
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
		}},
	command("AuthorizedKeysCommand", func(c *Config) *string { return &c.AuthorizedKeysCommand }),
	single("AuthorizedPrincipalsFile", true, func(c *Config) *string { return &c.AuthorizedPrincipalsFile }),
	command("AuthorizedPrincipalsCommand", func(c *Config) *string { return &c.AuthorizedPrincipalsCommand }),
	single("AuthorizedPrincipalsCommandUser", true, func(c *Config) *string { return &c.AuthorizedPrincipalsCommandUser }),
	single("AuthorizedKeysCommandUser", true, func(c *Config) *string { return &c.AuthorizedKeysCommandUser }),
	{name: "RekeyLimit",
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
			n, err := sshconf.ParseSize(a[0])
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
		}},
	single("ChrootDirectory", true, func(c *Config) *string { return &c.ChrootDirectory }),
	single("TrustedUserCAKeys", true, func(c *Config) *string { return &c.TrustedUserCAKeys }),
	{name: "VersionAddendum",
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
		}},
	yesno("ExposeAuthInfo", true, func(c *Config) *bool { return &c.ExposeAuthInfo }),
	yesno("DisableForwarding", true, func(c *Config) *bool { return &c.DisableForwarding }),
	yesno("TCPKeepAlive", false, func(c *Config) *bool { return &c.TCPKeepAlive }),
	{name: "SetEnv", match: true, multi: true,
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
		dump: dumpList(func(c *Config) *[]string { return &c.SetEnv })},
	{name: "SyslogFacility",
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
		dump: dumpString(func(c *Config) *string { return &c.SyslogFacility })},
	choice("AddressFamily", false, func(c *Config) *string { return &c.AddressFamily }, "any", "inet", "inet6"),
	yesno("StreamLocalBindUnlink", true, func(c *Config) *bool { return &c.StreamLocalBindUnlink }),
	yesno("StrictModes", false, func(c *Config) *bool { return &c.StrictModes }),
	yesno("UseDNS", false, func(c *Config) *bool { return &c.UseDNS }),
	{name: "PerSourcePenalties",
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
			return []string{fmt.Sprintf("crash:%ds authfail:%ds noauth:%ds grace-exceeded:%ds max:%ds min:%ds max-sources:%d",
				int(p.Crash.Seconds()), int(p.AuthFail.Seconds()), int(p.NoAuth.Seconds()), int(p.GraceExceeded.Seconds()),
				int(p.Max.Seconds()), int(p.Min.Seconds()), p.MaxSources)}
		}},
	{name: "PerSourcePenaltyExemptList",
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
		}},

	// Accepted with one value only, or with a notice.
	fixedValue("PermitTunnel", "no", "tun/tap forwarding is not supported"),
	fixedValue("Compression", "no", "compression is not supported"),
	fixedValue("IgnoreRhosts", "yes", "rhosts authentication is not supported"),
	fixedValue("PermitEmptyPasswords", "no", "empty passwords are always refused"),
	fixedValue("HostbasedAuthentication", "no", "host-based authentication is not supported"),
	fixedValue("GSSAPIAuthentication", "no", "GSSAPI is not supported"),
	fixedValue("KerberosAuthentication", "no", "Kerberos is not supported"),
	fixedValue("PermitUserRC", "no", "~/.ssh/rc is not run"),
	fixedValue("PrintLastLog", "no", "lastlog is not written or printed"),
	{name: "UsePAM",
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
		}},
	noticedFlag("X11Forwarding", func(c *Config) *bool { return &c.X11Forwarding },
		"X11 forwarding is not offered (out of scope for now): clients' X11 requests are refused"),

	// pqsshd's own: McTiny (options_mctiny.go).
	{name: "McTiny",
		set: func(c *Config, a []string) error {
			v, err := parseYesNo(a)
			if err != nil {
				return fmt.Errorf("McTiny: %w", err)
			}
			c.McTiny.Enabled = v
			return nil
		},
		dump: func(c *Config) []string {
			if c.McTiny.Enabled {
				return []string{"yes"}
			}
			return []string{"no"}
		}},
	{name: "McTinyStateDirectory",
		set: func(c *Config, a []string) error {
			if len(a) != 1 || a[0] == "" {
				return fmt.Errorf("McTinyStateDirectory takes one path")
			}
			if !strings.HasPrefix(a[0], "/") {
				return fmt.Errorf("McTinyStateDirectory must be an absolute path, not %q", a[0])
			}
			c.McTiny.StateDirectory = a[0]
			return nil
		},
		dump: func(c *Config) []string {
			if c.McTiny.StateDirectory == "" {
				return []string{"auto"}
			}
			return []string{c.McTiny.StateDirectory}
		}},
	{name: "McTinyPort",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("McTinyPort takes one port number")
			}
			p, err := strconv.Atoi(a[0])
			if err != nil || p < 0 || p > 65535 {
				return fmt.Errorf("McTinyPort: bad port number %q", a[0])
			}
			c.McTiny.Port = p
			return nil
		},
		dump: func(c *Config) []string { return []string{strconv.Itoa(c.McTiny.Port)} }},
	{name: "McTinyPuzzleRate",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("McTinyPuzzleRate takes one number of queries per second, or none")
			}
			if strings.EqualFold(a[0], "none") {
				c.McTiny.PuzzleRate = -1
				return nil
			}
			n, err := strconv.Atoi(a[0])
			if err != nil || n < 1 || n > 10_000_000 {
				return fmt.Errorf("McTinyPuzzleRate: bad rate %q (1 to 10000000 queries per second, or none)", a[0])
			}
			c.McTiny.PuzzleRate = n
			return nil
		},
		dump: func(c *Config) []string {
			if r := c.McTiny.EffectivePuzzleRate(); r > 0 {
				return []string{strconv.Itoa(r)}
			}
			return []string{"none"}
		}},
	{name: "McTinyPuzzleBits",
		set: func(c *Config, a []string) error {
			if len(a) != 1 {
				return fmt.Errorf("McTinyPuzzleBits takes min:max")
			}
			lo, hi, ok := strings.Cut(a[0], ":")
			l, err1 := strconv.Atoi(lo)
			h, err2 := strconv.Atoi(hi)
			if !ok || err1 != nil || err2 != nil || l < 1 || h > 32 || l > h {
				return fmt.Errorf("McTinyPuzzleBits: bad bounds %q (min:max with 1 <= min <= max <= 32)", a[0])
			}
			c.McTiny.PuzzleMinBits, c.McTiny.PuzzleMaxBits = l, h
			return nil
		},
		dump: func(c *Config) []string {
			lo, hi := c.McTiny.EffectivePuzzleBits()
			return []string{strconv.Itoa(lo) + ":" + strconv.Itoa(hi)}
		}},
	{name: "McTinyCookieSecretFile",
		set: func(c *Config, a []string) error {
			if len(a) != 1 || a[0] == "" {
				return fmt.Errorf("McTinyCookieSecretFile takes one path, or none")
			}
			if strings.EqualFold(a[0], "none") {
				c.McTiny.CookieSecretFile = ""
				return nil
			}
			if !strings.HasPrefix(a[0], "/") {
				return fmt.Errorf("McTinyCookieSecretFile must be an absolute path, not %q", a[0])
			}
			c.McTiny.CookieSecretFile = a[0]
			return nil
		},
		dump: func(c *Config) []string {
			if c.McTiny.CookieSecretFile == "" {
				return []string{"none"}
			}
			return []string{c.McTiny.CookieSecretFile}
		}},

	// pqsshd's own: the memory budget of key exchanges before
	// authentication (options_unauthkex.go).
	kexMemoryOption("UnauthenticatedKexMemory", func(c *Config) *int64 { return &c.UnauthenticatedKexMemory }),
	kexMemoryOption("PerSourceKexMemory", func(c *Config) *int64 { return &c.PerSourceKexMemory }),
}

// byKeyword maps a lower-case keyword or alias to its option.
var byKeyword = func() map[string]*option {
	m := make(map[string]*option, len(options))
	for _, o := range options {
		for _, n := range append([]string{o.name}, o.aliases...) {
			if m[strings.ToLower(n)] != nil {
				panic("sshd_config keyword listed twice: " + n)
			}
			m[strings.ToLower(n)] = o
		}
	}
	return m
}()

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
