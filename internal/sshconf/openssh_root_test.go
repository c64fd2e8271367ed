//go:build root

package sshconf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	serverconfig "github.com/pqssh/pqssh/server/config"
)

// sshd insists on its privilege-separation directory /run/sshd even for
// -T, so these tests run it in a private mount namespace with a fresh /run
// (root).

// sshdT runs the installed sshd -T on text (with hostKey added); ok is
// false when sshd refuses the configuration.
func sshdT(t *testing.T, hostKey, text string) (dump, bool) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "sshd_config")
	if err := os.WriteFile(f, []byte("HostKey "+hostKey+"\n"+text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("unshare", "--mount", "sh", "-c",
		`mount -t tmpfs none /run && mkdir /run/sshd && exec /usr/sbin/sshd -T -f "$0"`, f).Output()
	if err != nil {
		return nil, false
	}
	return parseDump(string(out)), true
}

func sshdHostKey(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
		t.Fatalf("%v: install openssh-server (make test does)", err)
	}
	hk := filepath.Join(t.TempDir(), "hk")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hk).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	return hk
}

// TestSshdAlgorithmLists: sshd -T and the shared grammar agree on every
// line of algorithmCases (checkAlgorithmLists), sshd's defaults and "all"
// lists given.
func TestSshdAlgorithmLists(t *testing.T) {
	hk := sshdHostKey(t)
	defaults, ok := sshdT(t, hk, "")
	if !ok {
		t.Fatal("sshd -T refuses an empty configuration")
	}
	all := func(keyword string) []string {
		switch keyword {
		case "HostKeyAlgorithms", "PubkeyAcceptedAlgorithms": // the list "*" expands to
			m, ok := sshdT(t, hk, keyword+" *\n")
			if !ok {
				t.Fatalf("sshd -T refuses %s *", keyword)
			}
			return strings.Split(m[strings.ToLower(keyword)][0], ",")
		}
		return sshQuery(t, map[string]string{"Ciphers": "cipher", "MACs": "mac", "KexAlgorithms": "kex"}[keyword])
	}
	checkAlgorithmLists(t, algorithmCases, func(line string) (dump, bool) { return sshdT(t, hk, line) }, defaults, all)
}

// sshdCommonConfig sets keywords both sshd and pqsshd implement, with the
// lexer's quoting, '=' and comments.
const sshdCommonConfig = `# comment
Port 2222
Port=2223
ListenAddress 192.0.2.1
AddressFamily any
LogLevel verbose
LoginGraceTime 1m30s
MaxAuthTries 4
MaxSessions 3
MaxStartups 5:50:20
Banner "/etc/issue net"   # comment
PrintMotd no
PermitRootLogin without-password
AllowUsers alice bob@192.0.2.*
DenyUsers mallory
AllowGroups staff
DenyGroups guests
AllowTcpForwarding local
AllowAgentForwarding no
AllowStreamLocalForwarding remote
GatewayPorts clientspecified
PermitOpen 192.0.2.9:80 host.example:*
PermitListen 8080 localhost:9090
PermitTTY yes
ForceCommand /bin/true --flag
ClientAliveInterval 45
ClientAliveCountMax 5
PermitUserEnvironment LANG,LC_*
PerSourceMaxStartups 7
PerSourceNetBlockSize 24:56
AuthorizedKeysFile .ssh/authorized_keys '/etc/keys/%u'
AuthorizedKeysCommand /usr/local/bin/keys %u %f
AuthorizedKeysCommandUser nobody
AuthorizedPrincipalsFile /etc/principals/%u
RekeyLimit 1G none
ChrootDirectory none
TrustedUserCAKeys /etc/user_ca.pub
ExposeAuthInfo yes
DisableForwarding no
TCPKeepAlive no
SyslogFacility local3
StreamLocalBindUnlink yes
StrictModes no
UseDNS no
AcceptEnv LANG LC_*
AcceptEnv TZ
Subsystem sftp internal-sftp -l INFO
UnusedConnectionTimeout 2h
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
Compression no
PermitTunnel no
IgnoreRhosts yes
VersionAddendum pq test
Ciphers ^aes256-ctr
`

// TestSshdCommonKeywords: every keyword sshdCommonConfig sets (bar the
// algorithm lists, whose defaults differ by design) reads the same in
// sshd -T and pqsshd -T. sshd prints a bare PermitListen port as *:port.
func TestSshdCommonKeywords(t *testing.T) {
	theirs, ok := sshdT(t, sshdHostKey(t), sshdCommonConfig)
	if !ok {
		t.Fatal("sshd -T refuses the configuration")
	}
	c, err := serverconfig.Parse("/etc/pqssh/sshd_config", []byte(sshdCommonConfig))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c.Dump(&out)
	n := checkCommonKeywords(t, sshdCommonConfig, theirs, parseDump(out.String()), []string{"ciphers"},
		func(key, w string) string {
			if key == "permitlisten" {
				return strings.TrimPrefix(w, "*:")
			}
			return w
		})
	if n < 50 {
		t.Fatalf("only %d keywords compared", n)
	}
}
