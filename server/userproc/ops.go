package userproc

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
)

// The socket operations themselves, run by the helper process (or, for
// Local, by the daemon): the same code either way.

// dialSocket connects to address; the caller has checked the request.
func dialSocket(ctx context.Context, network, address string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, address)
}

// listener is a listening socket and what to remove when it closes.
type listener struct {
	net.Listener
	dir  string // private directory to remove after the socket, or ""
	once sync.Once
}

// Close closes the socket (Go removes the socket file of a Unix listener
// it created) and then its private directory.
func (l *listener) Close() error {
	err := l.Listener.Close()
	l.once.Do(func() {
		if l.dir != "" {
			os.Remove(l.dir)
		}
	})
	return err
}

// listenSocket binds and listens; the caller has checked the request. A
// Unix socket's mode comes from the umask (the helper runs with 0177); in
// the daemon's own process chmodSocket makes it 0600 explicitly.
func listenSocket(network, address string, opts ListenOptions, chmodSocket bool) (*listener, error) {
	if network != "unix" {
		l, err := net.Listen(network, address)
		if err != nil {
			return nil, err
		}
		return &listener{Listener: l}, nil
	}
	dir := ""
	path := address
	if opts.PrivateDir != "" {
		var err error
		dir, err = os.MkdirTemp(filepath.Dir(opts.PrivateDir), filepath.Base(opts.PrivateDir))
		if err != nil {
			return nil, fmt.Errorf("private socket directory: %w", err)
		}
		// MkdirTemp asks for 0700 but the umask may take more away.
		if err := os.Chmod(dir, 0o700); err != nil {
			os.Remove(dir)
			return nil, fmt.Errorf("private socket directory: %w", err)
		}
		path = filepath.Join(dir, address)
		if err := CheckUnixPath(path); err != nil {
			os.Remove(dir)
			return nil, err
		}
	}
	if opts.UnlinkFirst {
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
			os.Remove(path)
		}
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		if dir != "" {
			os.Remove(dir)
		}
		return nil, err
	}
	if chmodSocket {
		if err := os.Chmod(path, 0o600); err != nil {
			l.Close()
			if dir != "" {
				os.Remove(dir)
			}
			return nil, fmt.Errorf("chmod %s: %w", path, err)
		}
	}
	return &listener{Listener: l, dir: dir}, nil
}
