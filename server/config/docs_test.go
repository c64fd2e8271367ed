package config

import (
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// openSSH10Keywords are the keywords of OpenSSH 10.0's sshd_config(5).
var openSSH10Keywords = strings.Fields(`AcceptEnv AddressFamily AllowAgentForwarding AllowGroups
AllowStreamLocalForwarding AllowTcpForwarding AllowUsers AuthenticationMethods AuthorizedKeysCommand
AuthorizedKeysCommandUser AuthorizedKeysFile AuthorizedPrincipalsCommand AuthorizedPrincipalsCommandUser
AuthorizedPrincipalsFile Banner CASignatureAlgorithms ChannelTimeout ChrootDirectory Ciphers
ClientAliveCountMax ClientAliveInterval Compression DenyGroups DenyUsers DisableForwarding ExposeAuthInfo
FingerprintHash ForceCommand GatewayPorts GSSAPIAuthentication GSSAPICleanupCredentials
GSSAPIStrictAcceptorCheck HostbasedAcceptedAlgorithms HostbasedAuthentication
HostbasedUsesNameFromPacketOnly HostCertificate HostKey HostKeyAgent HostKeyAlgorithms IgnoreRhosts
IgnoreUserKnownHosts Include IPQoS KbdInteractiveAuthentication KerberosAuthentication KerberosGetAFSToken
KerberosOrLocalPasswd KerberosTicketCleanup KexAlgorithms ListenAddress LoginGraceTime LogLevel LogVerbose
MACs Match MaxAuthTries MaxSessions MaxStartups ModuliFile PasswordAuthentication PermitEmptyPasswords
PermitListen PermitOpen PermitRootLogin PermitTTY PermitTunnel PermitUserEnvironment PermitUserRC
PerSourceMaxStartups PerSourceNetBlockSize PerSourcePenalties PerSourcePenaltyExemptList PidFile Port
PrintLastLog PrintMotd PubkeyAcceptedAlgorithms PubkeyAuthOptions PubkeyAuthentication RefuseConnection
RekeyLimit RequiredRSASize RevokedKeys SecurityKeyProvider SetEnv SshdAuthPath SshdSessionPath
StreamLocalBindMask StreamLocalBindUnlink StrictModes Subsystem SyslogFacility TCPKeepAlive
TrustedUserCAKeys UnusedConnectionTimeout UseDNS UsePAM VersionAddendum X11DisplayOffset X11Forwarding
X11UseLocalhost XAuthLocation`)

// The keywords `sshd -T -f /dev/null` prints (first word of each line), as
// facts about two OpenSSH builds: Debian bookworm's 9.2p1 (built with
// Debian's GSSAPI key-exchange patch) and Debian forky's 10.6p1. pqsshd
// must know every one of them: implement it or refuse it with a reason.
var (
	sshdDumpKeywords92Bookworm = strings.Fields(`addressfamily allowagentforwarding allowstreamlocalforwarding
allowtcpforwarding authenticationmethods authorizedkeyscommand authorizedkeyscommanduser authorizedkeysfile
authorizedprincipalscommand authorizedprincipalscommanduser authorizedprincipalsfile banner
casignaturealgorithms chrootdirectory ciphers clientalivecountmax clientaliveinterval compression
disableforwarding exposeauthinfo fingerprinthash forcecommand gatewayports gssapiauthentication
gssapicleanupcredentials gssapikexalgorithms gssapikeyexchange gssapistorecredentialsonrekey
gssapistrictacceptorcheck hostbasedacceptedalgorithms hostbasedauthentication hostbasedusesnamefrompacketonly
hostkey hostkeyagent hostkeyalgorithms ignorerhosts ignoreuserknownhosts ipqos kbdinteractiveauthentication
kerberosauthentication kerberosorlocalpasswd kerberosticketcleanup kexalgorithms listenaddress logingracetime
loglevel macs maxauthtries maxsessions maxstartups modulifile passwordauthentication permitemptypasswords
permitlisten permitopen permitrootlogin permittty permittunnel permituserenvironment permituserrc
persourcemaxstartups persourcenetblocksize pidfile port printlastlog printmotd pubkeyacceptedalgorithms
pubkeyauthentication pubkeyauthoptions rekeylimit requiredrsasize revokedkeys securitykeyprovider
streamlocalbindmask streamlocalbindunlink strictmodes syslogfacility tcpkeepalive trustedusercakeys
unusedconnectiontimeout usedns usepam versionaddendum x11displayoffset x11forwarding x11uselocalhost
xauthlocation`)
	sshdDumpKeywords106Forky = strings.Fields(`AddressFamily AgentSocketPath AllowAgentForwarding
AllowStreamLocalForwarding AllowTcpForwarding AuthenticationMethods AuthorizedKeysCommand
AuthorizedKeysCommandUser AuthorizedKeysFile AuthorizedPrincipalsCommand AuthorizedPrincipalsCommandUser
AuthorizedPrincipalsFile Banner CASignatureAlgorithms ChannelTimeout ChrootDirectory Ciphers
ClientAliveCountMax ClientAliveInterval Compression DebianBanner DisableForwarding ExposeAuthInfo
FingerprintHash ForceCommand GatewayPorts HostKey HostKeyAgent HostKeyAlgorithms HostbasedAcceptedAlgorithms
HostbasedAuthentication HostbasedUsesNameFromPacketOnly IPQoS IgnoreRhosts IgnoreUserKnownHosts
KbdInteractiveAuthentication KexAlgorithms ListenAddress LogLevel LoginGraceTime Macs MaxAuthTries
MaxSessions MaxStartups ModuliFile PAMServiceName PasswordAuthentication PerSourceMaxStartups
PerSourceNetBlockSize PerSourcePenalties PerSourcePenaltyExemptList PermitEmptyPasswords PermitListen
PermitOpen PermitRootLogin PermitTTY PermitTunnel PermitUserEnvironment PermitUserRC PidFile Port
PrintLastLog PrintMotd PubkeyAcceptedAlgorithms PubkeyAuthOptions PubkeyAuthentication RefuseConnection
RekeyLimit RequiredRSASize SecurityKeyProvider SshdAuthPath SshdSessionPath StreamLocalBindMask
StreamLocalBindUnlink StrictModes SyslogFacility TCPKeepAlive TrustedUserCAKeys UnusedConnectionTimeout
UseDNS UsePAM VersionAddendum WarnWeakCrypto X11DisplayOffset X11Forwarding X11UseLocalhost XAuthLocation`)
)

// TestSshdDumpKeywordsKnown: every keyword sshd -T prints is implemented
// or refused with a reason (never "unknown option"), and documented.
func TestSshdDumpKeywordsKnown(t *testing.T) {
	checkKeywordsKnown(t, "OpenSSH 9.2 (bookworm)", sshdDumpKeywords92Bookworm)
	checkKeywordsKnown(t, "OpenSSH 10.6 (forky)", sshdDumpKeywords106Forky)
}

// checkKeywordsKnown checks keywords as TestSshdDumpKeywordsKnown
// describes; from names where they come from.
func checkKeywordsKnown(t *testing.T, from string, keywords []string) {
	t.Helper()
	rows := docRows(t)
	for _, k := range keywords {
		l := strings.ToLower(k)
		if _, ok := rows[l]; !ok {
			t.Errorf("%s: docs/sshd-options.md has no row for %s", from, k)
		}
		if _, ok := byKeyword[l]; ok {
			continue
		}
		why, ok := unsupported[l]
		if !ok {
			t.Errorf("%s: %s is neither implemented nor refused with a reason", from, k)
			continue
		}
		_, err := Parse("/test/sshd_config", []byte(k+" x\n"))
		if err == nil || !strings.Contains(err.Error(), why) || strings.Contains(err.Error(), "unknown option") {
			t.Errorf("%s: %s: the error %q does not give the reason %q", from, k, err, why)
		}
	}
}

// docRows reads docs/sshd-options.md's keyword table: keyword → status
// (the first word of the status cell: yes, partial, fixed, no, pqssh).
func docRows(t *testing.T) map[string]string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/sshd-options.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	word := regexp.MustCompile(`[A-Za-z0-9]+`)
	for _, line := range strings.Split(string(doc), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(line, "| ") {
			continue
		}
		status := strings.Fields(cells[2])
		if len(status) == 0 {
			continue
		}
		for _, k := range word.FindAllString(cells[1], -1) {
			rows[strings.ToLower(k)] = status[0]
		}
	}
	return rows
}

// TestDocsListEveryKeyword: docs/sshd-options.md has a row for every
// keyword of OpenSSH 10.0 and every keyword pqsshd parses, and the status
// it gives is what the parser does: "no" is an error naming the line,
// anything else is accepted.
func TestDocsListEveryKeyword(t *testing.T) {
	rows := docRows(t)
	known := slices.Clone(openSSH10Keywords)
	for _, o := range options {
		known = append(known, o.name)
	}
	for k := range unsupported {
		known = append(known, k)
	}
	for _, k := range known {
		status, ok := rows[strings.ToLower(k)]
		if !ok {
			t.Errorf("docs/sshd-options.md has no row for %s", k)
			continue
		}
		_, parsed := byKeyword[strings.ToLower(k)]
		switch {
		case status == "no" && parsed:
			t.Errorf("%s: documented as not supported, but the parser accepts it", k)
		case status != "no" && !parsed && k != "Include" && k != "Match":
			t.Errorf("%s: documented as %q, but the parser refuses it", k, status)
		}
		if status == "no" {
			_, err := Parse("/test/sshd_config", []byte("Port 22\n"+k+" x\n"))
			var ce *Error
			if !errors.As(err, &ce) || ce.Line != 2 || !strings.Contains(err.Error(), "sshd_config:2") {
				t.Errorf("%s: want an error naming sshd_config:2, got %v", k, err)
			}
			if _, ok := unsupported[strings.ToLower(k)]; !ok {
				t.Errorf("%s: documented as not supported, but refused without a reason (%v)", k, err)
			}
		}
	}
}

// TestDocsRowsAreKeywords: every keyword the keyword table of
// docs/sshd-options.md names is one pqsshd's table implements, one it
// refuses with a reason, or Include/Match; and every keyword of the table
// has a row. The docs and the table cannot drift apart.
func TestDocsRowsAreKeywords(t *testing.T) {
	doc, err := os.ReadFile("../../docs/sshd-options.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Keywords\n")
	section, _, _ = strings.Cut(section, "\n## ")
	if !ok {
		t.Fatal("docs/sshd-options.md has no Keywords section")
	}
	word := regexp.MustCompile(`[A-Za-z0-9]+`)
	rows := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| keyword ") {
			continue
		}
		for _, k := range word.FindAllString(cells[1], -1) {
			l := strings.ToLower(k)
			rows[l] = true
			_, implemented := byKeyword[l]
			_, refused := unsupported[l]
			if !implemented && !refused && l != "include" && l != "match" {
				t.Errorf("docs/sshd-options.md documents %s, which pqsshd's keyword table does not know", k)
			}
		}
	}
	for _, o := range options {
		for _, n := range append([]string{o.name}, o.aliases...) {
			if !rows[strings.ToLower(n)] {
				t.Errorf("docs/sshd-options.md has no row for %s", n)
			}
		}
	}
	if len(rows) < len(options) {
		t.Errorf("only %d keywords documented for %d in the table", len(rows), len(options))
	}
}
