//go:build linux

package harness

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// A Peer describes one SSH implementation: where it runs, what it speaks
// and how to drive it. Adding an implementation to the interop tests is
// writing one of these (see package interop/peers), not changing the
// harness.
type Peer struct {
	Name   string   // e.g. "openssh-10.0"
	Recipe Recipe   // the root filesystem it runs in
	Kex    []string // key exchange names it speaks (post-quantum first)
	Server *ServerSpec
	Client *ClientSpec
}

// Speaks reports whether the peer speaks the key exchange name.
func (p *Peer) Speaks(name string) bool { return slices.Contains(p.Kex, name) }

// ServerConfig is what a server is started with.
type ServerConfig struct {
	Port int
	// Kex restricts the server to this key exchange method; "" leaves
	// the server's defaults (servers that cannot be restricted ignore it).
	Kex string
	// AuthorizedKeys is an authorized_keys file for root.
	AuthorizedKeys []byte
}

// ServerSpec says how to run a peer's server.
type ServerSpec struct {
	// Command prepares c (keys, configuration) and returns the command
	// line of a server in the foreground logging to stderr.
	Command func(ctx context.Context, c *Container, cfg ServerConfig) ([]string, error)
	// HostKey returns the server's host public key in authorized_keys
	// format (after Command ran); nil if no client test needs it.
	HostKey func(ctx context.Context, c *Container) (string, error)
	// Kex returns the negotiated key exchange names found in the
	// server's log, one per connection, in order; nil if the server does
	// not log them.
	Kex func(log string) []string
	// CanRestrictKex is false for servers that always offer their whole
	// list (Command ignores ServerConfig.Kex).
	CanRestrictKex bool
	// NotPostQuantumWarning is what the server's log says of a
	// connection whose key exchange is not post-quantum (a substring of
	// that line); "" if the server does not warn.
	NotPostQuantumWarning string
}

// ClientConfig is what a client is run with.
type ClientConfig struct {
	Host    string
	Port    int
	User    string
	Key     string // path of the client's private key in its container
	HostKey string // SHA256 fingerprint of the server's host key, if known
	// Kex restricts the client to this key exchange method; "" leaves
	// the client's defaults.
	Kex     string
	TTY     bool   // request a terminal
	Command string // remote command; "" for a login shell
	// Quiet leaves out the flags that make the client verbose (for
	// benchmarks; Kex then finds nothing).
	Quiet bool
	// Options are extra OpenSSH-style "Name=value" options, for the
	// clients that take -o.
	Options []string
}

// ClientSpec says how to run a peer's client.
type ClientSpec struct {
	// PrepareKey converts the OpenSSH-format private key at path (in c)
	// into what the client reads and returns that file's path; nil when
	// the client reads OpenSSH keys.
	PrepareKey func(ctx context.Context, c *Container, path string) (string, error)
	// Command returns the client's command line, verbose enough that
	// Kex finds the negotiated method in its standard error.
	Command func(cfg ClientConfig) []string
	// Kex returns the negotiated key exchange names in the client's
	// standard error; nil if the client does not print them.
	Kex func(stderr string) []string
	// CanRestrictKex is false for clients that always offer their whole
	// list.
	CanRestrictKex bool
	// HalfDuplex marks a client known to stall when its standard input
	// and output stream at the same time, whatever the server: the
	// round-trip test then sends the data up in one connection and back
	// in another. The description says which bug this works around.
	HalfDuplex bool
}

// A Server is a peer's server running in a container.
type Server struct {
	Peer    *Peer
	C       *Container
	Port    int
	Proc    *Process
	HostKey string // authorized_keys line, if the peer reports it
}

// StartServer starts p's server in c on a fresh port, restricted to kex
// (unless ""), accepting the lab's user key for root, and waits until it
// listens.
func (l *Lab) StartServer(ctx context.Context, p *Peer, c *Container, kex string) (*Server, error) {
	if p.Server == nil {
		return nil, fmt.Errorf("harness: %s has no server", p.Name)
	}
	key, err := l.UserKey()
	if err != nil {
		return nil, err
	}
	cfg := ServerConfig{Port: l.Port(), Kex: kex, AuthorizedKeys: key.Authorized}
	argv, err := p.Server.Command(ctx, c, cfg)
	if err != nil {
		return nil, fmt.Errorf("harness: preparing %s server: %w", p.Name, err)
	}
	proc, err := c.Start(p.Name, argv...)
	if err != nil {
		return nil, err
	}
	s := &Server{Peer: p, C: c, Port: cfg.Port, Proc: proc}
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := c.WaitListening(wctx, proc, cfg.Port); err != nil {
		proc.Stop()
		return nil, err
	}
	if p.Server.HostKey != nil {
		if s.HostKey, err = p.Server.HostKey(ctx, c); err != nil {
			proc.Stop()
			return nil, fmt.Errorf("harness: %s host key: %w", p.Name, err)
		}
	}
	return s, nil
}

// Stop stops the server.
func (s *Server) Stop() { s.Proc.Stop() }

// Log is everything the server logged so far.
func (s *Server) Log() string { return s.Proc.Output() }

// Kex returns the negotiated key exchange names in the server's log after
// byte offset from, waiting up to two seconds for at least want of them
// (log lines can trail the client's exit).
func (s *Server) Kex(from, want int) []string {
	if s.Peer.Server.Kex == nil {
		return nil
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		log := s.Log()
		got := s.Peer.Server.Kex(log[min(from, len(log)):])
		if len(got) >= want || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Login describes one client connection.
type Login struct {
	Kex     string    // restrict the client to this method; "" for defaults
	Command string    // remote command; "" for a shell
	TTY     bool      // request a terminal
	Quiet   bool      // no verbose client flags (see ClientConfig.Quiet)
	Options []string  // see ClientConfig.Options
	Stdin   io.Reader // nil: empty
	Stdout  io.Writer // nil: collected
}

// Connect runs p's client in c against s and waits for it to finish.
func (l *Lab) Connect(ctx context.Context, p *Peer, c *Container, s *Server, login Login) (*Result, error) {
	argv, err := l.ClientCommand(ctx, p, c, s, login)
	if err != nil {
		return nil, err
	}
	return c.Run(ctx, Exec{Args: argv, Stdin: login.Stdin, Stdout: login.Stdout})
}

// ClientCommand returns the command line of p's client in c connecting to
// s (installing the lab's user key in c first); login's Stdin and Stdout
// are not used.
func (l *Lab) ClientCommand(ctx context.Context, p *Peer, c *Container, s *Server, login Login) ([]string, error) {
	if p.Client == nil {
		return nil, fmt.Errorf("harness: %s has no client", p.Name)
	}
	keyPath, err := l.clientKey(ctx, p, c)
	if err != nil {
		return nil, err
	}
	fp := ""
	if s.HostKey != "" {
		if fp, err = Fingerprint(s.HostKey); err != nil {
			return nil, err
		}
	}
	host := s.C.IP
	if s.C == c {
		host = "127.0.0.1"
	}
	return p.Client.Command(ClientConfig{
		Host: host, Port: s.Port, User: "root", Key: keyPath, HostKey: fp,
		Kex: login.Kex, TTY: login.TTY, Command: login.Command, Quiet: login.Quiet, Options: login.Options,
	}), nil
}

// ClientKex returns the negotiated key exchange names in a client's
// standard error (nil if p's client does not print them).
func ClientKex(p *Peer, stderr string) []string {
	if p.Client.Kex == nil {
		return nil
	}
	return p.Client.Kex(stderr)
}

// clientKey installs the lab's user key in c for p's client, once.
func (l *Lab) clientKey(ctx context.Context, p *Peer, c *Container) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.keys == nil {
		l.keys = make(map[string]string)
	}
	id := c.Name + "\x00" + p.Name
	if path, ok := l.keys[id]; ok {
		return path, nil
	}
	key, err := l.userKeyLocked()
	if err != nil {
		return "", err
	}
	const path = "/root/.ssh/pqi_id_ed25519"
	if err := c.WriteFile(path, key.Private, 0o600); err != nil {
		return "", err
	}
	if err := c.WriteFile(path+".pub", key.Authorized, 0o644); err != nil {
		return "", err
	}
	out := path
	if p.Client.PrepareKey != nil {
		if out, err = p.Client.PrepareKey(ctx, c, path); err != nil {
			return "", fmt.Errorf("harness: converting the key for %s: %w", p.Name, err)
		}
	}
	l.keys[id] = out
	return out, nil
}

// KexLines returns, in order, the key exchange name of every line of log
// containing prefix: what follows prefix up to suffix, or up to the next
// white space if suffix is "" (quotes trimmed). A helper for the Kex
// functions of peer descriptions.
func KexLines(log, prefix, suffix string) []string {
	var names []string
	for _, line := range strings.Split(log, "\n") {
		i := strings.Index(line, prefix)
		if i < 0 {
			continue
		}
		rest := line[i+len(prefix):]
		if suffix != "" {
			j := strings.Index(rest, suffix)
			if j < 0 {
				continue
			}
			rest = rest[:j]
		} else if f := strings.Fields(rest); len(f) > 0 {
			rest = f[0]
		} else {
			continue
		}
		names = append(names, strings.Trim(rest, `"`))
	}
	return names
}
