// Command pqsshd is the pqssh SSH server: OpenSSH-compatible, with
// post-quantum hybrid key exchange first by default.
//
// Usage follows sshd(8):
//
//	pqsshd [-DdeTtrV] [-C connection_spec] [-f config_file] [-h host_key_file] [-o option] [-p port]
//
// See docs/sshd-options.md for the configuration keywords.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pqssh/pqssh/internal/proctitle"
	"github.com/pqssh/pqssh/server"
	"github.com/pqssh/pqssh/server/config"
)

// SystemConfigFile is the configuration read when -f is not given and
// pqsshd runs as root; a missing file means built-in defaults.
const SystemConfigFile = "/etc/pqssh/pqsshd_config"

// defaultConfigFile is SystemConfigFile for root and
// $XDG_CONFIG_HOME/pqsshd/pqsshd_config (~/.config/…) for anyone else,
// beside the per-user host keys (server.DefaultHostKeyFiles).
func defaultConfigFile() string {
	if os.Geteuid() == 0 {
		return SystemConfigFile
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return SystemConfigFile
	}
	return filepath.Join(base, "pqsshd", "pqsshd_config")
}

// shutdownGrace is how long SIGTERM waits for sessions before closing
// them when they are served by the listener (-r).
const shutdownGrace = 30 * time.Second

type flags struct {
	foreground, stderr, test, dump, version bool
	// single: -r, serve every connection in the listener (no session
	// processes), as sshd's former -r did.
	single            bool
	debug             int
	configFile        string
	configGiven       bool
	hostKeys, options []string
	ports             []int
	connSpec          string // -C for -T: evaluate Match blocks
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: pqsshd [-DdeTtrV] [-C connection_spec] [-f config_file] [-h host_key_file] [-o option] [-p port]")
	os.Exit(1)
}

// parseFlags parses sshd-style flags: single letters that may be grouped
// ("-De"), with -f, -h, -o and -p taking an argument (attached or next).
func parseFlags(args []string) (*flags, error) {
	f := &flags{configFile: defaultConfigFile()}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				return nil, fmt.Errorf("unexpected argument %q", args[i+1])
			}
			break
		}
		if len(a) < 2 || a[0] != '-' {
			return nil, fmt.Errorf("unexpected argument %q", a)
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			switch c {
			case 'D':
				f.foreground = true
			case 'e':
				f.stderr = true
			case 'd':
				f.debug++
				f.foreground, f.stderr = true, true
			case 't':
				f.test = true
			case 'T':
				f.dump = true
			case 'V':
				f.version = true
			case 'r':
				f.single = true
			case 'f', 'h', 'o', 'p', 'C':
				var v string
				if j+1 < len(a) {
					v = a[j+1:]
				} else if i+1 < len(args) {
					i++
					v = args[i]
				} else {
					return nil, fmt.Errorf("option -%c needs an argument", c)
				}
				j = len(a)
				switch c {
				case 'C':
					f.connSpec = v
				case 'f':
					f.configFile, f.configGiven = v, true
				case 'h':
					f.hostKeys = append(f.hostKeys, v)
				case 'o':
					f.options = append(f.options, v)
				case 'p':
					p, err := strconv.Atoi(v)
					if err != nil || p < 0 || p > 65535 {
						return nil, fmt.Errorf("bad port number %q", v)
					}
					f.ports = append(f.ports, p)
				}
			default:
				return nil, fmt.Errorf("unknown option -%c", c)
			}
		}
	}
	return f, nil
}

// loadConfig reads the configuration with the command line's overrides.
func loadConfig(f *flags) (*config.Config, error) {
	var overrides []string
	for _, h := range f.hostKeys {
		overrides = append(overrides, "HostKey "+strconv.Quote(h))
	}
	overrides = append(overrides, f.options...)
	if f.debug > 0 {
		overrides = append(overrides, "LogLevel DEBUG"+strconv.Itoa(min(f.debug, 3)))
	}
	cfg, err := config.Load(f.configFile, overrides, f.configGiven)
	if err != nil {
		return nil, err
	}
	if len(f.ports) > 0 {
		cfg.Ports = f.ports // -p replaces Port, as in sshd(8)
	}
	return cfg, nil
}

// slogLevel maps LogLevel to slog levels: VERBOSE sits between INFO and
// DEBUG, DEBUG2/3 below DEBUG (server.LevelVerbose and the like).
func slogLevel(l string) slog.Level {
	switch l {
	case "QUIET":
		return slog.LevelError + 8
	case "FATAL":
		return slog.LevelError + 4
	case "ERROR":
		return slog.LevelError
	case "VERBOSE":
		return server.LevelVerbose
	case "DEBUG", "DEBUG1":
		return slog.LevelDebug
	case "DEBUG2":
		return server.LevelDebug2
	case "DEBUG3":
		return server.LevelDebug3
	}
	return slog.LevelInfo
}

func main() {
	server.RunInternal()
	// Before anything keeps a piece of os.Args: ps shows titles as sshd's
	// (a kernel without the argument addresses just keeps the command line).
	proctitle.Init()
	if isSessionProcess() {
		sessionMain()
		return
	}
	if isNetProcess() {
		netMain()
		return
	}
	closeInheritedFDs()
	takeNotifySocket()
	readyFile := daemonReadyFile()
	f, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "pqsshd:", err)
		usage()
	}
	if f.version {
		fmt.Println(server.Version)
		os.Exit(0)
	}
	cfg, err := loadConfig(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pqsshd:", err)
		os.Exit(1)
	}
	if f.dump {
		if f.connSpec != "" {
			ci, err := parseConnSpec(f.connSpec)
			if err != nil {
				fmt.Fprintln(os.Stderr, "pqsshd: -C:", err)
				os.Exit(1)
			}
			cfg = cfg.ForConnection(ci)
		}
		// As sshd -T, print the host keys in force when none is configured.
		cfg.HostKeys = server.HostKeyFiles(cfg, os.Geteuid() == 0)
		if err := cfg.Dump(os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	if f.test {
		// Only check: nothing is written (missing host keys are generated
		// at start, not here).
		if err := server.Check(cfg); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, n := range cfg.Notices {
			fmt.Fprintln(os.Stderr, "pqsshd: notice:", n)
		}
		os.Exit(0)
	}
	level := new(slog.LevelVar)
	level.Set(slogLevel(cfg.LogLevel))
	logger, toStderr := newLogger(f, cfg, level)
	// fatal reports a start-up error on standard error (and in the log
	// when the log is elsewhere) and exits 1, before any detaching.
	fatal := func(msg string, err error) {
		fmt.Fprintf(os.Stderr, "pqsshd: %s: %v\n", msg, err)
		if !toStderr {
			logger.Error(msg, "err", err)
		}
		os.Exit(1)
	}
	logNotices(logger, cfg)
	srv, err := server.New(cfg, logger)
	if err != nil {
		fatal("cannot start", err)
	}
	if !f.single {
		srv.SetSessionProcess(&server.SessionProcess{Path: "/proc/self/exe", Args: os.Args[1:], Env: sessionEnv(), Stderr: os.Stderr})
	}
	srv.AdoptSessions(inheritedSessions())
	srv.ShowStartupsInTitle()
	activated := func() bool { _, n := systemdFDRange(); return n > 0 }()
	listeners, err := listen(cfg)
	if err != nil {
		fatal("cannot listen", err)
	}
	if !f.foreground && !activated {
		if err := detach(listeners); err != nil {
			fmt.Fprintln(os.Stderr, "pqsshd:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	pidFile := ""
	if cfg.PidFile != "" && cfg.PidFile != "none" && (os.Geteuid() == 0 || cfg.IsSet("PidFile")) {
		if err := os.WriteFile(cfg.PidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			logger.Warn("cannot write PidFile", "path", cfg.PidFile, "err", err)
		} else {
			pidFile = cfg.PidFile
		}
	}
	var wg sync.WaitGroup
	for _, l := range listeners {
		logger.Info("server listening", "addr", l.Addr().String(), "kexalgorithms", strings.Join(cfg.KexAlgorithms, ","))
		wg.Add(1)
		go func(l net.Listener) {
			defer wg.Done()
			if err := srv.Serve(l); err != nil && !errors.Is(err, server.ErrServerClosed) {
				logger.Error("serve failed", "addr", l.Addr().String(), "err", err)
			}
		}(l)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	if err := daemonReady(readyFile); err != nil {
		logger.Error("cannot report readiness to the starting process", "err", err)
	}
	if err := sdNotify("READY=1\nMAINPID=" + strconv.Itoa(os.Getpid())); err != nil {
		logger.Warn("cannot notify the service manager", "err", err)
	}
	for sig := range sigs {
		if sig == syscall.SIGHUP && f.single {
			sdNotify("RELOADING=1\nMONOTONIC_USEC=" + monotonicUsec())
			nc, err := loadConfig(f)
			if err == nil {
				err = srv.Reload(nc)
			}
			if err != nil {
				logger.Error("reload failed; keeping the old configuration", "err", err)
			} else {
				level.Set(slogLevel(nc.LogLevel))
				logNotices(logger, nc)
			}
			sdNotify("READY=1")
			continue
		}
		if sig == syscall.SIGHUP {
			// As sshd: a valid new configuration re-executes the listener,
			// which keeps its listening sockets and its session processes.
			sdNotify("RELOADING=1\nMONOTONIC_USEC=" + monotonicUsec())
			nc, err := loadConfig(f)
			if err == nil {
				err = server.Check(nc)
			}
			if err == nil {
				logger.Info("configuration reloaded; restarting the listener", "sessions", len(srv.SessionPIDs()))
				err = reexec(listeners, srv.SessionPIDs())
			}
			logger.Error("reload failed; keeping the old configuration", "err", err)
			sdNotify("READY=1")
			continue
		}
		logger.Info("received signal; shutting down", "signal", sig.String())
		sdNotify("STOPPING=1")
		if !f.single {
			// Established connections are served by their own processes,
			// which go on (as sshd's): only the listener stops.
			break
		}
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		go func() {
			<-sigs // a second signal closes at once
			cancel()
		}()
		srv.Shutdown(ctx)
		cancel()
		break
	}
	srv.Close()
	wg.Wait()
	if pidFile != "" {
		os.Remove(pidFile)
	}
}

// logNotices logs the configuration's notices: settings accepted
// although they have no effect in pqsshd (such as X11Forwarding yes, or
// UsePAM yes in a build without PAM).
func logNotices(logger *slog.Logger, cfg *config.Config) {
	for _, n := range cfg.Notices {
		logger.Info("configuration notice: " + n)
	}
}

// parseConnSpec parses -C's comma-separated key=value list (user, group,
// addr, host, laddr, lport), as sshd -T -C does.
func parseConnSpec(spec string) (config.ConnInfo, error) {
	var ci config.ConnInfo
	for _, kv := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return ci, fmt.Errorf("expected key=value, not %q", kv)
		}
		switch k {
		case "user":
			ci.User = v
		case "group":
			ci.Groups = append(ci.Groups, v)
		case "addr":
			ci.Address = v
		case "host":
			ci.Host = v
		case "laddr":
			ci.LocalAddr = v
		case "lport":
			p, err := strconv.Atoi(v)
			if err != nil {
				return ci, fmt.Errorf("bad lport %q", v)
			}
			ci.LocalPort = p
		default:
			return ci, fmt.Errorf("unknown key %q (user, group, addr, host, laddr, lport)", k)
		}
	}
	if ci.Host == "" {
		ci.Host = ci.Address
	}
	return ci, nil
}

// newLogger returns the server's logger: syslog (facility
// SyslogFacility, priorities from the levels) unless -e (or -d) is given
// or syslog cannot be reached, standard error otherwise; toStderr tells
// which.
func newLogger(f *flags, cfg *config.Config, level *slog.LevelVar) (logger *slog.Logger, toStderr bool) {
	opts := &slog.HandlerOptions{Level: level}
	if !f.stderr {
		if h, err := newSyslogHandler(cfg.SyslogFacility, "pqsshd", opts); err == nil {
			return slog.New(h), false
		}
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts)), true
}

// listen opens the listening sockets: those a listener re-executed on
// SIGHUP was passed, those passed by systemd socket
// activation (LISTEN_FDS, sd_listen_fds(3)) if any, else every
// ListenAddress x Port.
func listen(cfg *config.Config) ([]net.Listener, error) {
	if ls, err := reexecListeners(); err != nil || len(ls) > 0 {
		return ls, err
	}
	if ls, err := daemonListeners(); err != nil || len(ls) > 0 {
		return ls, err
	}
	if ls, err := systemdListeners(); err != nil || len(ls) > 0 {
		return ls, err
	}
	addrs := cfg.ListenAddresses
	if len(addrs) == 0 {
		addrs = []string{""}
	}
	var out []net.Listener
	for _, a := range addrs {
		var targets []string
		if h, p, err := net.SplitHostPort(a); err == nil {
			targets = []string{net.JoinHostPort(h, p)}
		} else {
			for _, p := range cfg.Ports {
				targets = append(targets, net.JoinHostPort(strings.Trim(a, "[]"), strconv.Itoa(p)))
			}
		}
		network := map[string]string{"any": "tcp", "inet": "tcp4", "inet6": "tcp6"}[cfg.AddressFamily]
		for _, t := range targets {
			l, err := net.Listen(network, t)
			if err != nil {
				for _, o := range out {
					o.Close()
				}
				return nil, err
			}
			out = append(out, l)
		}
	}
	return out, nil
}

func systemdListeners() ([]net.Listener, error) {
	first, n := systemdFDRange()
	if n == 0 {
		return nil, nil
	}
	os.Unsetenv("LISTEN_PID")
	os.Unsetenv("LISTEN_FDS")
	os.Unsetenv("LISTEN_FDNAMES")
	var out []net.Listener
	for fd := first; fd < first+n; fd++ {
		syscall.CloseOnExec(fd)
		file := os.NewFile(uintptr(fd), "LISTEN_FD_"+strconv.Itoa(fd))
		l, err := net.FileListener(file)
		file.Close()
		if err != nil {
			return nil, fmt.Errorf("socket activation: fd %d: %w", fd, err)
		}
		out = append(out, l)
	}
	return out, nil
}
