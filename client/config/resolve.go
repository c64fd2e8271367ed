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

// Forward is one port forwarding: LocalForward, RemoteForward or
// DynamicForward (ConnectHost empty).
type Forward struct {
	ListenHost  string
	ListenPort  int
	ConnectHost string
	ConnectPort int
}

// String formats the forward as ssh -G does.
func (f Forward) String() string {
	l := strconv.Itoa(f.ListenPort)
	if f.ListenHost != "" {
		l = joinHostPort(f.ListenHost, l)
	}
	if f.ConnectHost == "" {
		return l
	}
	return l + " " + joinHostPort(f.ConnectHost, strconv.Itoa(f.ConnectPort))
}

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

	LocalForwards        []Forward
	RemoteForwards       []Forward
	DynamicForwards      []Forward
	ClearAllForwardings  bool
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

// ParseForward parses a -L, -R or -D argument: [bind:]port:host:hostport
// (-L, -R) or [bind:]port (-D), with IPv6 addresses in brackets or '/'
// as the separator.
func ParseForward(kind byte, spec string) (Forward, error) {
	parts := splitForward(spec)
	var f Forward
	var err error
	switch {
	case kind == 'D' && (len(parts) == 1 || len(parts) == 2):
		err = f.setListen(parts[:len(parts)-1], parts[len(parts)-1])
	case kind != 'D' && (len(parts) == 3 || len(parts) == 4):
		n := len(parts)
		if err = f.setListen(parts[:n-3], parts[n-3]); err == nil {
			err = f.setConnect(parts[n-2], parts[n-1])
		}
	default:
		err = fmt.Errorf("Bad forwarding specification '%s'", spec)
	}
	if err != nil {
		return Forward{}, err
	}
	return f, nil
}

func (f *Forward) setListen(host []string, port string) error {
	if len(host) == 1 {
		f.ListenHost = host[0]
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("Bad forwarding port %q", port)
	}
	f.ListenPort = p
	return nil
}

func (f *Forward) setConnect(host, port string) error {
	if host == "" || strings.HasPrefix(host, "/") {
		return fmt.Errorf("Bad forwarding target %q (Unix sockets are not supported)", host)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("Bad forwarding port %q", port)
	}
	f.ConnectHost, f.ConnectPort = host, p
	return nil
}

// splitForward splits on ':' (or '/' when the spec has no ':'), keeping
// bracketed IPv6 addresses whole.
func splitForward(s string) []string {
	sep := byte(':')
	if !strings.Contains(s, ":") && strings.Contains(s, "/") {
		sep = '/'
	}
	var parts []string
	var cur strings.Builder
	inBr := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '[':
			inBr = true
		case c == ']':
			inBr = false
		case c == sep && !inBr:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, cur.String())
}

// parseForwardArgs parses the arguments of a LocalForward, RemoteForward
// or DynamicForward line.
func parseForwardArgs(key string, args []string) (Forward, error) {
	switch {
	case key == "dynamicforward" && len(args) == 1:
		return ParseForward('D', args[0])
	case key == "remoteforward" && len(args) == 1:
		return Forward{}, fmt.Errorf("remote dynamic forwarding (RemoteForward %s) is not supported", args[0])
	case len(args) == 2:
		l := splitForward(args[0])
		c := splitForward(args[1])
		var f Forward
		if len(l) < 1 || len(l) > 2 || len(c) != 2 {
			return Forward{}, fmt.Errorf("Bad forwarding specification '%s'", strings.Join(args, " "))
		}
		if err := f.setListen(l[:len(l)-1], l[len(l)-1]); err != nil {
			return Forward{}, err
		}
		if err := f.setConnect(c[0], c[1]); err != nil {
			return Forward{}, err
		}
		return f, nil
	}
	return Forward{}, fmt.Errorf("Bad forwarding specification '%s'", strings.Join(args, " "))
}

// Addr returns host:port for dialing.
func (r *Resolved) Addr() string {
	return net.JoinHostPort(r.HostName, strconv.Itoa(r.Port))
}
