// Package cli is the pqssh command: ssh(1)'s command line, configuration
// and session handling on top of package client. cmd/pqssh is a thin main
// around Run so that the whole command can be tested in-process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/pqssh/pqssh/client"
	"github.com/pqssh/pqssh/client/config"
	"github.com/pqssh/pqssh/internal/connprocs"
	"golang.org/x/crypto/ssh"
)

// Env is the process environment Run works in.
type Env struct {
	Args   []string // without the program name
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Prompt asks the user; nil uses /dev/tty (or SSH_ASKPASS).
	Prompt client.Prompter
	// Prog is the program name used in messages ("pqssh").
	Prog string
	// AllowFork lets -f run pqssh again in the background (only for the
	// real process: Main sets it).
	AllowFork bool
	// Connected, if set, runs once the connection is authenticated, before
	// its forwardings and session start. Main sets connprocs.Limit: the
	// rest of the run moves one connection's data, on one processor.
	Connected func()

	forkChild bool
}

// exitError is ssh's exit status for errors.
const exitError = 255

// Main runs pqssh with the process's arguments and standard streams and
// returns the exit status.
func Main() int {
	return Run(&Env{
		Args:      os.Args[1:],
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		Prog:      filepath.Base(os.Args[0]),
		AllowFork: true,
		Connected: func() { connprocs.Limit() },
	})
}

// Run runs the pqssh command in env and returns its exit status: the
// remote command's exit status, or 255 for errors (ssh(1), EXIT STATUS).
func Run(env *Env) int {
	if env.Prog == "" {
		env.Prog = "pqssh"
	}
	// Diagnostics, escape messages and the remote stderr all go to
	// Stderr from different goroutines.
	env.Stderr = &lockedWriter{w: env.Stderr}
	a, err := parseArgs(env.Args)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n%s\n", env.Prog, err, usage)
		return exitError
	}
	if a.version {
		fmt.Fprintf(env.Stderr, "%s (OpenSSH-compatible client, post-quantum key exchange)\n", client.VersionString())
		return 0
	}
	if a.query != "" {
		return query(env, a.query)
	}
	if a.destination == "" {
		fmt.Fprintln(env.Stderr, usage)
		return exitError
	}
	stderr := env.Stderr
	if a.logFile != "" {
		f, err := os.OpenFile(a.logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s: couldn't open logfile %s: %v\n", env.Prog, a.logFile, err)
			return exitError
		}
		defer f.Close()
		stderr = f
	}

	user, host, port, err := client.ParseDestination(a.destination)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", env.Prog, err)
		return exitError
	}
	// Options from the destination come after the flags, like ssh.
	opts := slices.Clone(a.options)
	if a.verbose > 0 {
		opts = append([]string{"LogLevel " + []string{"DEBUG1", "DEBUG2", "DEBUG3"}[min(a.verbose, 3)-1]}, opts...)
	} else if a.quiet {
		opts = append([]string{"LogLevel QUIET"}, opts...)
	}
	if user != "" {
		opts = append(opts, "User "+quote(user))
	}
	if port != 0 {
		opts = append(opts, fmt.Sprintf("Port %d", port))
	}
	ctx := configContext(strings.ToLower(host), a)
	warn := client.NewLogger(stderr, client.Info)
	ctx.Warn = func(m string) { warn.Error("%s", m) }
	// Until the configuration is read only -v sets the level, as in ssh.
	early := client.NewLogger(stderr, client.Info)
	if a.verbose > 0 {
		early = client.NewLogger(stderr, client.Debug1+client.Level(min(a.verbose, 3)-1))
		// ssh -v's first line: the version, without a prefix.
		early.Info("%s, %s", client.VersionString(), "golang.org/x/crypto (pqssh fork)")
	}
	ctx.Debug = func(n int, m string) { early.Debug(n, "%s", m) }
	o, err := config.Load(ctx, opts, a.configFile)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", env.Prog, err)
		return exitError
	}
	r, err := o.Resolve()
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", env.Prog, err)
		return exitError
	}
	if a.dumpConfig {
		r.Dump(env.Stdout)
		return 0
	}
	persistChild := os.Getenv(persistEnv) != ""
	if persistChild {
		// The background ControlPersist master: no session of its own.
		r.SessionType, r.StdinNull, r.ForkAfterAuthentication = "none", true, false
		r.ControlMaster = "yes"
		a.stdioFwd = ""
	}
	if a.control != "" || (r.ControlPath != "" && !persistChild) {
		log := client.NewLogger(stderr, client.ParseLevel(r.LogLevel))
		if a.control != "" {
			return controlCommand(env, a, r, log)
		}
		switch r.ControlMaster {
		case "no", "auto", "autoask":
			if code, ok := muxSession(env, a, r, log, false); ok {
				return code
			}
		}
		if wantMaster(r) && r.ControlPersist != 0 && !r.ForkAfterAuthentication {
			if !env.AllowFork {
				fmt.Fprintf(env.Stderr, "%s: ControlPersist is only available to the pqssh command\n", env.Prog)
				return exitError
			}
			code, ok := persistParent(env)
			if !ok {
				return code
			}
			if r.SessionType == "none" && a.stdioFwd == "" {
				return 0
			}
			r.ControlMaster = "no"
			if code, ok := muxSession(env, a, r, log, true); ok {
				return code
			}
			log.Error("Failed to connect to new control master")
			return exitError
		}
	}
	if r.ForkAfterAuthentication {
		switch {
		case os.Getenv(forkEnv) != "":
			env.forkChild = true
		case env.AllowFork:
			return forkParent(env)
		default:
			fmt.Fprintf(env.Stderr, "%s: -f is only available to the pqssh command\n", env.Prog)
			return exitError
		}
	}
	log := client.NewLogger(stderr, client.ParseLevel(r.LogLevel))

	askUpdateHostKeys(r, a, log)
	prompt := env.Prompt
	if prompt == nil {
		prompt = client.TTYPrompter{}
	}
	d := &client.Dialer{
		Config: r,
		Log:    log,
		Prompt: prompt,
		Stderr: stderr,
		ResolveJump: func(spec string) (*config.Resolved, error) {
			return resolveJump(spec, a, ctx)
		},
	}
	s := &session{env: env, args: a, cfg: r, log: log, dialer: d, persistChild: persistChild}
	return s.run(context.Background())
}

func configContext(host string, a *args) config.Context {
	ctx := config.Context{
		Host:    host,
		Home:    os.Getenv("HOME"),
		Command: strings.Join(a.command, " "),
		Version: client.Version,
	}
	if u, err := user.Current(); err == nil {
		ctx.LocalUser = u.Username
		if ctx.Home == "" {
			ctx.Home = u.HomeDir
		}
	}
	if ctx.LocalUser == "" {
		ctx.LocalUser = os.Getenv("USER")
	}
	switch {
	case a.noCommand || a.stdioFwd != "":
		ctx.SessionType = "none"
	case a.subsystem:
		ctx.SessionType = "subsystem"
	case len(a.command) > 0:
		ctx.SessionType = "exec"
	default:
		ctx.SessionType = "shell"
	}
	return ctx
}

// resolveJump reads the configuration for a ProxyJump hop the way the
// "ssh -W" child OpenSSH runs for it would: the same -F file, none of the
// -o options.
func resolveJump(spec string, a *args, base config.Context) (*config.Resolved, error) {
	user, host, port, err := client.ParseDestination(spec)
	if err != nil {
		return nil, err
	}
	var opts []string
	if user != "" {
		opts = append(opts, "User "+quote(user))
	}
	if port != 0 {
		opts = append(opts, fmt.Sprintf("Port %d", port))
	}
	for _, o := range a.options {
		// Carry the options that select how to authenticate and verify,
		// as OpenSSH passes -F, -v and -q to the jump process.
		kw := strings.ToLower(strings.FieldsFunc(o, func(r rune) bool { return r == ' ' || r == '=' })[0])
		switch kw {
		case "stricthostkeychecking", "userknownhostsfile", "globalknownhostsfile", "batchmode",
			"identitiesonly", "identityagent", "loglevel", "connecttimeout", "kexalgorithms":
			opts = append(opts, o)
		}
	}
	ctx := base
	ctx.Host = strings.ToLower(host)
	ctx.SessionType = "none"
	o, err := config.Load(ctx, opts, a.configFile)
	if err != nil {
		return nil, err
	}
	return o.Resolve()
}

// printError prints a connection error as ssh does: network errors with
// the program name, the others as they are.
func printError(env *Env, log *client.Logger, err error) {
	var ce *client.ConnectError
	var ne *net.DNSError
	switch {
	case errors.Is(err, client.ErrHostKeyVerification):
		log.Error("%v", err)
	case errors.As(err, &ce), errors.As(err, &ne), strings.HasPrefix(err.Error(), "Could not resolve"):
		log.Error("%s: %v", env.Prog, err)
	default:
		log.Error("%v", err)
	}
}

// query implements -Q.
func query(env *Env, what string) int {
	s := ssh.SupportedAlgorithms()
	var list []string
	switch strings.ToLower(what) {
	case "kex", "kexalgorithms":
		list = config.KnownAlgorithms("kexalgorithms")
	case "cipher", "ciphers":
		list = config.KnownAlgorithms("ciphers")
	case "cipher-auth":
		for _, c := range config.KnownAlgorithms("ciphers") {
			if c == "chacha20-poly1305@openssh.com" || strings.HasSuffix(c, "-gcm@openssh.com") {
				list = append(list, c)
			}
		}
	case "mac", "macs":
		list = config.KnownAlgorithms("macs")
	case "key", "hostkeyalgorithms":
		list = config.KnownAlgorithms("hostkeyalgorithms")
	case "key-plain":
		for _, k := range config.KnownAlgorithms("hostkeyalgorithms") {
			if !strings.Contains(k, "-cert-") {
				list = append(list, k)
			}
		}
	case "key-cert":
		for _, k := range config.KnownAlgorithms("hostkeyalgorithms") {
			if strings.Contains(k, "-cert-") {
				list = append(list, k)
			}
		}
	case "sig", "pubkeyacceptedalgorithms", "pubkeyacceptedkeytypes":
		list = s.PublicKeyAuths
		list = append(list, ssh.InsecureAlgorithms().PublicKeyAuths...)
	case "compression":
		list = []string{"none"}
	case "protocol-version":
		list = []string{"2"}
	case "help":
		list = []string{"cipher", "cipher-auth", "compression", "kex", "key", "key-cert", "key-plain", "mac", "protocol-version", "sig"}
	default:
		fmt.Fprintf(env.Stderr, "%s: Unsupported query \"%s\"\n", env.Prog, what)
		return exitError
	}
	for _, n := range dedupe(list) {
		fmt.Fprintln(env.Stdout, n)
	}
	return 0
}

func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// askUpdateHostKeys turns UpdateHostKeys=ask off where ssh(1) does
// (ssh.c): with a remote command, RequestTTY=no, or a log level below
// INFO (nobody would see the keys asked about).
func askUpdateHostKeys(r *config.Resolved, a *args, log *client.Logger) {
	if r.UpdateHostKeys != "ask" {
		return
	}
	switch {
	case len(a.command) > 0 || r.RemoteCommand != "" || r.RequestTTY == "no":
		log.Debug(1, "UpdateHostKeys=ask is incompatible with remote command execution; disabling")
		r.UpdateHostKeys = "no"
	case client.ParseLevel(r.LogLevel) < client.Info:
		r.UpdateHostKeys = "no"
	}
}
