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

// TestCertificatesOpenSSH106 logs pqssh in with an Ed25519 user
// certificate (CA made by ssh-keygen 10.6, principal "ops" listed in
// AuthorizedPrincipalsFile, not the user name) to OpenSSH 10.6's sshd and
// to pqsshd, both with TrustedUserCAKeys and no authorized_keys, with the
// certificate taken from key-cert.pub beside -i key, from CertificateFile,
// and from OpenSSH's ssh-agent holding key and certificate. The first
// contact, with default settings, negotiates and records the server's
// ML-DSA host key (pqssh puts ssh-mldsa44-ed25519 first where OpenSSH 10.6
// puts it last; after it, Ed25519 before ECDSA and RSA as in OpenSSH).
func TestCertificatesOpenSSH106(t *testing.T) {
	srv, cli := forkyHosts(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	sh := func(c *harness.Container, script string) string {
		t.Helper()
		out, err := c.Sh(ctx, script)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	port0 := lab.Port()
	dir := fmt.Sprintf("/tmp/pqssh-usercerts-%d", port0)
	sh(srv, "mkdir -p "+dir+"/principals /run/sshd && cd "+dir+" && ssh-keygen -q -t ed25519 -N '' -C ca -f ca && "+
		"ssh-keygen -q -t ed25519 -N '' -f ssh_host_ed25519_key && ssh-keygen -q -t mldsa44-ed25519 -N '' -f ssh_host_mldsa44_ed25519_key && "+
		"echo ops > principals/root && chmod 644 principals/root")
	pqHost := strings.Fields(sh(srv, "cat "+dir+"/ssh_host_mldsa44_ed25519_key.pub"))
	// The user key, made by pqssh-keygen, certified for principal "ops".
	sh(cli, "rm -rf /tmp/uc && mkdir /tmp/uc && /pqssh/bin/pqssh-keygen -q -t ed25519 -N '' -f /tmp/uc/id_ed25519")
	pub := strings.TrimSpace(sh(cli, "cat /tmp/uc/id_ed25519.pub"))
	sh(srv, "cd "+dir+" && echo '"+pub+"' > user.pub && ssh-keygen -q -s ca -I pqssh-user -n ops -z 61 user.pub")
	cert := strings.TrimSpace(sh(srv, "cat "+dir+"/user-cert.pub"))
	sh(cli, "echo '"+cert+"' > /tmp/uc/id_ed25519-cert.pub && mkdir -p /tmp/uc/elsewhere && cp /tmp/uc/id_ed25519-cert.pub /tmp/uc/elsewhere/c.pub")

	common := "HostKey " + dir + "/ssh_host_ed25519_key\nHostKey " + dir + "/ssh_host_mldsa44_ed25519_key\n" +
		"AuthorizedKeysFile none\nTrustedUserCAKeys " + dir + "/ca.pub\nAuthorizedPrincipalsFile " + dir + "/principals/%u\n" +
		"LogLevel DEBUG1\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
	for _, server := range []struct {
		name     string
		conf     string
		argv     func(conf string, port int) []string
		accepted *regexp.Regexp
	}{
		{"sshd", common + "UsePAM no\nStrictModes no\n",
			func(conf string, port int) []string {
				return []string{"/usr/sbin/sshd", "-D", "-e", "-f", conf, "-p", strconv.Itoa(port)}
			},
			regexp.MustCompile(`Accepted publickey for root from \S+ port \d+ ssh2: ED25519-CERT SHA256:\S+ ID pqssh-user \(serial 61\) CA ED25519 SHA256:`)},
		{"pqsshd", common,
			func(conf string, port int) []string {
				return []string{"/pqssh/bin/pqsshd", "-D", "-e", "-f", conf, "-p", strconv.Itoa(port)}
			},
			regexp.MustCompile(`accepted publickey.*cert_id="pqssh-user serial 61"`)},
	} {
		t.Run(server.name, func(t *testing.T) {
			port := lab.Port()
			conf := fmt.Sprintf("%s/%s_config_%d", dir, server.name, port)
			if err := srv.WriteFile(conf, []byte(server.conf), 0o644); err != nil {
				t.Fatal(err)
			}
			argv := server.argv(conf, port)
			p, err := srv.Start(server.name, argv...)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Stop()
			if err := srv.WaitListening(ctx, p, port); err != nil {
				t.Fatal(err)
			}
			kh := fmt.Sprintf("/tmp/uc/known_hosts_%s", server.name)
			sh(cli, "rm -f "+kh)
			login := func(extra ...string) *harness.Result {
				t.Helper()
				args := append([]string{"/pqssh/bin/pqssh", "-v", "-F", "/dev/null", "-o", "BatchMode=yes",
					"-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=" + kh, "-p", strconv.Itoa(port)}, extra...)
				res, err := cli.Run(ctx, harness.Exec{Args: append(args, "root@"+srv.IP, "echo ok")})
				if err != nil {
					t.Fatal(err)
				}
				if res.ExitCode != 0 || strings.TrimSpace(string(res.Stdout)) != "ok" {
					t.Fatalf("pqssh %v exited %d:\n%s\n%s:\n%s", extra, res.ExitCode, res.Stderr, server.name, p.Output())
				}
				return res
			}

			// -i key with key-cert.pub beside it; first contact.
			res := login("-i", "/tmp/uc/id_ed25519")
			if !strings.Contains(res.Stderr, "debug1: kex: host key algorithm: ssh-mldsa44-ed25519\n") {
				t.Errorf("first contact did not negotiate ssh-mldsa44-ed25519:\n%s", res.Stderr)
			}
			known := sh(cli, "cat "+kh)
			if !strings.Contains(known, "ssh-mldsa44-ed25519 "+pqHost[1]) || strings.Contains(known, "ssh-ed25519 ") {
				t.Errorf("known_hosts after first contact:\n%s", known)
			}
			waitFor(t, p, server.accepted)

			// CertificateFile elsewhere, IdentitiesOnly.
			before := len(server.accepted.FindAllString(p.Output(), -1))
			login("-o", "IdentitiesOnly=yes", "-i", "/tmp/uc/id_ed25519", "-o", "CertificateFile=/tmp/uc/elsewhere/c.pub")
			// The agent holding key and certificate (ssh-add loads
			// key-cert.pub with the key); no key file.
			out := sh(cli, "eval $(ssh-agent -s) >/dev/null && trap 'ssh-agent -k >/dev/null' EXIT && "+
				"ssh-add -q /tmp/uc/id_ed25519 && ssh-add -l >&2 && mv /tmp/uc/id_ed25519 /tmp/uc/away && "+
				"{ /pqssh/bin/pqssh -v -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="+kh+
				" -p "+strconv.Itoa(port)+" root@"+srv.IP+" 'echo agent-ok' 2>/tmp/uc/agent.err; rc=$?; mv /tmp/uc/away /tmp/uc/id_ed25519; "+
				"cat /tmp/uc/agent.err >&2; exit $rc; }")
			if strings.TrimSpace(out) != "agent-ok" {
				t.Errorf("pqssh with key and certificate in ssh-agent: %q", out)
			}
			for i := 0; i < 100 && len(server.accepted.FindAllString(p.Output(), -1)) < before+2; i++ {
				time.Sleep(50 * time.Millisecond)
			}
			if n := len(server.accepted.FindAllString(p.Output(), -1)); n != before+2 {
				t.Errorf("%s accepted %d certificate logins, want 3 (beside, CertificateFile, agent):\n%s", server.name, n, p.Output())
			}
		})
	}
}

// TestUnixForwardOpenSSH106: pqssh's Unix-domain socket forwardings work
// with OpenSSH 10.6's sshd (direct-streamlocal@openssh.com and
// streamlocal-forward@openssh.com): -L port:remote_socket reaches a socket
// on the server, -R remote_socket:host:port makes sshd listen on a socket
// that reaches the client's side, and -L local_socket:host:port listens
// on a 0600 socket on the client.
func TestUnixForwardOpenSSH106(t *testing.T) {
	srv, cli := forkyHosts(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sh := func(c *harness.Container, script string) string {
		t.Helper()
		out, err := c.Sh(ctx, script)
		if err != nil {
			t.Fatalf("%s: %v", script, err)
		}
		return out
	}
	port := lab.Port()
	dir := fmt.Sprintf("/tmp/pqssh-unixfwd-%d", port)
	sh(srv, "mkdir -p "+dir+" /run/sshd /root/.ssh && ssh-keygen -q -t ed25519 -N '' -f "+dir+"/hostkey")
	sh(cli, "rm -rf /tmp/uf && mkdir /tmp/uf && /pqssh/bin/pqssh-keygen -q -t ed25519 -N '' -f /tmp/uf/id")
	pub := strings.TrimSpace(sh(cli, "cat /tmp/uf/id.pub"))
	sh(srv, "echo '"+pub+"' > "+dir+"/authorized_keys && chmod 600 "+dir+"/authorized_keys")
	conf := "HostKey " + dir + "/hostkey\nAuthorizedKeysFile " + dir + "/authorized_keys\nLogLevel DEBUG1\nPasswordAuthentication no\n" +
		"KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\nStreamLocalBindUnlink yes\n"
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
	// Echo services (socat): a socket on the server, a TCP port on the
	// client.
	lport := lab.Port()
	for _, e := range []struct {
		c    *harness.Container
		argv []string
	}{
		{srv, []string{"socat", "UNIX-LISTEN:" + dir + "/echo.sock,fork", "SYSTEM:read l; echo srv-$l"}},
		{cli, []string{"socat", "TCP-LISTEN:" + strconv.Itoa(lport) + ",bind=127.0.0.1,reuseaddr,fork", "SYSTEM:read l; echo cli-$l"}},
	} {
		ep, err := e.c.Start("echo", e.argv...)
		if err != nil {
			t.Fatal(err)
		}
		defer ep.Stop()
	}
	sh(srv, "for i in $(seq 100); do [ -S "+dir+"/echo.sock ] && break; sleep 0.1; done")
	pqssh := "/pqssh/bin/pqssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ExitOnForwardFailure=yes -i /tmp/uf/id -p " + strconv.Itoa(port)
	fport := lab.Port()

	// -L port:remote_socket and -L local_socket:remote_socket.
	out := sh(cli, "setsid "+pqssh+" -N -L "+strconv.Itoa(fport)+":"+dir+"/echo.sock -L /tmp/uf/l.sock:"+dir+"/echo.sock root@"+srv.IP+
		" </dev/null >/dev/null 2>/tmp/uf/err & pid=$!; "+
		"for i in $(seq 100); do [ -S /tmp/uf/l.sock ] && break; sleep 0.1; done; "+
		"echo tcp | socat -t5 - TCP:127.0.0.1:"+strconv.Itoa(fport)+"; echo unix | socat -t5 - UNIX-CONNECT:/tmp/uf/l.sock; "+
		"stat -c %a /tmp/uf/l.sock || true; kill $pid || true; wait $pid || true")
	if lines := strings.Fields(out); len(lines) != 3 || lines[0] != "srv-tcp" || lines[1] != "srv-unix" || lines[2] != "600" {
		errOut, _ := cli.Sh(ctx, "cat /tmp/uf/err")
		t.Errorf("-L to sshd 10.6's socket: %q\npqssh: %s\nsshd:\n%s", out, errOut, p.Output())
	}

	// -R remote_socket:host:port: sshd listens on the socket and pqssh
	// connects each connection to the client's TCP echo.
	sh(cli, "setsid "+pqssh+" -N -R "+dir+"/r.sock:127.0.0.1:"+strconv.Itoa(lport)+" root@"+srv.IP+" </dev/null >/dev/null 2>/tmp/uf/err2 & echo $! > /tmp/uf/rpid")
	defer cli.Sh(context.Background(), "kill $(cat /tmp/uf/rpid)")
	got, err := srv.Sh(ctx, "for i in $(seq 100); do [ -S "+dir+"/r.sock ] && break; sleep 0.1; done; echo rev | socat -t5 - UNIX-CONNECT:"+dir+"/r.sock")
	if err != nil || strings.TrimSpace(got) != "cli-rev" {
		errOut, _ := cli.Sh(ctx, "cat /tmp/uf/err2")
		t.Errorf("-R socket on sshd 10.6: %q %v\npqssh: %s\nsshd:\n%s", got, err, errOut, p.Output())
	}
	waitFor(t, p, regexp.MustCompile(`server_input_global_request: rtype streamlocal-forward@openssh.com`))
}
