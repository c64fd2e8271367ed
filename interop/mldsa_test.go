//go:build interop && linux

package interop_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
)

// The post-quantum signature algorithm OpenSSH 10.6 speaks (ssh -Q key).
const mldsaComposite = "ssh-mldsa44-ed25519"

// TestOpenSSH106KeyList records the names OpenSSH 10.6 gives ML-DSA in
// ssh -Q key and -Q sig, and that it has no pure ssh-mldsa-* keys yet.
func TestOpenSSH106KeyList(t *testing.T) {
	srv, _ := forkyHosts(t)
	for _, q := range []string{"key", "sig"} {
		out, err := srv.Sh(context.Background(), "ssh -Q "+q)
		if err != nil {
			t.Fatal(err)
		}
		list := strings.Fields(out)
		t.Logf("OpenSSH 10.6 ssh -Q %s: %s", q, strings.Join(list, " "))
		if !contains(list, mldsaComposite) {
			t.Errorf("ssh -Q %s lacks %s", q, mldsaComposite)
		}
		for _, n := range list {
			if strings.HasPrefix(n, "ssh-mldsa-") {
				t.Errorf("OpenSSH 10.6 now lists %s: add it to TestMLDSA106", n)
			}
		}
	}
	// Its default CASignatureAlgorithms leave the composite out (an ML-DSA
	// CA needs CASignatureAlgorithms +ssh-mldsa44-ed25519; docs/auth.md).
	out, err := srv.Sh(context.Background(), "ssh -G localhost | grep '^casignaturealgorithms '")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, mldsaComposite) {
		t.Errorf("OpenSSH 10.6's default CASignatureAlgorithms now has %s: update docs/auth.md and TestMLDSA106Certificates: %s", mldsaComposite, out)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestMLDSA106 logs in with ML-DSA host and user keys both ways between
// pqssh and Debian forky's OpenSSH 10.6p1, and checks on both sides that
// the host key algorithm negotiated and the user key accepted are
// ssh-mldsa44-ed25519:
//
//   - OpenSSH 10.6 ssh -> pqsshd: pqsshd's host key was made by ssh-keygen
//     10.6 (so pqsshd loads OpenSSH's file), the user key too;
//   - pqssh -> OpenSSH 10.6 sshd: sshd has an Ed25519 and an ML-DSA host
//     key and pqssh, with HostKeyAlgorithms=^ssh-mldsa44-ed25519, picks the
//     ML-DSA one (by default it picks Ed25519 like OpenSSH 10.6:
//     TestCertificatesOpenSSH106); the user key was made by pqssh-keygen
//     (so sshd and ssh-keygen 10.6 read ours).
//
// It also checks that a signature pqssh-keygen makes verifies with
// ssh-keygen 10.6 and one ssh-keygen 10.6 makes verifies with
// pqssh-keygen.
func TestMLDSA106(t *testing.T) {
	srv, cli := forkyHosts(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sh := func(c *harness.Container, script string) string {
		t.Helper()
		out, err := c.Sh(ctx, script)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	t.Run("ssh-to-pqsshd", func(t *testing.T) {
		port := lab.Port()
		dir := fmt.Sprintf("/tmp/mldsa-pqsshd-%d", port)
		sh(srv, "mkdir -p "+dir+" /root/.ssh && ssh-keygen -q -t mldsa44-ed25519 -N '' -f "+dir+"/ssh_host_mldsa44_ed25519_key")
		sh(cli, "rm -f /tmp/id_mldsa_10.6* && ssh-keygen -q -t mldsa44-ed25519 -N '' -C from-openssh -f /tmp/id_mldsa_10.6")
		pub := sh(cli, "cat /tmp/id_mldsa_10.6.pub")
		sh(srv, "printf '%s' '"+strings.TrimSpace(pub)+"\n' > "+dir+"/authorized_keys")
		conf := "HostKey " + dir + "/ssh_host_mldsa44_ed25519_key\nHostKey " + dir + "/ssh_host_ed25519_key\n" +
			"AuthorizedKeysFile " + dir + "/authorized_keys\nLogLevel DEBUG1\n"
		if err := srv.WriteFile(dir+"/config", []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := srv.Start("pqsshd", "/pqssh/bin/pqsshd", "-D", "-e", "-f", dir+"/config", "-p", strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Stop()
		if err := srv.WaitListening(ctx, p, port); err != nil {
			t.Fatal(err)
		}
		res, err := cli.Run(ctx, harness.Exec{Args: []string{"ssh", "-v", "-F", "/dev/null",
			"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
			"-o", "HostKeyAlgorithms=" + mldsaComposite, "-o", "PubkeyAcceptedAlgorithms=" + mldsaComposite,
			"-i", "/tmp/id_mldsa_10.6", "-p", strconv.Itoa(port), "root@" + srv.IP, "echo ok"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.ExitCode != 0 || strings.TrimSpace(string(res.Stdout)) != "ok" {
			t.Fatalf("ssh exited %d, stdout %q:\n%s\npqsshd:\n%s", res.ExitCode, res.Stdout, res.Stderr, p.Output())
		}
		for _, want := range []string{
			"debug1: kex: host key algorithm: " + mldsaComposite,
			"debug1: Server host key: " + mldsaComposite + " SHA256:",
			"Authenticated to " + srv.IP,
			"using \"publickey\"",
		} {
			if !strings.Contains(res.Stderr, want) {
				t.Errorf("ssh 10.6 -v lacks %q:\n%s", want, res.Stderr)
			}
		}
		waitFor(t, p, regexp.MustCompile(`accepted publickey.*hostkey=`+mldsaComposite+` .*sigalg=`+mldsaComposite))

		// UpdateHostKeys: a client that knows only pqsshd's Ed25519 key
		// learns the ML-DSA one (hostkeys-00/hostkeys-prove-00@openssh.com),
		// then connects with it under StrictHostKeyChecking=yes.
		hostPort := "[" + srv.IP + "]:" + strconv.Itoa(port)
		edPub := strings.Fields(sh(srv, "cat "+dir+"/ssh_host_ed25519_key.pub"))
		sh(cli, "echo '"+hostPort+" "+edPub[0]+" "+edPub[1]+"' > /tmp/kh_update")
		login := func(hostKeyAlgs string) *harness.Result {
			args := []string{"ssh", "-v", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
				"-o", "UserKnownHostsFile=/tmp/kh_update", "-o", "UpdateHostKeys=yes", "-i", "/tmp/id_mldsa_10.6",
				"-p", strconv.Itoa(port)}
			if hostKeyAlgs != "" {
				args = append(args, "-o", "HostKeyAlgorithms="+hostKeyAlgs)
			}
			res, err := cli.Run(ctx, harness.Exec{Args: append(args, "root@"+srv.IP, "echo ok")})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		res = login("")
		if res.ExitCode != 0 || !strings.Contains(res.Stderr, "debug1: kex: host key algorithm: ssh-ed25519") {
			t.Fatalf("login with the known Ed25519 key: exit %d\n%s", res.ExitCode, res.Stderr)
		}
		if !strings.Contains(res.Stderr, "Learned new hostkey: MLDSA44-ED25519 SHA256:") {
			t.Errorf("ssh 10.6 did not learn the ML-DSA host key:\n%s", res.Stderr)
		}
		kh := sh(cli, "cat /tmp/kh_update")
		if !strings.Contains(kh, mldsaComposite+" ") {
			t.Errorf("known_hosts after UpdateHostKeys:\n%s", kh)
		}
		res = login(mldsaComposite)
		if res.ExitCode != 0 || !strings.Contains(res.Stderr, "debug1: Server host key: "+mldsaComposite) {
			t.Errorf("strict login with the learned ML-DSA key: exit %d\n%s", res.ExitCode, res.Stderr)
		}
	})

	t.Run("pqssh-to-sshd", func(t *testing.T) {
		port := lab.Port()
		dir := fmt.Sprintf("/tmp/mldsa-sshd-%d", port)
		sh(srv, "mkdir -p "+dir+" /run/sshd && ssh-keygen -q -t ed25519 -N '' -f "+dir+"/ssh_host_ed25519_key && ssh-keygen -q -t mldsa44-ed25519 -N '' -f "+dir+"/ssh_host_mldsa44_ed25519_key")
		sh(cli, "rm -f /tmp/id_mldsa_pqssh* && /pqssh/bin/pqssh-keygen -q -t mldsa44-ed25519 -C from-pqssh -f /tmp/id_mldsa_pqssh")
		pub := sh(cli, "cat /tmp/id_mldsa_pqssh.pub")
		sh(srv, "printf '%s' '"+strings.TrimSpace(pub)+"\n' > "+dir+"/authorized_keys && chmod 600 "+dir+"/authorized_keys")
		conf := "HostKey " + dir + "/ssh_host_ed25519_key\nHostKey " + dir + "/ssh_host_mldsa44_ed25519_key\n" +
			"AuthorizedKeysFile " + dir + "/authorized_keys\nLogLevel DEBUG1\nPasswordAuthentication no\n" +
			"KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\n"
		if err := srv.WriteFile(dir+"/sshd_config", []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := srv.Start("sshd", "/usr/sbin/sshd", "-D", "-e", "-f", dir+"/sshd_config", "-p", strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Stop()
		if err := srv.WaitListening(ctx, p, port); err != nil {
			t.Fatal(err)
		}
		res, err := cli.Run(ctx, harness.Exec{Args: []string{"/pqssh/bin/pqssh", "-v", "-F", "/dev/null",
			"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=/tmp/known_hosts_mldsa",
			"-o", "HostKeyAlgorithms=^" + mldsaComposite, "-i", "/tmp/id_mldsa_pqssh", "-p", strconv.Itoa(port), "root@" + srv.IP, "echo ok"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.ExitCode != 0 || strings.TrimSpace(string(res.Stdout)) != "ok" {
			t.Fatalf("pqssh exited %d, stdout %q:\n%s\nsshd:\n%s", res.ExitCode, res.Stdout, res.Stderr, p.Output())
		}
		for _, want := range []string{
			"debug1: kex: host key algorithm: " + mldsaComposite,
			"debug1: Server host key: " + mldsaComposite + " SHA256:",
		} {
			if !strings.Contains(res.Stderr, want) {
				t.Errorf("pqssh -v lacks %q:\n%s", want, res.Stderr)
			}
		}
		waitFor(t, p, regexp.MustCompile(`kex: host key algorithm: `+mldsaComposite))
		waitFor(t, p, regexp.MustCompile(`Accepted publickey for root from \S+ port \d+ ssh2: MLDSA44-ED25519 SHA256:`))
		// known_hosts holds the ML-DSA key in OpenSSH's format: OpenSSH's
		// ssh-keygen finds it.
		known := sh(cli, "ssh-keygen -F '["+srv.IP+"]:"+strconv.Itoa(port)+"' -f /tmp/known_hosts_mldsa")
		if !strings.Contains(known, mldsaComposite+" ") {
			t.Errorf("ssh-keygen -F on pqssh's known_hosts: %q", known)
		}

		// The same key held by OpenSSH 10.6's ssh-agent, no key file given.
		out := sh(cli, "eval $(ssh-agent -s) >/dev/null && trap 'ssh-agent -k >/dev/null' EXIT && "+
			"ssh-add -q /tmp/id_mldsa_pqssh && mv /tmp/id_mldsa_pqssh /tmp/id_mldsa_pqssh.away && "+
			"{ /pqssh/bin/pqssh -v -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/tmp/known_hosts_mldsa "+
			"-p "+strconv.Itoa(port)+" root@"+srv.IP+" 'echo agent-ok' 2>/tmp/pqssh_agent.err; rc=$?; mv /tmp/id_mldsa_pqssh.away /tmp/id_mldsa_pqssh; "+
			"cat /tmp/pqssh_agent.err >&2; exit $rc; }")
		if strings.TrimSpace(out) != "agent-ok" {
			t.Errorf("pqssh with the key in ssh-agent: %q", out)
		}
		// UpdateHostKeys: pqssh, knowing only sshd's Ed25519 key, learns
		// its ML-DSA key from OpenSSH 10.6's hostkeys-00@openssh.com.
		edPub := strings.Fields(sh(srv, "cat "+dir+"/ssh_host_ed25519_key.pub"))
		sh(cli, "echo '["+srv.IP+"]:"+strconv.Itoa(port)+" "+edPub[0]+" "+edPub[1]+"' > /tmp/kh_pqssh_update")
		pqsshLogin := func(extra ...string) *harness.Result {
			args := append([]string{"/pqssh/bin/pqssh", "-v", "-F", "/dev/null",
				"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=/tmp/kh_pqssh_update",
				"-o", "UpdateHostKeys=yes", "-i", "/tmp/id_mldsa_pqssh", "-p", strconv.Itoa(port)}, extra...)
			res, err := cli.Run(ctx, harness.Exec{Args: append(args, "root@"+srv.IP, "echo ok")})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		res = pqsshLogin()
		if res.ExitCode != 0 || !strings.Contains(res.Stderr, "debug1: kex: host key algorithm: ssh-ed25519") ||
			!strings.Contains(res.Stderr, "Learned new hostkey: MLDSA44-ED25519 SHA256:") {
			t.Errorf("pqssh with only the Ed25519 key known: exit %d\n%s", res.ExitCode, res.Stderr)
		}
		// Both keys known now: the learned ML-DSA key is trusted when asked for.
		res = pqsshLogin("-o", "HostKeyAlgorithms="+mldsaComposite)
		if res.ExitCode != 0 || !strings.Contains(res.Stderr, "debug1: kex: host key algorithm: "+mldsaComposite) {
			t.Errorf("pqssh after learning the ML-DSA key: exit %d\n%s", res.ExitCode, res.Stderr)
		}

		n := strings.Count(p.Output(), "Accepted publickey for root")
		if n < 2 {
			t.Errorf("sshd accepted %d logins, want 2 (file, agent):\n%s", n, p.Output())
		}
	})

	t.Run("sshsig", func(t *testing.T) {
		sh(cli, "cd /tmp && echo 'signed both ways' > sshsig_msg && rm -f sshsig_msg.sig")
		// Our key file, read by ssh-keygen 10.6.
		if got, want := sh(cli, "ssh-keygen -y -f /tmp/id_mldsa_pqssh | cut -d' ' -f1,2"), sh(cli, "cut -d' ' -f1,2 /tmp/id_mldsa_pqssh.pub"); got != want {
			t.Errorf("ssh-keygen 10.6 -y on pqssh-keygen's key: %q, want %q", got, want)
		}
		// Ours, verified by ssh-keygen 10.6.
		sh(cli, "cd /tmp && /pqssh/bin/pqssh-keygen -Y sign -f /tmp/id_mldsa_pqssh -n file sshsig_msg && "+
			"echo \"pq $(cut -d' ' -f1,2 id_mldsa_pqssh.pub)\" > allowed_pq && "+
			"ssh-keygen -Y verify -f allowed_pq -I pq -n file -s sshsig_msg.sig < sshsig_msg")
		// ssh-keygen 10.6's, verified by pqssh-keygen.
		out := sh(cli, "cd /tmp && rm -f sshsig_msg.sig && ssh-keygen -Y sign -q -f /tmp/id_mldsa_10.6 -n file sshsig_msg && "+
			"/pqssh/bin/pqssh-keygen -Y check-novalidate -n file -s sshsig_msg.sig < sshsig_msg")
		if !strings.Contains(out, "Good \"file\" signature with MLDSA44-ED25519 key SHA256:") {
			t.Errorf("pqssh-keygen on ssh-keygen 10.6's signature: %q", out)
		}
	})
}

// TestMLDSA106Certificates logs in with user certificates made by
// ssh-keygen -s of OpenSSH 10.6 with an ML-DSA CA, both ways: ssh 10.6
// (certificate of its own ML-DSA key) -> pqsshd with TrustedUserCAKeys,
// pqssh (certificate of a pqssh-keygen key) -> sshd 10.6 with
// TrustedUserCAKeys; asserted from both sides' logs.
func TestMLDSA106Certificates(t *testing.T) {
	srv, cli := forkyHosts(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sh := func(c *harness.Container, script string) string {
		t.Helper()
		out, err := c.Sh(ctx, script)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	port := lab.Port()
	dir := fmt.Sprintf("/tmp/mldsa-certs-%d", port)
	sh(srv, "mkdir -p "+dir+" /run/sshd && cd "+dir+" && ssh-keygen -q -t mldsa44-ed25519 -N '' -C ca -f ca && "+
		"ssh-keygen -q -t mldsa44-ed25519 -N '' -f ssh_host_mldsa44_ed25519_key")
	// The user keys, one made by each implementation, certified by the CA
	// (principal root).
	for _, k := range []string{"id_cert_10.6", "id_cert_pqssh"} {
		gen := "ssh-keygen -q -t mldsa44-ed25519 -N ''"
		if k == "id_cert_pqssh" {
			gen = "/pqssh/bin/pqssh-keygen -q -t mldsa44-ed25519"
		}
		sh(cli, "rm -f /tmp/"+k+"* && "+gen+" -f /tmp/"+k)
		pub := strings.TrimSpace(sh(cli, "cat /tmp/"+k+".pub"))
		sh(srv, "cd "+dir+" && echo '"+pub+"' > "+k+".pub && ssh-keygen -q -s ca -I "+k+" -n root -z 106 "+k+".pub")
		cert := strings.TrimSpace(sh(srv, "cat "+dir+"/"+k+"-cert.pub"))
		if !strings.HasPrefix(cert, mldsaComposite+"-cert ") {
			t.Fatalf("ssh-keygen 10.6 made %q", cert[:40])
		}
		sh(cli, "echo '"+cert+"' > /tmp/"+k+"-cert.pub")
	}

	t.Run("ssh-to-pqsshd", func(t *testing.T) {
		conf := "HostKey " + dir + "/ssh_host_mldsa44_ed25519_key\nAuthorizedKeysFile none\nTrustedUserCAKeys " + dir + "/ca.pub\nLogLevel DEBUG1\n"
		sh(srv, "printf '"+conf+"' > "+dir+"/pqsshd_config")
		p, err := srv.Start("pqsshd", "/pqssh/bin/pqsshd", "-D", "-e", "-f", dir+"/pqsshd_config", "-p", strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Stop()
		if err := srv.WaitListening(ctx, p, port); err != nil {
			t.Fatal(err)
		}
		res, err := cli.Run(ctx, harness.Exec{Args: []string{"ssh", "-v", "-F", "/dev/null",
			"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
			"-o", "IdentitiesOnly=yes", "-i", "/tmp/id_cert_10.6", "-o", "CertificateFile=/tmp/id_cert_10.6-cert.pub",
			"-p", strconv.Itoa(port), "root@" + srv.IP, "echo ok"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.ExitCode != 0 || strings.TrimSpace(string(res.Stdout)) != "ok" {
			t.Fatalf("ssh exited %d:\n%s\npqsshd:\n%s", res.ExitCode, res.Stderr, p.Output())
		}
		if !regexp.MustCompile(`Server accepts key: /tmp/id_cert_10.6-cert.pub MLDSA44-ED25519-CERT SHA256:`).MatchString(res.Stderr) {
			t.Errorf("ssh 10.6 -v does not show the certificate accepted:\n%s", res.Stderr)
		}
		waitFor(t, p, regexp.MustCompile(`accepted publickey.*cert_id="id_cert_10.6 serial 106".*hostkey=`+mldsaComposite+` .*sigalg=`+mldsaComposite))
	})

	t.Run("pqssh-to-sshd", func(t *testing.T) {
		port := lab.Port()
		// OpenSSH 10.6's default CASignatureAlgorithms (ssh and sshd) leave
		// ssh-mldsa44-ed25519 out: without this line sshd refuses the
		// certificate ("certificate signature algorithm not in
		// CASignatureAlgorithm").
		conf := "HostKey " + dir + "/ssh_host_mldsa44_ed25519_key\nAuthorizedKeysFile none\nTrustedUserCAKeys " + dir + "/ca.pub\n" +
			"CASignatureAlgorithms +" + mldsaComposite + "\n" +
			"LogLevel DEBUG1\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\n"
		sh(srv, "printf '"+conf+"' > "+dir+"/sshd_config")
		p, err := srv.Start("sshd", "/usr/sbin/sshd", "-D", "-e", "-f", dir+"/sshd_config", "-p", strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Stop()
		if err := srv.WaitListening(ctx, p, port); err != nil {
			t.Fatal(err)
		}
		res, err := cli.Run(ctx, harness.Exec{Args: []string{"/pqssh/bin/pqssh", "-v", "-F", "/dev/null",
			"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
			"-o", "IdentitiesOnly=yes", "-i", "/tmp/id_cert_pqssh", "-o", "CertificateFile=/tmp/id_cert_pqssh-cert.pub",
			"-p", strconv.Itoa(port), "root@" + srv.IP, "echo ok"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.ExitCode != 0 || strings.TrimSpace(string(res.Stdout)) != "ok" {
			t.Fatalf("pqssh exited %d:\n%s\nsshd:\n%s", res.ExitCode, res.Stderr, p.Output())
		}
		if !strings.Contains(res.Stderr, "debug1: kex: host key algorithm: "+mldsaComposite) {
			t.Errorf("pqssh -v:\n%s", res.Stderr)
		}
		waitFor(t, p, regexp.MustCompile(`Accepted publickey for root from \S+ port \d+ ssh2: MLDSA44-ED25519-CERT SHA256:\S+ ID id_cert_pqssh \(serial 106\) CA MLDSA44-ED25519 SHA256:`))
	})

	// A host certificate from the ML-DSA CA on sshd 10.6, trusted by pqssh
	// through @cert-authority in known_hosts (no host key listed).
	t.Run("pqssh-host-certificate", func(t *testing.T) {
		port := lab.Port()
		sh(srv, "cd "+dir+" && rm -f ssh_host_mldsa44_ed25519_key-cert.pub && ssh-keygen -q -s ca -h -I host-"+srv.IP+" -n "+srv.IP+" ssh_host_mldsa44_ed25519_key.pub")
		conf := "HostKey " + dir + "/ssh_host_mldsa44_ed25519_key\nHostCertificate " + dir + "/ssh_host_mldsa44_ed25519_key-cert.pub\n" +
			"AuthorizedKeysFile none\nTrustedUserCAKeys " + dir + "/ca.pub\nCASignatureAlgorithms +" + mldsaComposite + "\n" +
			"LogLevel DEBUG1\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\n"
		sh(srv, "printf '"+conf+"' > "+dir+"/sshd_host_config")
		p, err := srv.Start("sshd", "/usr/sbin/sshd", "-D", "-e", "-f", dir+"/sshd_host_config", "-p", strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Stop()
		if err := srv.WaitListening(ctx, p, port); err != nil {
			t.Fatal(err)
		}
		ca := strings.Fields(sh(srv, "cat "+dir+"/ca.pub"))
		sh(cli, "echo '@cert-authority * "+ca[0]+" "+ca[1]+"' > /tmp/kh_ca")
		res, err := cli.Run(ctx, harness.Exec{Args: []string{"/pqssh/bin/pqssh", "-v", "-F", "/dev/null",
			"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=/tmp/kh_ca",
			"-o", "IdentitiesOnly=yes", "-i", "/tmp/id_cert_pqssh", "-o", "CertificateFile=/tmp/id_cert_pqssh-cert.pub",
			"-p", strconv.Itoa(port), "root@" + srv.IP, "echo ok"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.ExitCode != 0 || strings.TrimSpace(string(res.Stdout)) != "ok" {
			t.Fatalf("pqssh exited %d:\n%s\nsshd:\n%s", res.ExitCode, res.Stderr, p.Output())
		}
		for _, want := range []string{
			"debug1: kex: host key algorithm: " + mldsaComposite + "-cert",
			"matches the MLDSA44-ED25519-CERT host certificate",
		} {
			if !strings.Contains(res.Stderr, want) {
				t.Errorf("pqssh -v lacks %q:\n%s", want, res.Stderr)
			}
		}
		waitFor(t, p, regexp.MustCompile(`kex: host key algorithm: `+mldsaComposite+`-cert`))
	})
}

// waitFor waits until a server's log matches re.
func waitFor(t *testing.T, p *harness.Process, re *regexp.Regexp) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if re.MatchString(p.Output()) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("server log lacks %s:\n%s", re, p.Output())
}

// TestMLDSA106HostCertificates: OpenSSH 10.6's ssh trusts pqsshd's ML-DSA
// host key through a host certificate (HostCertificate) signed by an
// ML-DSA CA, then by an Ed25519 CA, with only `@cert-authority` in
// known_hosts and StrictHostKeyChecking=yes; asserted from ssh -v (the
// certificate algorithm negotiated, the CA that matched) and from
// pqsshd's log. An ML-DSA CA needs CASignatureAlgorithms
// +ssh-mldsa44-ed25519 on ssh 10.6: without it ssh refuses the
// certificate.
func TestMLDSA106HostCertificates(t *testing.T) {
	srv, cli := forkyHosts(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sh := func(c *harness.Container, script string) string {
		t.Helper()
		out, err := c.Sh(ctx, script)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	port := lab.Port()
	dir := fmt.Sprintf("/tmp/mldsa-hostcert-%d", port)
	sh(srv, "mkdir -p "+dir+" && cd "+dir+" && ssh-keygen -q -t mldsa44-ed25519 -N '' -C pq-ca -f ca_mldsa && "+
		"ssh-keygen -q -t ed25519 -N '' -C ed-ca -f ca_ed25519 && "+
		"ssh-keygen -q -t mldsa44-ed25519 -N '' -f ssh_host_mldsa44_ed25519_key")
	sh(cli, "rm -f /tmp/id_hostcert* && ssh-keygen -q -t mldsa44-ed25519 -N '' -f /tmp/id_hostcert")
	sh(srv, "echo '"+strings.TrimSpace(sh(cli, "cat /tmp/id_hostcert.pub"))+"' > "+dir+"/authorized_keys")

	for _, tc := range []struct {
		ca    string
		caOpt []string // ssh options besides the defaults
	}{
		{"ca_mldsa", []string{"-o", "CASignatureAlgorithms=+" + mldsaComposite}},
		{"ca_ed25519", nil},
	} {
		t.Run(tc.ca, func(t *testing.T) {
			id := "pqsshd-" + tc.ca
			cert := dir + "/" + tc.ca + "-host-cert.pub"
			sh(srv, "cd "+dir+" && rm -f ssh_host_mldsa44_ed25519_key-cert.pub && "+
				"ssh-keygen -q -s "+tc.ca+" -h -I "+id+" -n "+srv.IP+" -z 7 ssh_host_mldsa44_ed25519_key.pub && "+
				"mv ssh_host_mldsa44_ed25519_key-cert.pub "+cert)
			conf := "HostKey " + dir + "/ssh_host_mldsa44_ed25519_key\nHostCertificate " + cert + "\n" +
				"AuthorizedKeysFile " + dir + "/authorized_keys\nLogLevel DEBUG1\n"
			if err := srv.WriteFile(dir+"/config-"+tc.ca, []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			port := lab.Port()
			p, err := srv.Start("pqsshd", "/pqssh/bin/pqsshd", "-D", "-e", "-f", dir+"/config-"+tc.ca, "-p", strconv.Itoa(port))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Stop()
			if err := srv.WaitListening(ctx, p, port); err != nil {
				t.Fatal(err)
			}
			ca := strings.Fields(sh(srv, "cat "+dir+"/"+tc.ca+".pub"))
			kh := "/tmp/kh_hostcert_" + tc.ca
			sh(cli, "echo '@cert-authority "+srv.IP+" "+ca[0]+" "+ca[1]+"' > "+kh)
			login := func(opts []string) *harness.Result {
				args := append([]string{"ssh", "-v", "-F", "/dev/null", "-o", "BatchMode=yes",
					"-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + kh, "-o", "UpdateHostKeys=no",
					"-i", "/tmp/id_hostcert", "-p", strconv.Itoa(port)}, opts...)
				res, err := cli.Run(ctx, harness.Exec{Args: append(args, "root@"+srv.IP, "echo ok")})
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			if tc.caOpt != nil {
				// ssh 10.6's default CASignatureAlgorithms leave the
				// composite out: the certificate is refused.
				res := login(nil)
				if res.ExitCode == 0 {
					t.Errorf("ssh 10.6 accepted an ML-DSA-signed host certificate without CASignatureAlgorithms:\n%s", res.Stderr)
				}
			}
			from := len(p.Output())
			res := login(tc.caOpt)
			if res.ExitCode != 0 || strings.TrimSpace(string(res.Stdout)) != "ok" {
				t.Fatalf("ssh 10.6 exited %d:\n%s\npqsshd:\n%s", res.ExitCode, res.Stderr, p.Output())
			}
			for _, re := range []string{
				`debug1: kex: host key algorithm: ` + mldsaComposite + `-cert\r?\n`,
				`debug1: Server host certificate: ` + mldsaComposite + `-cert SHA256:\S+, serial 7 ID "` + id + `" CA ` + ca[0] + ` SHA256:`,
				`debug1: Host '\S+' is known and matches the MLDSA44-ED25519-CERT host certificate\.`,
			} {
				if !regexp.MustCompile(re).MatchString(res.Stderr) {
					t.Errorf("ssh 10.6 -v lacks %s:\n%s", re, res.Stderr)
				}
			}
			waitFor(t, p, regexp.MustCompile(`accepted publickey.*hostkey=`+mldsaComposite+`-cert .*sigalg=`+mldsaComposite))
			if strings.Count(p.Output()[from:], "accepted publickey") != 1 {
				t.Errorf("pqsshd log after the login:\n%s", p.Output()[from:])
			}
		})
	}
}

// TestMLDSA106Agent: an ML-DSA user key held by OpenSSH 10.6's ssh-agent
// (added with ssh-add, no key file left for pqssh to read) logs pqssh in
// to pqsshd and to sshd 10.6; each server's log shows the key accepted
// was that ssh-mldsa44-ed25519 key (by fingerprint).
func TestMLDSA106Agent(t *testing.T) {
	srv, cli := forkyHosts(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sh := func(c *harness.Container, script string) string {
		t.Helper()
		out, err := c.Sh(ctx, script)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	port := lab.Port()
	dir := fmt.Sprintf("/tmp/mldsa-agent-%d", port)
	sh(srv, "mkdir -p "+dir+" /run/sshd && cd "+dir+" && ssh-keygen -q -t mldsa44-ed25519 -N '' -f ssh_host_mldsa44_ed25519_key")
	sh(cli, "rm -f /tmp/id_agent_mldsa* && ssh-keygen -q -t mldsa44-ed25519 -N '' -C agent-held -f /tmp/id_agent_mldsa")
	pub := strings.TrimSpace(sh(cli, "cat /tmp/id_agent_mldsa.pub"))
	fp := strings.Fields(sh(cli, "ssh-keygen -l -f /tmp/id_agent_mldsa.pub"))[1]
	sh(srv, "echo '"+pub+"' > "+dir+"/authorized_keys && chmod 600 "+dir+"/authorized_keys")

	pqsshdConf := "HostKey " + dir + "/ssh_host_mldsa44_ed25519_key\nAuthorizedKeysFile " + dir + "/authorized_keys\nLogLevel DEBUG1\n"
	sshdConf := pqsshdConf + "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\n"
	for _, tc := range []struct {
		name, bin, conf string
		accepted        *regexp.Regexp
	}{
		{"pqsshd", "/pqssh/bin/pqsshd", pqsshdConf,
			regexp.MustCompile(`accepted publickey.* key=` + regexp.QuoteMeta(fp) + ` .*sigalg=` + mldsaComposite)},
		{"sshd", "/usr/sbin/sshd", sshdConf,
			regexp.MustCompile(`Accepted publickey for root from \S+ port \d+ ssh2: MLDSA44-ED25519 ` + regexp.QuoteMeta(fp))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := lab.Port()
			if err := srv.WriteFile(dir+"/"+tc.name+"_config", []byte(tc.conf), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := srv.Start(tc.name, tc.bin, "-D", "-e", "-f", dir+"/"+tc.name+"_config", "-p", strconv.Itoa(port))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Stop()
			if err := srv.WaitListening(ctx, p, port); err != nil {
				t.Fatal(err)
			}
			// The key file is moved away while pqssh runs: only the agent
			// has the key.
			out := sh(cli, "eval $(ssh-agent -s) >/dev/null && trap 'ssh-agent -k >/dev/null' EXIT && "+
				"ssh-add -q /tmp/id_agent_mldsa && ssh-add -l >&2 && mv /tmp/id_agent_mldsa /tmp/id_agent_mldsa.away && "+
				"{ /pqssh/bin/pqssh -v -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "+
				"-p "+strconv.Itoa(port)+" root@"+srv.IP+" 'echo agent-ok' 2>/tmp/pqssh_agent_"+tc.name+".err; rc=$?; "+
				"mv /tmp/id_agent_mldsa.away /tmp/id_agent_mldsa; cat /tmp/pqssh_agent_"+tc.name+".err >&2; exit $rc; }")
			if strings.TrimSpace(out) != "agent-ok" {
				t.Errorf("pqssh with the key in ssh-agent: %q", out)
			}
			errOut := sh(cli, "cat /tmp/pqssh_agent_"+tc.name+".err")
			if !regexp.MustCompile(`Offering public key: agent ` + mldsaComposite + ` ` + regexp.QuoteMeta(fp)).MatchString(errOut) {
				t.Errorf("pqssh -v does not show the agent's ML-DSA key:\n%s", errOut)
			}
			waitFor(t, p, tc.accepted)
		})
	}
}
