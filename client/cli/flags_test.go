package cli

import (
	"strings"
	"testing"
)

// TestIssueFlagsReachConfig: every ssh(1) flag the issue names that maps
// to a configuration setting shows in -G output like OpenSSH's (the flags
// that act directly — -W, -E, -V, -Q, -s, -f — have end-to-end tests of
// their own in this package and in server/daily_test.go).
func TestIssueFlagsReachConfig(t *testing.T) {
	for _, tc := range []struct {
		flags []string
		want  []string
	}{
		{[]string{"-p", "2200", "-l", "bob", "-i", "/x/key"}, []string{"port 2200", "user bob", "identityfile /x/key"}},
		{[]string{"-4"}, []string{"addressfamily inet"}},
		{[]string{"-6"}, []string{"addressfamily inet6"}},
		{[]string{"-A"}, []string{"forwardagent yes"}},
		{[]string{"-a"}, []string{"forwardagent no"}},
		{[]string{"-f", "-n", "-N"}, []string{"forkafterauthentication yes", "stdinnull yes", "sessiontype none"}},
		{[]string{"-s"}, []string{"sessiontype subsystem"}},
		{[]string{"-T"}, []string{"requesttty no"}},
		{[]string{"-t"}, []string{"requesttty yes"}},
		{[]string{"-tt"}, []string{"requesttty force"}},
		{[]string{"-q"}, []string{"loglevel QUIET"}},
		{[]string{"-v"}, []string{"loglevel DEBUG1"}},
		{[]string{"-vvv"}, []string{"loglevel DEBUG3"}},
		{[]string{"-J", "j1,j2"}, []string{"proxyjump j1,j2"}},
		{[]string{"-L", "8080:db:5432", "-R", "9090:localhost:80", "-D", "1080"},
			[]string{"localforward 8080 db:5432", "remoteforward 9090 localhost:80", "dynamicforward 1080"}},
		{[]string{"-o", "KexAlgorithms=mlkem768x25519-sha256", "-o", "User=carol"}, []string{"kexalgorithms mlkem768x25519-sha256", "user carol"}},
		{[]string{"-e", "^]", "-c", "aes256-gcm@openssh.com", "-m", "hmac-sha2-256", "-b", "127.0.0.1"},
			[]string{"escapechar ^]", "ciphers aes256-gcm@openssh.com", "macs hmac-sha2-256", "bindaddress 127.0.0.1"}},
	} {
		f := &fixture{t: t, cfg: "none", prompt: &fakePrompt{}}
		r := f.run(nil, append(append([]string{"-G"}, tc.flags...), "somehost")...)
		if r.code != 0 {
			t.Fatalf("%q: %v", tc.flags, r)
		}
		for _, w := range tc.want {
			if !strings.Contains("\n"+r.stdout, "\n"+w+"\n") {
				t.Errorf("%q: -G lacks %q", tc.flags, w)
			}
		}
	}
	// -V prints the version on stderr, as ssh -V does, and exits 0.
	f := &fixture{t: t, cfg: "none", prompt: &fakePrompt{}}
	if r := f.run(nil, "-V"); r.code != 0 || !strings.HasPrefix(r.stderr, "pqssh_") {
		t.Errorf("-V: %v", r)
	}
	// -Q lists what pqssh supports for each query the issue names.
	for q, want := range map[string]string{"cipher": "chacha20-poly1305@openssh.com", "mac": "hmac-sha2-256-etm@openssh.com",
		"key": "ssh-ed25519", "kex": "mlkem768x25519-sha256"} {
		if r := f.run(nil, "-Q", q); r.code != 0 || !strings.Contains("\n"+r.stdout, "\n"+want+"\n") {
			t.Errorf("-Q %s lacks %s: %v", q, want, r)
		}
	}
}
