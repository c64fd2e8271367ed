package server

// The session's environment is the user's to choose: ~/.pam_environment
// (Debian's /etc/pam.d/sshd has "pam_env.so user_readenv=1"),
// ~/.ssh/environment with PermitUserEnvironment, the client's variables
// that AcceptEnv admits. Whatever pqsshd starts as root must not be
// executed with it: the dynamic loader of a root process honours
// LD_PRELOAD, LD_LIBRARY_PATH and LD_AUDIT (the kernel marks only set-id
// executions secure), and glibc and the Go runtime read variables of their
// own. A helper that starts as root and becomes the user itself (the one
// that applies pam_limits' limits, internal-sftp) gets the user's
// variables renamed — PQSSHD_USER_ENV_<n>=NAME=value, which nothing
// interprets — and restores them once it is the user.

import (
	"os"
	"strconv"
	"strings"
)

// userEnvPrefix starts the name of a renamed user variable.
const userEnvPrefix = "PQSSHD_USER_ENV_"

// wrapUserEnv returns the environment of a helper that starts as root:
// the user's variables renamed, in order, then extra as they are.
func wrapUserEnv(user []string, extra ...string) []string {
	out := make([]string, 0, len(user)+len(extra))
	for i, kv := range user {
		out = append(out, userEnvPrefix+strconv.Itoa(i)+"="+kv)
	}
	return append(out, extra...)
}

// unwrapUserEnv returns the user's variables wrapUserEnv renamed in this
// process's environment, in their order; every other variable is left
// out.
func unwrapUserEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		rest, ok := strings.CutPrefix(kv, userEnvPrefix)
		if !ok {
			continue
		}
		n, user, ok := strings.Cut(rest, "=")
		if _, err := strconv.Atoi(n); !ok || err != nil {
			continue
		}
		out = append(out, user)
	}
	return out
}

// becomeUserEnv replaces this process's environment with the user's
// variables that wrapUserEnv renamed (for a helper that is now the user
// and goes on running rather than executing a program).
func becomeUserEnv() {
	user := unwrapUserEnv()
	os.Clearenv()
	for _, kv := range user {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			os.Setenv(k, v)
		}
	}
}
