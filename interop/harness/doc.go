// Package harness runs real SSH implementations in throwaway Linux containers
// so that pqssh and pqsshd can be tested against them.
//
// A container here is built from plain kernel facilities, no container
// engine: a Debian root filesystem made by debootstrap (cached by its
// recipe, see [EnsureRootfs]), mounted as the lower layer of an overlay so
// every container starts pristine, inside its own mount, PID and UTS
// namespaces and its own network namespace. Every network namespace of a
// [Lab] hangs off one bridge in a private "hub" namespace through a veth
// pair and gets an address from 192.0.2.0/24 (TEST-NET-1, RFC 5737): the
// containers reach each other and their own loopback, nothing else, and the
// host's network is never touched.
//
// The repository's bin/ is bind-mounted read-only at /pqssh/bin in every
// container, so the static pqssh and pqsshd binaries run inside next to the
// peers they are tested against.
//
// SSH implementations are described by [Peer] values (how to start the
// server, how to run the client, which key exchange names it speaks, how to
// read the negotiated one from its logs); the concrete descriptions live in
// package github.com/pqssh/pqssh/interop/peers.
//
// Everything here needs root.
package harness
