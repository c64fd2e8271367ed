package config

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// SystemConfigFile is OpenSSH's system-wide client configuration, read
// after the user's file unless -F is given.
const SystemConfigFile = "/etc/ssh/ssh_config"

// Load applies the -o options, then the -F file (configFile; "none" reads
// no file) or, when configFile is empty, ~/.ssh/config and the system file,
// in ssh(1)'s order: the first value obtained wins.
func Load(ctx Context, options []string, configFile string) (*Options, error) {
	o := NewOptions(ctx)
	for _, s := range options {
		if err := o.ParseOption(s); err != nil {
			return nil, err
		}
	}
	if err := o.readFiles(configFile); err != nil {
		return nil, err
	}
	if err := o.finalPass(configFile); err != nil {
		return nil, err
	}
	return o, nil
}

// readFiles reads the -F file, or the user's and the system file.
func (o *Options) readFiles(configFile string) error {
	switch configFile {
	case "none":
	case "":
		if err := o.ParseFile(o.ctx.Home+"/.ssh/config", true, false); err != nil {
			return err
		}
		if err := o.ParseFile(SystemConfigFile, false, false); err != nil {
			return err
		}
	default:
		if err := o.ParseFile(expandTilde(configFile, o.ctx.Home), true, true); err != nil {
			return err
		}
	}
	return nil
}

// Dump writes the effective configuration like "ssh -G": one lowercase
// keyword and its value per line.
func (r *Resolved) Dump(w io.Writer) {
	yn := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	p := func(k, v string) { fmt.Fprintf(w, "%s %s\n", k, v) }
	p("host", r.Host)
	p("user", r.User)
	p("hostname", r.HostName)
	p("port", strconv.Itoa(r.Port))
	p("addressfamily", r.AddressFamily)
	p("batchmode", yn(r.BatchMode))
	if r.BindAddress != "" {
		p("bindaddress", r.BindAddress)
	}
	p("canonicalizefallbacklocal", yn(r.CanonicalizeFallbackLocal))
	p("canonicalizehostname", map[string]string{"no": "false", "yes": "true", "always": "always"}[r.CanonicalizeHostname])
	p("canonicalizemaxdots", strconv.Itoa(r.CanonicalizeMaxDots))
	if len(r.CanonicalDomains) > 0 {
		p("canonicaldomains", strings.Join(r.CanonicalDomains, " "))
	}
	if len(r.CanonicalizePermittedCNAMEs) > 0 {
		p("canonicalizepermittedcnames", strings.Join(r.CanonicalizePermittedCNAMEs, ","))
	}
	p("checkhostip", "no")
	p("clearallforwardings", yn(r.ClearAllForwardings))
	p("streamlocalbindmask", fmt.Sprintf("%04o", r.StreamLocalBindMask))
	p("streamlocalbindunlink", yn(r.StreamLocalBindUnlink))
	if len(r.PermitRemoteOpen) > 0 {
		p("permitremoteopen", strings.Join(r.PermitRemoteOpen, " "))
	}
	p("compression", "no")
	p("enableescapecommandline", yn(r.EnableEscapeCommandline))
	p("exitonforwardfailure", yn(r.ExitOnForwardFailure))
	p("forkafterauthentication", yn(r.ForkAfterAuthentication))
	p("forwardx11", yn(r.ForwardX11))
	p("gatewayports", yn(r.GatewayPorts))
	p("hashknownhosts", yn(r.HashKnownHosts))
	p("updatehostkeys", map[string]string{"yes": "true", "no": "false", "ask": "ask"}[r.UpdateHostKeys])
	p("identitiesonly", yn(r.IdentitiesOnly))
	p("kbdinteractiveauthentication", yn(r.KbdInteractiveAuthentication))
	p("nohostauthenticationforlocalhost", yn(r.NoHostAuthenticationForLocalhost))
	p("passwordauthentication", yn(r.PasswordAuthentication))
	p("permitlocalcommand", yn(r.PermitLocalCommand))
	p("pubkeyauthentication", yn(r.PubkeyAuthentication))
	p("refuseconnection", yn(r.RefuseConnection))
	p("stdinnull", yn(r.StdinNull))
	p("tcpkeepalive", yn(r.TCPKeepAlive))
	p("warnweakcrypto", yn(r.WarnWeakCrypto))
	p("mctiny", yn(r.McTiny))
	p("mctinyport", strconv.Itoa(r.McTinyPort))
	p("connectionattempts", strconv.Itoa(r.ConnectionAttempts))
	if r.ConnectTimeout > 0 {
		p("connecttimeout", strconv.Itoa(int(r.ConnectTimeout.Seconds())))
	} else {
		p("connecttimeout", "none")
	}
	p("numberofpasswordprompts", strconv.Itoa(r.NumberOfPasswordPrompts))
	p("serveralivecountmax", strconv.Itoa(r.ServerAliveCountMax))
	p("serveraliveinterval", strconv.Itoa(int(r.ServerAliveInterval.Seconds())))
	p("requiredrsasize", strconv.Itoa(r.RequiredRSASize))
	p("controlmaster", map[string]string{"yes": "true", "no": "false"}[r.ControlMaster]+map[string]string{"ask": "ask", "auto": "auto", "autoask": "autoask"}[r.ControlMaster])
	if r.ControlPath != "" {
		p("controlpath", r.ControlPath)
	}
	switch {
	case r.ControlPersist < 0:
		p("controlpersist", "yes")
	case r.ControlPersist == 0:
		p("controlpersist", "no")
	default:
		p("controlpersist", strconv.Itoa(int(r.ControlPersist.Seconds())))
	}
	p("fingerprinthash", r.FingerprintHash)
	p("forwardagent", r.ForwardAgent)
	p("loglevel", strings.ToUpper(r.LogLevel))
	p("requesttty", r.RequestTTY)
	p("sessiontype", r.SessionType)
	p("stricthostkeychecking", map[string]string{"yes": "true", "no": "false", "ask": "ask", "accept-new": "accept-new"}[r.StrictHostKeyChecking])
	switch {
	case r.EscapeChar < 0:
		p("escapechar", "none")
	case r.EscapeChar < 32:
		p("escapechar", "^"+string(rune(r.EscapeChar+'@')))
	default:
		p("escapechar", string(rune(r.EscapeChar)))
	}
	p("casignaturealgorithms", strings.Join(r.CASignatureAlgorithms, ","))
	p("ciphers", strings.Join(r.Ciphers, ","))
	p("hostkeyalgorithms", strings.Join(r.HostKeyAlgorithms, ","))
	p("kexalgorithms", strings.Join(r.KexAlgorithms, ","))
	p("macs", strings.Join(r.MACs, ","))
	p("pubkeyacceptedalgorithms", strings.Join(r.PubkeyAcceptedAlgorithms, ","))
	if r.HostKeyAlias != "" {
		p("hostkeyalias", r.HostKeyAlias)
	}
	if r.IdentityAgent != "" {
		p("identityagent", r.IdentityAgent)
	}
	for _, f := range r.IdentityFiles {
		p("identityfile", f)
	}
	for _, f := range r.CertificateFiles {
		p("certificatefile", f)
	}
	p("globalknownhostsfile", strings.Join(r.GlobalKnownHostsFiles, " "))
	p("userknownhostsfile", strings.Join(r.UserKnownHostsFiles, " "))
	if r.ProxyCommand != "" {
		p("proxycommand", r.ProxyCommand)
	}
	if r.ProxyJump != "" {
		p("proxyjump", r.ProxyJump)
	}
	if r.RemoteCommand != "" {
		p("remotecommand", r.RemoteCommand)
	}
	if r.LocalCommand != "" {
		p("localcommand", r.LocalCommand)
	}
	if len(r.PreferredAuthentications) > 0 {
		p("preferredauthentications", strings.Join(r.PreferredAuthentications, ","))
	}
	for _, f := range r.LocalForwards {
		p("localforward", f.String())
	}
	for _, f := range r.RemoteForwards {
		p("remoteforward", f.String())
	}
	for _, f := range r.DynamicForwards {
		p("dynamicforward", f.String())
	}
	if len(r.SendEnv) > 0 {
		p("sendenv", strings.Join(r.SendEnv, " "))
	}
	if len(r.SetEnv) > 0 {
		p("setenv", strings.Join(r.SetEnv, " "))
	}
	if r.RekeyLimit > 0 {
		p("rekeylimit", strconv.FormatInt(r.RekeyLimit, 10)+" 0")
	}
	if r.Tag != "" {
		p("tag", r.Tag)
	}
}
