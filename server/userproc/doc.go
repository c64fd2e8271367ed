// Package userproc opens network sockets for a logged-in user from a
// process that runs with that user's credentials.
//
// pqsshd runs as root, but every socket a user's forwarding connects or
// listens on must belong to the user: a service at the other end of a Unix
// socket learns the creator's uid through SO_PEERCRED, and the kernel
// records the creator of a TCP socket for firewall owner matching and for
// ss(8) and /proc/net/tcp. Changing only a thread's file-system identity in
// the root process is not enough (the credentials a peer sees stay root's),
// and a root process with a user-identity thread would be a ptrace target
// for the user.
//
// So each authenticated connection that forwards gets a small helper
// process: the daemon's own executable re-run (see Main), which drops to
// the user's uid, gid and supplementary groups as its first act (so that
// the kernel marks it not dumpable: the user can signal it but not ptrace
// it or take its descriptors), with an empty environment, umask 0177 and
// no descriptors but its end of a socket pair. The daemon sends it typed
// requests (dial, listen, accept, close) over that SOCK_SEQPACKET socket
// pair; the helper makes the system calls itself and passes each
// connected socket back with SCM_RIGHTS, or an error. The daemon wraps the
// descriptors with net.FileConn and relays as before. Listening sockets
// stay in the helper, which also accepts on them, so accepted connections
// are created by the user too.
//
// The helper only ever acts on requests from the daemon, which has already
// decided they are allowed; the daemon in turn treats everything the helper
// says as untrusted (defence in depth: the user can kill their helper,
// and an administrator may have set fs.suid_dumpable): replies are
// size-bounded, each descriptor is checked to be a socket of the expected
// kind, every request has a deadline, and a helper that misbehaves or
// does not answer in time is killed.
//
// Opener is the interface the daemon uses; Helper implements it with a
// helper process and Local in the calling process (for a daemon that runs
// as the user it serves).
package userproc
