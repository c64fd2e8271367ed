// Package mctiny implements McTiny (D. J. Bernstein and T. Lange, "McTiny:
// Fast High-Confidence Post-Quantum Key Erasure for Tiny Network Servers",
// USENIX Security 2020) for Classic McEliece mceliece6688128, under the
// parameter name mctiny6688128 specified in draft-pqssh-mctiny-ssh-00
// (drafts/draft-pqssh-mctiny-ssh.md).
//
// McTiny lets a client hand a server a one-time Classic McEliece public key
// of about 1 MB in 971 UDP datagrams of at most 1232 bytes each, while the
// server keeps no per-client state: everything the server must remember
// travels with the client inside authenticated, encrypted cookies sealed
// under short-lived cookie keys. At the end the client holds a 32-byte
// session key Z and a 49-byte cookie C_Z (with its 24-byte nonce M) from
// which the server can recover Z for as long as the cookie key lives (7 to
// 8 minutes).
//
// The server side is Server (a packet handler, Server.Handle, that does not
// allocate, and a UDP loop, Server.Serve); the client side is Exchange. The
// SSH key-exchange method that consumes (Z, C_Z, M) is in package
// github.com/pqssh/pqssh/mctiny/sshkex.
package mctiny
