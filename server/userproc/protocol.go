package userproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
)

// Requests the daemon sends to the helper, one per SOCK_SEQPACKET message
// (JSON-encoded request; the reply is a JSON reply, with one descriptor as
// SCM_RIGHTS for opDial and opAccept).
const (
	opDial   = "dial"   // Network, Address, TimeoutMS → connected socket
	opListen = "listen" // Network, Address, UnlinkFirst, PrivateDir → Listener, Address
	opAccept = "accept" // Listener → accepted socket
	opClose  = "close"  // Listener → closed (a Unix socket file is removed)
)

// maxMessage bounds a request or a reply on the wire; anything longer is a
// protocol violation.
const maxMessage = 4096

// maxAddress bounds an address in a request (a host name and port, or a
// socket path).
const maxAddress = 1024

// maxUnixPath is the longest Unix socket path Linux accepts (sun_path
// without its terminating NUL).
const maxUnixPath = 107

type request struct {
	ID          uint64 `json:"id"`
	Op          string `json:"op"`
	Network     string `json:"network,omitempty"`
	Address     string `json:"address,omitempty"`
	TimeoutMS   int64  `json:"timeout_ms,omitempty"`
	UnlinkFirst bool   `json:"unlink_first,omitempty"`
	PrivateDir  string `json:"private_dir,omitempty"`
	Listener    uint64 `json:"listener,omitempty"`
}

type reply struct {
	ID       uint64 `json:"id"`
	Err      string `json:"err,omitempty"`
	Listener uint64 `json:"listener,omitempty"`
	Address  string `json:"address,omitempty"`
}

// ListenOptions are the choices of a listening Unix socket.
type ListenOptions struct {
	// UnlinkFirst removes an existing socket at the path before binding
	// (sshd's StreamLocalBindUnlink). Only a socket is removed.
	UnlinkFirst bool
	// PrivateDir, when set, is an os.MkdirTemp pattern ("/tmp/ssh-*"): a
	// new directory with mode 0700 is created for the socket, whose
	// address is then a plain file name inside it. Both are removed when
	// the listener is closed.
	PrivateDir string
}

// ErrBadPath is returned for a Unix socket path in the abstract namespace
// (a leading '@' or NUL, which Go and Linux treat as abstract sockets,
// which have no permission checks), or with a NUL inside.
var ErrBadPath = errors.New("abstract or NUL-containing Unix socket path refused")

// CheckUnixPath reports whether path may name a Unix socket for a user:
// non-empty, not in the abstract namespace, no NUL, and short enough for
// sun_path.
func CheckUnixPath(path string) error {
	switch {
	case path == "":
		return errors.New("empty Unix socket path")
	case path[0] == '@' || strings.IndexByte(path, 0) >= 0:
		return ErrBadPath
	case len(path) > maxUnixPath:
		return fmt.Errorf("Unix socket path longer than %d bytes", maxUnixPath)
	}
	return nil
}

// checkRequest validates what both the daemon (before sending) and the
// helper (on receipt) insist on.
func checkRequest(network, address string, opts ListenOptions) error {
	if len(address) > maxAddress {
		return fmt.Errorf("address longer than %d bytes", maxAddress)
	}
	switch network {
	case "tcp", "tcp4", "tcp6":
		if opts.UnlinkFirst || opts.PrivateDir != "" {
			return errors.New("Unix socket options for a TCP socket")
		}
		return nil
	case "unix":
	default:
		return fmt.Errorf("unsupported network %q", network)
	}
	if opts.PrivateDir != "" {
		if !strings.HasPrefix(opts.PrivateDir, "/") || strings.IndexByte(opts.PrivateDir, 0) >= 0 || len(opts.PrivateDir) > maxAddress {
			return fmt.Errorf("bad private directory pattern %q", opts.PrivateDir)
		}
		if address == "" || strings.ContainsAny(address, "/\x00") || address == "." || address == ".." {
			return fmt.Errorf("socket name %q in a private directory is not a plain name", address)
		}
		return nil
	}
	return CheckUnixPath(address)
}

// Opener opens sockets with a user's credentials.
type Opener interface {
	// Dial connects to address on network ("tcp", "tcp4", "tcp6" or
	// "unix") before ctx's deadline.
	Dial(ctx context.Context, network, address string) (net.Conn, error)
	// Listen listens on address; for "unix" the socket file gets mode
	// 0600 and is removed when the listener is closed.
	Listen(ctx context.Context, network, address string, opts ListenOptions) (net.Listener, error)
}
