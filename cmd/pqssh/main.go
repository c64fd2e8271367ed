// Command pqssh is the pqssh SSH client: OpenSSH's ssh(1) command line and
// ssh_config(5), with post-quantum hybrid key exchange first by default.
//
// See docs/ssh-options.md for the configuration keywords and their status.
package main

import (
	"os"

	"github.com/pqssh/pqssh/client/cli"
)

func main() {
	os.Exit(cli.Main())
}
