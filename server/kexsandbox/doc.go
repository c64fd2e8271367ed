// Package kexsandbox computes the server side of pqssh's key exchanges —
// the post-quantum KEMs with their assembly kernels, fed a client's
// public value of up to 1 MiB — in a sandboxed process.
//
// A pqsshd session process (running as root) starts one helper per
// connection: its own executable re-run with argv[0] HelperArg0 (Main
// serves it). Before the fork, the starting thread sets
// PR_SET_NO_NEW_PRIVS and a Landlock domain that allows nothing but
// reading and executing the executable (and the dynamic loader's
// libraries): the helper inherits both on every thread. The helper
// then chroots to an empty directory (/run/sshd, as OpenSSH's
// privilege-separated processes) and becomes OpenSSH's privilege-separation
// user (sshd, else nobody) with no supplementary groups, and installs the
// seccomp filter on every thread, before it reads a byte from its parent.
// A daemon that is not root cannot chroot or change user; the helper then
// runs with no new privileges, Landlock and the seccomp filter. The
// generic pieces are package internal/sandbox.
//
// The parent sends the method's name and the client's public value over a
// stream socket pair; the helper answers with the server's reply and the
// shared secret (or an error). The parent treats the answer as untrusted:
// lengths are bounded and must be the method's, and a helper that dies or
// does not answer in time fails that key exchange (the connection ends;
// no other connection shares the helper). Exchange hash, host-key
// signature and key derivation stay in the parent.
package kexsandbox
