// Command pqssh is the pqssh SSH client: OpenSSH's ssh(1) command line and
// ssh_config(5), with post-quantum hybrid key exchange first by default.
//
// See docs/ssh-options.md for the configuration keywords and their status.
package main

import (
	"os"
	"runtime/debug"

	"github.com/pqssh/pqssh/client/cli"
)

// gcPercent is pqssh's garbage-collection target when GOGC is not set. A
// client's live heap is a few MiB, while a bulk transfer allocates a
// packet buffer per SSH packet: collecting at 200 % instead of Go's 100 %
// cut the time of a 1 GiB download by about 15 % (docs/benchmarks.md,
// "Throughput") for a few MiB more memory.
const gcPercent = 200

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(cli.Main())
}
