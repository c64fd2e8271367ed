package config

import (
	"os"
	"strings"
	"testing"
)

// openSSH10Keywords are the keywords of OpenSSH 10.0's ssh_config(5).
var openSSH10Keywords = strings.Fields(`Host Match AddKeysToAgent AddressFamily BatchMode BindAddress
BindInterface CanonicalDomains CanonicalizeFallbackLocal CanonicalizeHostname CanonicalizeMaxDots
CanonicalizePermittedCNAMEs CASignatureAlgorithms CertificateFile ChannelTimeout CheckHostIP Ciphers
ClearAllForwardings Compression ConnectionAttempts ConnectTimeout ControlMaster ControlPath ControlPersist
DynamicForward EnableEscapeCommandline EnableSSHKeysign EscapeChar ExitOnForwardFailure FingerprintHash
ForkAfterAuthentication ForwardAgent ForwardX11 ForwardX11Timeout ForwardX11Trusted GatewayPorts
GlobalKnownHostsFile GSSAPIAuthentication GSSAPIDelegateCredentials HashKnownHosts
HostbasedAcceptedAlgorithms HostbasedAuthentication HostKeyAlgorithms HostKeyAlias HostName
IdentitiesOnly IdentityAgent IdentityFile IgnoreUnknown Include IPQoS KbdInteractiveAuthentication
KbdInteractiveDevices KexAlgorithms KnownHostsCommand LocalCommand LocalForward LogLevel LogVerbose MACs
NoHostAuthenticationForLocalhost NumberOfPasswordPrompts ObscureKeystrokeTiming PasswordAuthentication
PermitLocalCommand PermitRemoteOpen PKCS11Provider Port PreferredAuthentications ProxyCommand ProxyJump
ProxyUseFdpass PubkeyAcceptedAlgorithms PubkeyAuthentication RekeyLimit RemoteCommand RemoteForward
RequestTTY RequiredRSASize RevokedHostKeys SecurityKeyProvider SendEnv ServerAliveCountMax
ServerAliveInterval SessionType SetEnv StdinNull StreamLocalBindMask StreamLocalBindUnlink
StrictHostKeyChecking SyslogFacility TCPKeepAlive Tag Tunnel TunnelDevice UpdateHostKeys User
UserKnownHostsFile VerifyHostKeyDNS VisualHostKey XAuthLocation`)

// TestDocsListOpenSSHKeywords: docs/ssh-options.md has a row for every
// keyword of OpenSSH 10.0's ssh_config, and pqssh's parser knows each one
// (supported, ignored with the reason given, or refused with one).
func TestDocsListOpenSSHKeywords(t *testing.T) {
	doc, err := os.ReadFile("../../docs/ssh-options.md")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{"host": true, "match": true, "include": true}
	for _, k := range Keywords() {
		known[strings.ToLower(k.Name)] = true
	}
	for _, k := range openSSH10Keywords {
		if !strings.Contains(string(doc), "\n| "+k+" |") {
			t.Errorf("docs/ssh-options.md lacks a row for %s", k)
		}
		if !known[strings.ToLower(k)] {
			t.Errorf("pqssh's parser does not know the OpenSSH keyword %s", k)
		}
	}
}

// TestDocsKeywordTableIsTheTable: the "ssh_config keywords" table of
// docs/ssh-options.md is the keyword table, row for row: one row per
// keyword, in the table's order, with its status ("supported" when the
// table gives none).
func TestDocsKeywordTableIsTheTable(t *testing.T) {
	doc, err := os.ReadFile("../../docs/ssh-options.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## ssh_config keywords\n")
	if !ok {
		t.Fatal("docs/ssh-options.md has no ssh_config keywords section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var got []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| Keyword |") {
			got = append(got, line)
		}
	}
	var want []string
	for _, k := range Keywords() {
		status := k.Status
		if status == "" {
			status = "supported"
		}
		want = append(want, "| "+k.Name+" | "+status+" |")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("docs/ssh-options.md's keyword table is not the keyword table; it should read:\n%s", strings.Join(want, "\n"))
	}
}
