//go:build interop && linux

// Package interop_test runs pqssh and pqsshd against real SSH
// implementations in containers (see docs/interop.md). It needs root and
// the interop build tag: make interop.
package interop_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
	"github.com/pqssh/pqssh/interop/peers"
)

// binDir holds the pqssh and pqsshd binaries under test: the repository's
// bin/, or $PQSSH_INTEROP_BIN.
var binDir = func() string {
	if d := os.Getenv("PQSSH_INTEROP_BIN"); d != "" {
		return d
	}
	return "../bin"
}()

// The run's lab and its containers: trixie servers, trixie clients and
// bookworm (OpenSSH 9.2, both roles).
var (
	lab                    *harness.Lab
	srv, cli, bookwormHost *harness.Container
)

func TestMain(m *testing.M) {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "interop tests need root (they build containers): run `make interop` as root")
		os.Exit(1)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	var err error
	lab, err = harness.NewLab(ctx, harness.Options{BinDir: binDir, Log: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := lab.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "tearing down:", err)
		}
	}()
	for _, c := range []struct {
		c    **harness.Container
		name string
		r    harness.Recipe
	}{{&srv, "srv", peers.Trixie}, {&cli, "cli", peers.Trixie}, {&bookwormHost, "bookworm", peers.Bookworm}} {
		if *c.c, err = lab.NewContainer(ctx, c.name, c.r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}
