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

// Choices where the McTiny paper and the reference software leave room
// (all named in draft-pqssh-mctiny-ssh-00):
//
//   - Error vector: e is derived from E by rejection sampling on 512
//     bytes of the Salsa20 key stream under the key E (errorvector.go;
//     until December 2026 SHAKE256, four Keccak permutations per query);
//     seeds whose first 128 candidates are not distinct are redrawn in
//     phase 0, as Classic McEliece's FixedWeight does. A server upgraded
//     across that change derives a different e from a cookie C0 issued
//     before it, so an exchange in flight during the upgrade ends with a
//     session key the client does not share and the client starts over.
//   - Cookie keys: a new key each minute, SHAKE256 of the previous key and
//     32 fresh random bytes; eight kept; the ring is saved atomically
//     (file mctiny-cookie-keys, mode 0600) before a new key is used.
//   - State directory: mctiny-mceliece6688128.pub and .key (the long-term
//     key pair, generated on first start, checked to be a pair at load)
//     and mctiny-cookie-keys; group- or world-readable secret files are
//     refused, like OpenSSH's unprotected private keys.
//   - Phase-0 extension field: sent as zeros, ignored by the server.
//   - Client: window of 16 growing to 64 queries (TCP-style slow start,
//     halved on a timeout), retransmission timeout from the measured round
//     trip (RFC 6298, at least 25 ms; 1 s for phase 0, whose reply costs a
//     decapsulation), 10 tries per query with exponential backoff, pacing
//     at window/RTT. The one-time key is generated while phase 0 is in
//     flight, and erased when Exchange returns.
//   - Puzzles: a loaded server answers phase 0 with a client puzzle
//     (puzzle.go; draft section "Client Puzzles"); solutions are bound to
//     the client address and query and accepted once.
//   - Fleets: with a master-secret file the cookie keys are derived from
//     it by HKDF (cookiesecret.go; draft section "Server Fleets"), so
//     replicas open each other's cookies and puzzle solutions.
//   - Server: GOMAXPROCS workers, each with its own scratch area; dropped
//     packets are counted per reason and summarised in one log line per
//     minute.
