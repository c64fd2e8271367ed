//go:build linux

package harness

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
)

// Subnet is the network every container of a Lab lives in: TEST-NET-1
// (RFC 5737), reserved for documentation, never routed anywhere.
const Subnet = "192.0.2.0/24"

// Options configure a Lab.
type Options struct {
	// BinDir is the host directory bind-mounted read-only at /pqssh/bin
	// in every container (the repository's bin/).
	BinDir string
	// MTU of every veth link and of the bridge; 0 means 1500.
	MTU int
	// Log receives progress (root filesystem builds, container starts).
	Log io.Writer
}

// A Lab is one run's set of containers on one private bridge. Close tears
// everything down: processes, namespaces, mounts, scratch files.
type Lab struct {
	opts Options
	tag  string // "pqi<pid>-<nonce>": prefix of every namespace this lab creates
	hub  string // network namespace holding the bridge
	work string // scratch directory for overlay upper layers and logs

	mu         sync.Mutex
	containers []*Container
	nextHost   int
	nextPort   int
	userKey    *UserKey
	keys       map[string]string // container and client → key path
}

// NewLab creates the hub network namespace and its bridge. Leftovers of
// earlier runs whose process is gone are removed first.
func NewLab(ctx context.Context, opts Options) (*Lab, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("harness: interop tests need root (they build containers)")
	}
	if opts.MTU == 0 {
		opts.MTU = 1500
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	abs, err := filepath.Abs(opts.BinDir)
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	opts.BinDir = abs
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	cleanStale(ctx, opts.Log)

	var nonce [3]byte
	rand.Read(nonce[:])
	tag := fmt.Sprintf("pqi%d-%x", os.Getpid(), nonce)
	work, err := os.MkdirTemp("", tag+"-")
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	l := &Lab{opts: opts, tag: tag, hub: tag + "-hub", work: work, nextHost: 10, nextPort: 2200}
	mtu := strconv.Itoa(opts.MTU)
	steps := [][]string{
		{"netns", "add", l.hub},
		{"-n", l.hub, "link", "add", "br0", "type", "bridge"},
		{"-n", l.hub, "link", "set", "br0", "mtu", mtu, "up"},
		{"-n", l.hub, "link", "set", "lo", "up"},
	}
	for _, s := range steps {
		if err := run(ctx, io.Discard, "ip", s...); err != nil {
			l.Close()
			return nil, fmt.Errorf("harness: creating the hub network: %w", err)
		}
	}
	return l, nil
}

// MTU is the link MTU of the lab's network.
func (l *Lab) MTU() int { return l.opts.MTU }

// Port returns a TCP port no other server of this lab was given.
func (l *Lab) Port() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nextPort++
	return l.nextPort
}

// Close stops every container, deletes the network namespaces and removes
// the scratch directory. It returns the first error met but always does
// all of it.
func (l *Lab) Close() error {
	l.mu.Lock()
	cs := l.containers
	l.containers = nil
	l.mu.Unlock()
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.close())
	}
	if err := run(context.Background(), io.Discard, "ip", "netns", "delete", l.hub); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, os.RemoveAll(l.work))
	return errors.Join(errs...)
}

var staleNetns = regexp.MustCompile(`^pqi([0-9]+)-`)

// cleanStale deletes network namespaces and scratch directories left by
// runs whose process no longer exists (killed before their Close ran).
// Mounts need no cleaning: they live in the dead runs' mount namespaces.
func cleanStale(ctx context.Context, log io.Writer) {
	gone := func(name string) bool {
		m := staleNetns.FindStringSubmatch(name)
		if m == nil {
			return false
		}
		_, err := os.Stat("/proc/" + m[1])
		return errors.Is(err, os.ErrNotExist)
	}
	if ents, err := os.ReadDir("/run/netns"); err == nil {
		for _, e := range ents {
			if gone(e.Name()) {
				fmt.Fprintf(log, "harness: deleting stale network namespace %s\n", e.Name())
				run(ctx, io.Discard, "ip", "netns", "delete", e.Name())
			}
		}
	}
	if ents, err := os.ReadDir(os.TempDir()); err == nil {
		for _, e := range ents {
			if gone(e.Name()) {
				os.RemoveAll(filepath.Join(os.TempDir(), e.Name()))
			}
		}
	}
}
