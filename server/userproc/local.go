package userproc

import (
	"context"
	"net"
)

// Local opens sockets in the calling process. It is for a daemon that
// already runs as the one user it serves, where a helper process would
// add nothing. It applies the same checks as Helper.
type Local struct{}

// Dial implements Opener.
func (Local) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	if err := checkRequest(network, address, ListenOptions{}); err != nil {
		return nil, err
	}
	return dialSocket(ctx, network, address)
}

// Listen implements Opener.
func (Local) Listen(_ context.Context, network, address string, opts ListenOptions) (net.Listener, error) {
	if err := checkRequest(network, address, opts); err != nil {
		return nil, err
	}
	return listenSocket(network, address, opts, true)
}
