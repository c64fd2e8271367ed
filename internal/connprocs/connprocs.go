// Package connprocs sets how many processors the Go scheduler of a process
// that serves one SSH connection uses.
//
// One connection's data path is sequential: one TCP stream, one cipher
// state per direction, packets in order. OpenSSH serves it from one
// single-threaded process at each end. A Go process with GOMAXPROCS above
// one spreads the same work over threads that hand every packet to each
// other (the transport's reader, the connection's mux loop, the channel's
// copy), and each hand-off to a goroutine on an idle processor wakes a
// thread with futex(2): on a paravirtualised VM every such wake-up and
// sleep is a hypercall. On one processor a hand-off is a switch of
// goroutines on the same thread. docs/benchmarks.md (section "2026-12-05
// afternoon: recycled packets, AVX-512 ChaCha20, one processor per
// connection") has the effect on throughput and CPU per byte.
package connprocs

import (
	"os"
	"runtime"
)

// Env is the environment variable that, when set, leaves the choice to the
// Go runtime (which reads it at start) instead of Limit.
const Env = "GOMAXPROCS"

// Limit runs the rest of the process on one processor, unless GOMAXPROCS
// is set in its environment. It reports whether it changed the setting.
//
// pqssh calls it once its connection is authenticated (the key exchange's
// key generation, started in parallel with the TCP connect, keeps every
// processor); pqsshd's per-connection process calls it when it starts (its
// key exchanges run in the pre-authentication process, which keeps every
// processor).
func Limit() bool {
	if _, set := os.LookupEnv(Env); set {
		return false
	}
	runtime.GOMAXPROCS(1)
	return true
}
