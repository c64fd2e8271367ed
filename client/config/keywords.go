package config

import "strings"

// kind is how a keyword's arguments are parsed and stored.
type kind int

const (
	kFlag       kind = iota // yes|no (true|false accepted)
	kEnum                   // one of keyword.values
	kInt                    // a non-negative decimal integer
	kTime                   // a time interval: seconds, or with s|m|h|d|w suffixes
	kString                 // exactly one argument
	kRaw                    // the rest of the line, verbatim (commands)
	kAlgos                  // an algorithm list with the +, - and ^ modifiers
	kMulti                  // one argument per line, every line accumulates
	kMultiArgs              // any number of arguments, every line accumulates
	kArgs                   // one or more arguments, first line wins
	kForward                // a port forwarding specification, accumulates
	kIgnored                // accepted and ignored (see status)
	kDeprecated             // accepted with a warning and ignored, like OpenSSH
	kBlock                  // Host, Match, Include: handled by the parser itself
)

// keyword describes one ssh_config keyword.
type keyword struct {
	name   string   // canonical spelling, as in ssh_config(5)
	kind   kind     // how the arguments are parsed
	values []string // kEnum: the accepted values (lowercase)
	alias  string   // lowercase name of the keyword this one is an alias of
	min    int      // kForward: 1 for DynamicForward, 2 for Local/RemoteForward
	// status is the one-line note used in docs/ssh-options.md; an empty
	// status means fully supported.
	status string
	// inert lists the values (lowercase) with which a keyword pqssh does
	// not implement changes nothing (pqssh already behaves so). Any other
	// value of a kIgnored keyword, or of a keyword with inert values, is
	// warned about once.
	inert []string
}

// keywords is pqssh's keyword table: every keyword of OpenSSH 10.1's
// ssh_config(5) (and the deprecated ones OpenSSH still accepts), in
// alphabetical order, with how pqssh parses and treats it. The keyword
// table of docs/ssh-options.md is this table (TestDocsKeywordTableIsTheTable)
// and -G prints what it implements (TestDumpFollowsKeywordTable).
var keywords = []keyword{
	{name: "AddKeysToAgent", kind: kIgnored, status: "ignored: keys are never added to the agent", inert: []string{"no"}},
	{name: "AddressFamily", kind: kEnum, values: []string{"any", "inet", "inet6"}},
	{name: "BatchMode", kind: kFlag},
	{name: "BindAddress", kind: kString},
	{name: "BindInterface", kind: kIgnored, status: "ignored: the kernel chooses the interface"},
	{name: "CanonicalDomains", kind: kArgs, status: "supported: the suffixes CanonicalizeHostname tries, in order"},
	{name: "CanonicalizeFallbackLocal", kind: kFlag, status: "supported (default yes: a name no suffix resolves is used as given; no: the connection fails with `Could not resolve host`)"},
	{name: "CanonicalizeHostname", kind: kEnum, values: []string{"yes", "no", "always", "none"}, status: "supported: `yes` (not with ProxyJump/ProxyCommand), `always`, `no`; then the configuration is read again with the canonical name, as in OpenSSH (see below)"},
	{name: "CanonicalizeMaxDots", kind: kInt, status: "supported (default 1); a name ending in `.` is fully qualified"},
	{name: "CanonicalizePermittedCNAMEs", kind: kArgs, status: "supported: `source_domains:target_domains` rules; a CNAME is followed only when one matches"},
	{name: "CASignatureAlgorithms", kind: kAlgos, status: "supported for host certificates (the CA's signature algorithm must be listed, else `Host certificate signature algorithm X not in CASignatureAlgorithms`); default OpenSSH 10.6's list plus `ssh-mldsa44-ed25519` and pqssh's pure ML-DSA algorithms (OpenSSH leaves ML-DSA CAs out)"},
	{name: "CertificateFile", kind: kMulti},
	{name: "ChallengeResponseAuthentication", kind: kFlag, alias: "kbdinteractiveauthentication"},
	{name: "ChannelTimeout", kind: kIgnored, status: "ignored: channels never time out", inert: []string{"none"}},
	{name: "CheckHostIP", kind: kFlag, status: "accepted; only the host name (or HostKeyAlias) is checked, as with OpenSSH's default CheckHostIP=no", inert: []string{"no"}},
	{name: "Ciphers", kind: kAlgos},
	{name: "ClearAllForwardings", kind: kFlag},
	{name: "Compression", kind: kFlag, status: "accepted; compression is never negotiated (the SSH library has none)", inert: []string{"no"}},
	{name: "ConnectionAttempts", kind: kInt},
	{name: "ConnectTimeout", kind: kTime},
	{name: "ControlMaster", kind: kEnum, values: []string{"yes", "no", "ask", "auto", "autoask"}, status: "supported: OpenSSH's mux protocol, usable by OpenSSH's ssh (see Multiplexing)"},
	{name: "ControlPath", kind: kString, status: "supported: tokens %C %d %h %i %j %k %L %l %n %p %r %u, ${VAR}, none; the directory must not be writable by others unless sticky"},
	{name: "ControlPersist", kind: kString, status: "supported: yes, no or a time; the idle time counts from the last client session's end"},
	{name: "DynamicForward", kind: kForward, min: 1},
	{name: "EnableEscapeCommandline", kind: kFlag, status: "supported; the default is yes (OpenSSH: no, for its sandbox)"},
	{name: "EnableSSHKeysign", kind: kIgnored, status: "ignored: host-based authentication is not supported", inert: []string{"no"}},
	{name: "EscapeChar", kind: kString},
	{name: "ExitOnForwardFailure", kind: kFlag},
	{name: "FingerprintHash", kind: kEnum, values: []string{"md5", "sha256"}},
	{name: "ForkAfterAuthentication", kind: kFlag},
	{name: "ForwardAgent", kind: kString},
	{name: "ForwardX11", kind: kFlag, status: "X11 forwarding is not supported: yes prints a warning and the session goes on without it"},
	{name: "ForwardX11Timeout", kind: kIgnored, status: "ignored: no X11 forwarding"},
	{name: "ForwardX11Trusted", kind: kFlag, status: "X11 forwarding is not supported (see ForwardX11)", inert: []string{"no"}},
	{name: "GatewayPorts", kind: kFlag},
	{name: "GlobalKnownHostsFile", kind: kArgs},
	{name: "GSSAPIAuthentication", kind: kIgnored, status: "ignored: GSSAPI is not supported", inert: []string{"no"}},
	{name: "GSSAPIClientIdentity", kind: kIgnored, status: "ignored: GSSAPI is not supported (Debian patch option)"},
	{name: "GSSAPIDelegateCredentials", kind: kIgnored, status: "ignored: GSSAPI is not supported", inert: []string{"no"}},
	{name: "GSSAPIKeyExchange", kind: kIgnored, status: "ignored: GSSAPI is not supported (Debian patch option)", inert: []string{"no"}},
	{name: "GSSAPIKexAlgorithms", kind: kIgnored, status: "ignored: GSSAPI is not supported (Debian patch option)"},
	{name: "GSSAPIRenewalForcesRekey", kind: kIgnored, status: "ignored: GSSAPI is not supported (Debian patch option)", inert: []string{"no"}},
	{name: "GSSAPIServerIdentity", kind: kIgnored, status: "ignored: GSSAPI is not supported (Debian patch option)"},
	{name: "GSSAPITrustDns", kind: kIgnored, status: "ignored: GSSAPI is not supported (Debian patch option)", inert: []string{"no"}},
	{name: "HashKnownHosts", kind: kFlag},
	{name: "Host", kind: kBlock, status: "supported: patterns with `*`, `?` and `!` negation; first value wins"},
	{name: "HostbasedAcceptedAlgorithms", kind: kIgnored, status: "ignored: host-based authentication is not supported"},
	{name: "HostbasedAuthentication", kind: kIgnored, status: "ignored: host-based authentication is not supported", inert: []string{"no"}},
	{name: "HostbasedKeyTypes", kind: kIgnored, status: "ignored: host-based authentication is not supported"},
	{name: "HostKeyAlgorithms", kind: kAlgos},
	{name: "HostKeyAlias", kind: kString},
	{name: "HostName", kind: kString},
	{name: "IdentitiesOnly", kind: kFlag},
	{name: "IdentityAgent", kind: kString},
	{name: "IdentityFile", kind: kMulti},
	{name: "IgnoreUnknown", kind: kString},
	{name: "Include", kind: kBlock, status: "supported: glob patterns, relative to ~/.ssh (user file) or /etc/ssh (system file), nested up to 16 deep"},
	{name: "IPQoS", kind: kIgnored, status: "ignored: the system's default IP type of service is used"},
	{name: "KbdInteractiveAuthentication", kind: kFlag},
	{name: "KbdInteractiveDevices", kind: kIgnored, status: "ignored: the server chooses the devices"},
	{name: "KexAlgorithms", kind: kAlgos},
	{name: "KnownHostsCommand", kind: kIgnored, status: "ignored: only the known_hosts files are consulted (stricter, never weaker)", inert: []string{"none"}},
	{name: "LocalCommand", kind: kRaw},
	{name: "LocalForward", kind: kForward, min: 2},
	{name: "LogLevel", kind: kEnum, values: []string{"quiet", "fatal", "error", "info", "verbose", "debug", "debug1", "debug2", "debug3"}},
	{name: "LogVerbose", kind: kIgnored, status: "ignored", inert: []string{"none"}},
	{name: "MACs", kind: kAlgos},
	{name: "Match", kind: kBlock, status: "supported: `all`, `canonical` and `final` (on the pass after canonicalization), `host`, `originalhost`, `user`, `localuser`, `tagged`, `command`, `sessiontype`, `version`, `localnetwork`, `exec` (run with /bin/sh -c), with `!` negation"},
	{name: "McTiny", kind: kFlag, status: "pqssh only: `yes` runs McTiny over UDP first, then SSH with mctiny6688128x25519-sha512 only (see [McTiny](#mctiny)); default `no`"},
	{name: "McTinyPort", kind: kInt, status: "pqssh only: the server's McTiny UDP port; `0` (default) means the SSH port"},
	{name: "NoHostAuthenticationForLocalhost", kind: kFlag},
	{name: "NumberOfPasswordPrompts", kind: kInt},
	{name: "ObscureKeystrokeTiming", kind: kIgnored, status: "ignored: keystrokes are sent as typed", inert: []string{"no"}},
	{name: "PasswordAuthentication", kind: kFlag},
	{name: "PermitLocalCommand", kind: kFlag},
	{name: "PermitRemoteOpen", kind: kArgs, status: "supported: restricts remote dynamic forwarding (RemoteForward with no destination); host:port entries with * for any host or port, any, none"},
	{name: "PKCS11Provider", kind: kIgnored, status: "ignored: PKCS#11 keys are not supported (use an agent)", inert: []string{"none"}},
	{name: "Port", kind: kInt},
	{name: "PreferredAuthentications", kind: kString},
	{name: "ProxyCommand", kind: kRaw},
	{name: "ProxyJump", kind: kString},
	{name: "ProxyUseFdpass", kind: kIgnored, status: "ignored: the proxy command's stdin/stdout are always used", inert: []string{"no"}},
	{name: "PubkeyAcceptedAlgorithms", kind: kAlgos},
	{name: "PubkeyAcceptedKeyTypes", kind: kAlgos, alias: "pubkeyacceptedalgorithms"},
	{name: "PubkeyAuthentication", kind: kEnum, values: []string{"yes", "no", "true", "false", "unbound", "host-bound"}},
	{name: "RefuseConnection", kind: kFlag},
	{name: "RekeyLimit", kind: kArgs},
	{name: "RemoteCommand", kind: kRaw},
	{name: "RemoteForward", kind: kForward, min: 1},
	{name: "RequestTTY", kind: kEnum, values: []string{"no", "yes", "force", "auto"}},
	{name: "RequiredRSASize", kind: kInt},
	{name: "RevokedHostKeys", kind: kString, status: "supported for files of public keys (one per line); binary KRLs are an error"},
	{name: "SecurityKeyProvider", kind: kIgnored, status: "ignored: FIDO keys are used through an agent only", inert: []string{"internal"}},
	{name: "SendEnv", kind: kMultiArgs},
	{name: "ServerAliveCountMax", kind: kInt},
	{name: "ServerAliveInterval", kind: kTime},
	{name: "SessionType", kind: kEnum, values: []string{"none", "subsystem", "default"}},
	{name: "SetEnv", kind: kMultiArgs},
	{name: "StdinNull", kind: kFlag},
	{name: "StreamLocalBindMask", kind: kString, status: "supported: umask for the Unix-domain sockets pqssh creates for LocalForward/DynamicForward (default 0177: mode 0600)"},
	{name: "StreamLocalBindUnlink", kind: kFlag, status: "supported: remove a stale local socket before binding (for RemoteForward the server's own setting decides, as in OpenSSH)"},
	{name: "StrictHostKeyChecking", kind: kEnum, values: []string{"yes", "no", "ask", "accept-new", "off"}},
	{name: "SyslogFacility", kind: kIgnored, status: "ignored: pqssh logs to stderr (or -E file)", inert: []string{"user"}},
	{name: "Tag", kind: kString},
	{name: "TCPKeepAlive", kind: kFlag},
	{name: "Tunnel", kind: kEnum, values: []string{"yes", "no", "point-to-point", "ethernet"}, status: "only no: tun forwarding is not supported (other values are an error)"},
	{name: "TunnelDevice", kind: kIgnored, status: "ignored: tun forwarding is not supported", inert: []string{"any:any"}},
	{name: "UpdateHostKeys", kind: kEnum, values: []string{"yes", "no", "ask"}, status: "yes, no and ask (default yes unless UserKnownHostsFile is set, as in OpenSSH): keys the server proves are added to the first UserKnownHostsFile, none are removed; ask shows them and asks \"Accept updated hostkeys? (yes/no): \" when the session is over, and is off, as in ssh, in BatchMode, with a remote command or RequestTTY=no, and below LogLevel INFO; no terminal to ask on means no"},
	{name: "User", kind: kString},
	{name: "UserKnownHostsFile", kind: kArgs},
	{name: "VerifyHostKeyDNS", kind: kIgnored, status: "ignored: SSHFP records are not consulted", inert: []string{"no"}},
	{name: "VersionAddendum", kind: kRaw},
	{name: "VisualHostKey", kind: kIgnored, status: "ignored: no ASCII-art fingerprints", inert: []string{"no"}},
	{name: "WarnWeakCrypto", kind: kFlag},
	{name: "XAuthLocation", kind: kIgnored, status: "ignored: no X11 forwarding"},

	// Deprecated or removed in OpenSSH; OpenSSH warns and ignores them.
	{name: "Cipher", kind: kDeprecated, status: "deprecated (SSH protocol 1)"},
	{name: "CompressionLevel", kind: kDeprecated, status: "deprecated"},
	{name: "FallBackToRsh", kind: kDeprecated, status: "deprecated"},
	{name: "KeepAlive", kind: kFlag, alias: "tcpkeepalive"},
	{name: "Protocol", kind: kDeprecated, status: "deprecated (always 2)"},
	{name: "RhostsRSAAuthentication", kind: kDeprecated, status: "deprecated"},
	{name: "RSAAuthentication", kind: kDeprecated, status: "deprecated"},
	{name: "UsePrivilegedPort", kind: kDeprecated, status: "deprecated"},
	{name: "UseRoaming", kind: kDeprecated, status: "deprecated"},
	{name: "UseRsh", kind: kDeprecated, status: "deprecated"},
}

var keywordIndex = func() map[string]*keyword {
	m := make(map[string]*keyword, len(keywords))
	for i := range keywords {
		m[strings.ToLower(keywords[i].name)] = &keywords[i]
	}
	return m
}()

// lookupKeyword returns the keyword named name (case-insensitive) and the
// lowercase key its value is stored under (the target of an alias).
func lookupKeyword(name string) (*keyword, string, bool) {
	k, ok := keywordIndex[strings.ToLower(name)]
	if !ok {
		return nil, "", false
	}
	if k.alias != "" {
		return k, k.alias, true
	}
	return k, strings.ToLower(k.name), true
}

// KeywordStatus is one row of the option table: the canonical name and
// pqssh's treatment of it ("" = supported).
type KeywordStatus struct {
	Name, Status string
	Ignored      bool
}

// Keywords returns every ssh_config keyword pqssh recognises, for
// documentation and tests.
func Keywords() []KeywordStatus {
	out := make([]KeywordStatus, 0, len(keywords))
	for _, k := range keywords {
		out = append(out, KeywordStatus{Name: k.name, Status: k.status, Ignored: k.kind == kIgnored || k.kind == kDeprecated})
	}
	return out
}
