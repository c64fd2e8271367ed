package config

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Forward is one forwarding: LocalForward, RemoteForward or
// DynamicForward. Either end is a TCP address or, with ListenPath or
// ConnectPath set, a Unix-domain socket. A DynamicForward, or a
// RemoteForward without a connect end (remote dynamic forwarding), has
// neither ConnectHost nor ConnectPath.
type Forward struct {
	ListenHost  string
	ListenPort  int
	ListenPath  string
	ConnectHost string
	ConnectPort int
	ConnectPath string
}

// IsDynamic reports whether the forward has no fixed destination (SOCKS).
func (f Forward) IsDynamic() bool { return f.ConnectHost == "" && f.ConnectPath == "" }

// Listen formats the listening end as ssh_config writes it.
func (f Forward) Listen() string {
	if f.ListenPath != "" {
		return escapeColons(f.ListenPath)
	}
	l := strconv.Itoa(f.ListenPort)
	if f.ListenHost != "" {
		l = joinHostPort(f.ListenHost, l)
	}
	return l
}

// Connect formats the connecting end ("" for a dynamic forward).
func (f Forward) Connect() string {
	switch {
	case f.ConnectPath != "":
		return escapeColons(f.ConnectPath)
	case f.ConnectHost != "":
		return joinHostPort(f.ConnectHost, strconv.Itoa(f.ConnectPort))
	}
	return ""
}

// String formats the forward as ssh -G does: the listening end, then the
// connecting end unless dynamic.
func (f Forward) String() string {
	if f.IsDynamic() {
		return f.Listen()
	}
	return f.Listen() + " " + f.Connect()
}

// escapeColons escapes the ':' of a socket path so that the forwarding
// parses back (parse_forward takes "\\:" as a literal colon).
func escapeColons(p string) string { return strings.ReplaceAll(p, ":", `\:`) }

func joinHostPort(h, p string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]:" + p
	}
	return h + ":" + p
}

// Resolved is the effective configuration for one connection.
type Resolved struct {
	Host     string // as given on the command line (the alias)
	HostName string // the name or address actually connected to
	Port     int
	User     string

	LocalUser, Home string

	IdentityFiles    []string
	CertificateFiles []string
	IdentitiesOnly   bool
	IdentityAgent    string // "" means $SSH_AUTH_SOCK, "none" disables

	KexAlgorithms            []string
	KexAlgorithmsSet         bool // KexAlgorithms was configured explicitly
	Ciphers                  []string
	MACs                     []string
	HostKeyAlgorithms        []string
	HostKeyAlgorithmsSet     bool
	PubkeyAcceptedAlgorithms []string
	// CASignatureAlgorithms are the signature algorithms a host
	// certificate's CA may have used.
	CASignatureAlgorithms []string

	StrictHostKeyChecking            string // yes, ask, accept-new, no
	UserKnownHostsFiles              []string
	GlobalKnownHostsFiles            []string
	HashKnownHosts                   bool
	UpdateHostKeys                   string // yes, no, ask
	HostKeyAlias                     string
	NoHostAuthenticationForLocalhost bool
	RevokedHostKeys                  string
	RequiredRSASize                  int
	FingerprintHash                  string

	BatchMode                    bool
	LogLevel                     string
	ConnectTimeout               time.Duration
	ConnectionAttempts           int
	AddressFamily                string
	BindAddress                  string
	TCPKeepAlive                 bool
	RekeyLimit                   int64
	PasswordAuthentication       bool
	KbdInteractiveAuthentication bool
	PubkeyAuthentication         bool
	NumberOfPasswordPrompts      int
	PreferredAuthentications     []string

	ProxyCommand string
	ProxyJump    string

	LocalForwards       []Forward
	RemoteForwards      []Forward
	DynamicForwards     []Forward
	ClearAllForwardings bool
	// StreamLocalBindMask is the umask for the Unix-domain sockets of
	// local forwardings (default 0177); StreamLocalBindUnlink removes a
	// stale socket first.
	StreamLocalBindMask   os.FileMode
	StreamLocalBindUnlink bool
	// PermitRemoteOpen restricts remote dynamic forwarding's
	// destinations (nil: any).
	PermitRemoteOpen     []string
	ExitOnForwardFailure bool
	GatewayPorts         bool
	ForwardAgent         string // "yes", "no", or an agent socket path
	ForwardX11           bool

	ServerAliveInterval time.Duration
	ServerAliveCountMax int

	SendEnv                 []string
	SetEnv                  []string
	RequestTTY              string // auto, no, yes, force
	EscapeChar              int    // -1 for none
	EnableEscapeCommandline bool
	RemoteCommand           string
	SessionType             string // default, none, subsystem
	StdinNull               bool
	ForkAfterAuthentication bool
	LocalCommand            string
	PermitLocalCommand      bool

	// McTiny (pqssh only, client/mctiny.go): run McTiny over UDP to
	// McTinyPort (0: Port) before SSH; McTinyHostsFile holds the pinned
	// McTiny keys.
	McTiny          bool
	McTinyPort      int
	McTinyHostsFile string

	// Hostname canonicalization (the final pass has already applied it
	// to HostName; these are for -G).
	CanonicalizeHostname        string
	CanonicalDomains            []string
	CanonicalizeFallbackLocal   bool
	CanonicalizeMaxDots         int
	CanonicalizePermittedCNAMEs []string

	WarnWeakCrypto   bool
	RefuseConnection bool
	// ControlMaster is yes, no, ask, auto or autoask; ControlPath the
	// expanded control socket path ("" for none); ControlPersist how long
	// an idle master stays (0: no, negative: for ever).
	ControlMaster   string
	ControlPath     string
	ControlPersist  time.Duration
	VersionAddendum string
	Tag             string
}

// Resolve computes the effective configuration from the options read so
// far and OpenSSH's defaults, expanding ~ and %-tokens.
func (o *Options) Resolve() (*Resolved, error) {
	r := &Resolved{
		Host:      o.ctx.Host,
		LocalUser: o.ctx.LocalUser,
		Home:      o.ctx.Home,
	}
	var err error
	// The values were parsed once, when read (parseValue); Resolve
	// only picks them or the defaults.
	flag := func(key string, def bool) bool {
		if v, ok := o.typed[key].(bool); ok {
			return v
		}
		return def
	}
	str := func(key, def string) string {
		if v := o.Value(key); v != "" {
			return v
		}
		return def
	}
	num := func(key string, def int) int {
		if v, ok := o.typed[key].(int); ok {
			return v
		}
		return def
	}
	dur := func(key string) time.Duration {
		d, _ := o.typed[key].(time.Duration)
		return d
	}
	r.HostName, err = o.expandHostName()
	if err != nil {
		return nil, fmt.Errorf("HostName: %v", err)
	}
	if r.HostName == "" {
		r.HostName = o.ctx.Host
	}
	r.Port = num("port", 22)
	r.User = str("user", o.ctx.LocalUser)
	if r.User, err = o.expandTokens(r.User, "%CdhikLlnpruj"); err != nil {
		return nil, fmt.Errorf("User: %v", err)
	}

	expandPath := func(key, p string) (string, error) {
		p = expandTilde(p, o.ctx.Home)
		p, err := o.expandTokens(p, tokensFull)
		if err != nil {
			return "", fmt.Errorf("%s: %v", key, err)
		}
		return expandTilde(p, o.ctx.Home), nil
	}
	for _, p := range o.Values("identityfile") {
		e, err := expandPath("IdentityFile", p)
		if err != nil {
			return nil, err
		}
		r.IdentityFiles = append(r.IdentityFiles, e)
	}
	for _, p := range o.Values("certificatefile") {
		e, err := expandPath("CertificateFile", p)
		if err != nil {
			return nil, err
		}
		r.CertificateFiles = append(r.CertificateFiles, e)
	}
	r.IdentitiesOnly = flag("identitiesonly", false)
	if v := o.Value("identityagent"); v != "" {
		if v != "none" && v != "SSH_AUTH_SOCK" {
			if strings.HasPrefix(v, "$") {
				v = os.Getenv(v[1:])
			} else if v, err = expandPath("IdentityAgent", v); err != nil {
				return nil, err
			}
		}
		if v == "SSH_AUTH_SOCK" {
			v = ""
		}
		r.IdentityAgent = v
	}

	for _, a := range []struct {
		key string
		dst *[]string
		set *bool
	}{
		{"kexalgorithms", &r.KexAlgorithms, &r.KexAlgorithmsSet},
		{"ciphers", &r.Ciphers, nil},
		{"macs", &r.MACs, nil},
		{"hostkeyalgorithms", &r.HostKeyAlgorithms, &r.HostKeyAlgorithmsSet},
		{"pubkeyacceptedalgorithms", &r.PubkeyAcceptedAlgorithms, nil},
		{"casignaturealgorithms", &r.CASignatureAlgorithms, nil},
	} {
		if list, ok := o.typed[a.key].([]string); ok {
			*a.dst = list
			if a.set != nil {
				*a.set = true
			}
		} else {
			*a.dst = DefaultAlgorithms(a.key)
		}
	}

	r.StrictHostKeyChecking = strings.ToLower(str("stricthostkeychecking", "ask"))
	// OpenSSH: on by default unless the user chose the known_hosts files.
	defUpdate := "yes"
	if len(o.Values("userknownhostsfile")) > 0 {
		defUpdate = "no"
	}
	r.UpdateHostKeys = strings.ToLower(str("updatehostkeys", defUpdate))
	if r.StrictHostKeyChecking == "off" {
		r.StrictHostKeyChecking = "no"
	}
	if v := o.Values("userknownhostsfile"); len(v) > 0 {
		for _, p := range v {
			if strings.EqualFold(p, "none") {
				continue
			}
			e, err := expandPath("UserKnownHostsFile", p)
			if err != nil {
				return nil, err
			}
			r.UserKnownHostsFiles = append(r.UserKnownHostsFiles, e)
		}
	} else {
		r.UserKnownHostsFiles = []string{o.ctx.Home + "/.ssh/known_hosts", o.ctx.Home + "/.ssh/known_hosts2"}
	}
	if v := o.Values("globalknownhostsfile"); len(v) > 0 {
		for _, p := range v {
			if strings.EqualFold(p, "none") {
				continue
			}
			e, err := expandPath("GlobalKnownHostsFile", p)
			if err != nil {
				return nil, err
			}
			r.GlobalKnownHostsFiles = append(r.GlobalKnownHostsFiles, e)
		}
	} else {
		r.GlobalKnownHostsFiles = []string{"/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"}
	}
	r.HashKnownHosts = flag("hashknownhosts", false)
	if v := o.Value("hostkeyalias"); v != "" {
		r.HostKeyAlias = v
	}
	r.NoHostAuthenticationForLocalhost = flag("nohostauthenticationforlocalhost", false)
	if v := o.Value("revokedhostkeys"); v != "" && !strings.EqualFold(v, "none") {
		if r.RevokedHostKeys, err = expandPath("RevokedHostKeys", v); err != nil {
			return nil, err
		}
	}
	r.RequiredRSASize = num("requiredrsasize", 1024)
	r.FingerprintHash = strings.ToLower(str("fingerprinthash", "sha256"))

	r.BatchMode = flag("batchmode", false)
	r.LogLevel = strings.ToLower(str("loglevel", "info"))
	r.ConnectTimeout = dur("connecttimeout")
	r.ConnectionAttempts = num("connectionattempts", 1)
	r.AddressFamily = strings.ToLower(str("addressfamily", "any"))
	r.BindAddress = o.Value("bindaddress")
	r.TCPKeepAlive = flag("tcpkeepalive", true)
	r.RekeyLimit, _ = o.typed["rekeylimit"].(int64)
	r.PasswordAuthentication = flag("passwordauthentication", true)
	r.KbdInteractiveAuthentication = flag("kbdinteractiveauthentication", true)
	switch strings.ToLower(str("pubkeyauthentication", "yes")) {
	case "no", "false":
	default:
		r.PubkeyAuthentication = true
	}
	r.NumberOfPasswordPrompts = num("numberofpasswordprompts", 3)
	if v := o.Value("preferredauthentications"); v != "" {
		r.PreferredAuthentications = strings.Split(v, ",")
	} else {
		r.PreferredAuthentications = []string{"publickey", "keyboard-interactive", "password"}
	}

	if v := o.Value("proxycommand"); v != "" && !strings.EqualFold(v, "none") {
		if r.ProxyCommand, err = o.expandTokens(v, "%hnpr"); err != nil {
			return nil, fmt.Errorf("ProxyCommand: %v", err)
		}
	}
	if v := o.Value("proxyjump"); v != "" && !strings.EqualFold(v, "none") {
		r.ProxyJump = v
	}
	// ProxyJump and ProxyCommand exclude each other: whichever got its
	// value first wins (ssh_config(5), ProxyJump).
	if o.Set("proxyjump") && o.Set("proxycommand") {
		if o.order["proxyjump"] < o.order["proxycommand"] {
			r.ProxyCommand = ""
		} else {
			r.ProxyJump = ""
		}
	}

	r.ClearAllForwardings = flag("clearallforwardings", false)
	r.LocalForwards = o.forwards["localforward"]
	r.RemoteForwards = o.forwards["remoteforward"]
	r.DynamicForwards = o.forwards["dynamicforward"]
	r.StreamLocalBindMask = 0o177
	if m, ok := o.typed["streamlocalbindmask"].(os.FileMode); ok {
		r.StreamLocalBindMask = m
	}
	r.StreamLocalBindUnlink = flag("streamlocalbindunlink", false)
	if v := o.Values("permitremoteopen"); len(v) > 0 && !(len(v) == 1 && strings.EqualFold(v[0], "any")) {
		r.PermitRemoteOpen = v
	}
	r.ExitOnForwardFailure = flag("exitonforwardfailure", false)
	r.GatewayPorts = flag("gatewayports", false)
	switch v := o.Value("forwardagent"); strings.ToLower(v) {
	case "", "no", "false":
		r.ForwardAgent = "no"
	case "yes", "true":
		r.ForwardAgent = "yes"
	default:
		if strings.HasPrefix(v, "$") {
			v = os.Getenv(v[1:])
		} else if v, err = expandPath("ForwardAgent", v); err != nil {
			return nil, err
		}
		r.ForwardAgent = v
	}
	r.ForwardX11 = flag("forwardx11", false)

	r.ServerAliveInterval = dur("serveraliveinterval")
	r.ServerAliveCountMax = num("serveralivecountmax", 3)

	r.SendEnv = o.Values("sendenv")
	r.SetEnv = o.Values("setenv")
	r.RequestTTY = strings.ToLower(str("requesttty", "auto"))
	r.EscapeChar = '~'
	if v, ok := o.typed["escapechar"].(int); ok {
		r.EscapeChar = v
	}
	r.EnableEscapeCommandline = flag("enableescapecommandline", true)
	if v := o.Value("remotecommand"); v != "" && !strings.EqualFold(v, "none") {
		if r.RemoteCommand, err = o.expandTokens(v, tokensFull); err != nil {
			return nil, fmt.Errorf("RemoteCommand: %v", err)
		}
	}
	r.SessionType = strings.ToLower(str("sessiontype", "default"))
	r.StdinNull = flag("stdinnull", false)
	r.ForkAfterAuthentication = flag("forkafterauthentication", false)
	r.PermitLocalCommand = flag("permitlocalcommand", false)
	if v := o.Value("localcommand"); v != "" {
		if r.LocalCommand, err = o.expandTokens(v, tokensFull); err != nil {
			return nil, fmt.Errorf("LocalCommand: %v", err)
		}
	}

	r.McTiny = flag("mctiny", false)
	r.McTinyPort = num("mctinyport", 0)
	if r.McTinyPort > 65535 {
		return nil, fmt.Errorf("McTinyPort: bad port %d", r.McTinyPort)
	}
	r.McTinyHostsFile = o.ctx.Home + "/.ssh/pqssh_mctiny_hosts"
	r.CanonicalizeHostname = strings.ToLower(str("canonicalizehostname", "no"))
	if r.CanonicalizeHostname == "none" {
		r.CanonicalizeHostname = "no"
	}
	r.CanonicalDomains = o.Values("canonicaldomains")
	r.CanonicalizeFallbackLocal = flag("canonicalizefallbacklocal", true)
	r.CanonicalizeMaxDots = num("canonicalizemaxdots", 1)
	r.CanonicalizePermittedCNAMEs = o.Values("canonicalizepermittedcnames")
	r.WarnWeakCrypto = flag("warnweakcrypto", true)
	r.RefuseConnection = flag("refuseconnection", false)
	r.ControlMaster = strings.ToLower(str("controlmaster", "no"))
	if v := o.Value("controlpath"); v != "" && !strings.EqualFold(v, "none") {
		if r.ControlPath, err = o.expandControlPath(v); err != nil {
			return nil, fmt.Errorf("ControlPath: %v", err)
		}
	}
	r.ControlPersist = dur("controlpersist")
	r.VersionAddendum = o.Value("versionaddendum")
	r.Tag = o.Value("tag")
	return r, nil
}

// expandControlPath expands ~, ${VAR} and the %-tokens ControlPath
// accepts (ssh_config(5): %C %d %h %i %j %k %L %l %n %p %r %u).
func (o *Options) expandControlPath(v string) (string, error) {
	v = expandTilde(v, o.ctx.Home)
	var b strings.Builder
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			b.WriteString(v)
			break
		}
		j := strings.IndexByte(v[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("unterminated ${ in %q", v)
		}
		name := v[i+2 : i+j]
		val, ok := os.LookupEnv(name)
		if !ok {
			return "", fmt.Errorf("env var ${%s} not set", name)
		}
		b.WriteString(v[:i] + val)
		v = v[i+j+1:]
	}
	return o.expandTokens(b.String(), "%CdhijkLlnpru")
}

// expandTokens replaces the %-tokens in s that allowed permits
// (ssh_config(5), TOKENS). An unknown or disallowed token is an error.
func (o *Options) expandTokens(s, allowed string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			return "", fmt.Errorf("invalid trailing %% in %q", s)
		}
		i++
		c := s[i]
		if c == '%' {
			b.WriteByte('%')
			continue
		}
		if !strings.ContainsRune(allowed, rune(c)) {
			return "", fmt.Errorf("unknown key %%%c in %q", c, s)
		}
		b.WriteString(o.token(c))
	}
	return b.String(), nil
}

// expandHostName expands HostName, where %h is the host as given and %%
// a literal '%' (the only tokens HostName accepts).
func (o *Options) expandHostName() (string, error) {
	v := o.Value("hostname")
	if v == "" {
		return o.ctx.Host, nil
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b.WriteByte(v[i])
			continue
		}
		if i+1 >= len(v) || (v[i+1] != 'h' && v[i+1] != '%') {
			return "", fmt.Errorf("invalid token in %q", v)
		}
		i++
		if v[i] == 'h' {
			b.WriteString(o.ctx.Host)
		} else {
			b.WriteByte('%')
		}
	}
	return b.String(), nil
}

func (o *Options) token(c byte) string {
	host, _ := o.expandHostName()
	port := o.Value("port")
	if port == "" {
		port = "22"
	}
	user := o.Value("user")
	if user == "" {
		user = o.ctx.LocalUser
	}
	local, _ := os.Hostname()
	switch c {
	case 'h':
		return host
	case 'n':
		return o.ctx.Host
	case 'p':
		return port
	case 'r':
		return user
	case 'u':
		return o.ctx.LocalUser
	case 'd':
		return o.ctx.Home
	case 'i':
		return strconv.Itoa(os.Getuid())
	case 'l':
		return local
	case 'L':
		short, _, _ := strings.Cut(local, ".")
		return short
	case 'j':
		return o.Value("proxyjump")
	case 'k':
		if a := o.Value("hostkeyalias"); a != "" {
			return a
		}
		return host
	case 'C':
		sum := sha1.Sum([]byte(local + host + port + user + o.Value("proxyjump")))
		return hex.EncodeToString(sum[:])
	}
	return ""
}

// ParseForward parses a -L, -R or -D argument as OpenSSH's
// parse_forward does: fields separated by ':' (a field in [brackets] is
// taken literally, '\' escapes the next character), a field containing
// '/' is a Unix-domain socket path. -L and -R accept
// [bind_address:]port:host:hostport, [bind_address:]port:remote_socket,
// local_socket:host:hostport and local_socket:remote_socket; -D (and -R
// for remote dynamic forwarding) [bind_address:]port or local_socket.
func ParseForward(kind byte, spec string) (Forward, error) {
	f, err := parseForward(kind, spec)
	if err != nil {
		what := map[byte]string{'L': "local", 'R': "remote", 'D': "dynamic"}[kind]
		return Forward{}, fmt.Errorf("Bad %s forwarding specification '%s'", what, spec)
	}
	return f, nil
}

type fwdField struct {
	arg    string
	isPath bool
}

// splitForward splits a forwarding specification into at most 4 fields
// (OpenSSH's parse_fwd_field); ok is false for trailing garbage or a
// malformed bracket.
func splitForward(s string) ([]fwdField, bool) {
	s = strings.TrimLeft(s, " \t")
	var out []fwdField
	for len(s) > 0 {
		if len(out) == 4 {
			return nil, false
		}
		var fld fwdField
		if s[0] == '[' {
			end := strings.IndexByte(s, ']')
			if end < 0 || (end+1 < len(s) && s[end+1] != ':') {
				return nil, false
			}
			fld.arg = s[1:end]
			fld.isPath = strings.Contains(fld.arg, "/")
			s = s[end+1:]
			if len(s) > 0 {
				s = s[1:]
			}
			out = append(out, fld)
			continue
		}
		var b strings.Builder
		i := 0
		for ; i < len(s); i++ {
			c := s[i]
			if c == '\\' {
				if i+1 >= len(s) {
					return nil, false
				}
				i++
				b.WriteByte(s[i])
				continue
			}
			if c == '/' {
				fld.isPath = true
			}
			if c == ':' {
				break
			}
			b.WriteByte(c)
		}
		fld.arg = b.String()
		if i < len(s) {
			i++ // the ':'
		}
		s = s[i:]
		out = append(out, fld)
	}
	return out, true
}

// maxSocketPath is the longest Unix-domain socket path (sun_path less its
// terminating NUL).
const maxSocketPath = 107

func parsePortField(s string) (int, bool) {
	p, err := strconv.Atoi(s)
	return p, err == nil && p >= 0 && p <= 65535
}

func parseForward(kind byte, spec string) (Forward, error) {
	flds, ok := splitForward(spec)
	if !ok {
		return Forward{}, fmt.Errorf("bad fields")
	}
	var f Forward
	bad := fmt.Errorf("bad forward")
	port := func(s string, dst *int) bool {
		p, ok := parsePortField(s)
		*dst = p
		return ok
	}
	okL, okC := true, true
	switch len(flds) {
	case 1:
		if flds[0].isPath {
			f.ListenPath = flds[0].arg
		} else {
			okL = port(flds[0].arg, &f.ListenPort)
		}
	case 2:
		switch {
		case flds[0].isPath && flds[1].isPath:
			f.ListenPath, f.ConnectPath = flds[0].arg, flds[1].arg
		case flds[1].isPath:
			okL = port(flds[0].arg, &f.ListenPort)
			f.ConnectPath = flds[1].arg
		default:
			f.ListenHost = flds[0].arg
			okL = port(flds[1].arg, &f.ListenPort)
		}
	case 3:
		switch {
		case flds[0].isPath:
			f.ListenPath = flds[0].arg
			f.ConnectHost = flds[1].arg
			okC = port(flds[2].arg, &f.ConnectPort)
		case flds[2].isPath:
			f.ListenHost = flds[0].arg
			okL = port(flds[1].arg, &f.ListenPort)
			f.ConnectPath = flds[2].arg
		default:
			okL = port(flds[0].arg, &f.ListenPort)
			f.ConnectHost = flds[1].arg
			okC = port(flds[2].arg, &f.ConnectPort)
		}
	case 4:
		f.ListenHost = flds[0].arg
		okL = port(flds[1].arg, &f.ListenPort)
		f.ConnectHost = flds[2].arg
		okC = port(flds[3].arg, &f.ConnectPort)
	default:
		return Forward{}, bad
	}
	if !okL || !okC {
		return Forward{}, bad
	}
	switch kind {
	case 'D':
		if len(flds) > 2 || !f.IsDynamic() {
			return Forward{}, bad
		}
	case 'R':
		// One or two fields without a socket path: remote dynamic.
		if f.IsDynamic() && len(flds) > 2 {
			return Forward{}, bad
		}
	default:
		if f.IsDynamic() {
			return Forward{}, bad
		}
	}
	if f.ConnectHost != "" && (f.ConnectPort < 1 || len(f.ConnectHost) >= 1025) {
		return Forward{}, bad
	}
	if len(f.ListenPath) > maxSocketPath || len(f.ConnectPath) > maxSocketPath {
		return Forward{}, bad
	}
	return f, nil
}

// parseForwardArgs parses the arguments of a LocalForward, RemoteForward
// or DynamicForward line: OpenSSH joins the listen and connect arguments
// with ':' and parses the result as a command-line specification.
func parseForwardArgs(key string, args []string) (Forward, error) {
	kind := map[string]byte{"localforward": 'L', "remoteforward": 'R', "dynamicforward": 'D'}[key]
	if len(args) == 2 && kind == 'D' || len(args) == 1 && kind == 'L' || len(args) > 2 || len(args) == 0 {
		return Forward{}, fmt.Errorf("Bad forwarding specification '%s'", strings.Join(args, " "))
	}
	return ParseForward(kind, strings.Join(args, ":"))
}

// Addr returns host:port for dialing.
func (r *Resolved) Addr() string {
	return net.JoinHostPort(r.HostName, strconv.Itoa(r.Port))
}
