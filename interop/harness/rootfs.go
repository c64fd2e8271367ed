//go:build linux

package harness

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// recipeVersion is mixed into every recipe hash; bump it when the way a
// root filesystem is built changes, so caches are rebuilt.
const recipeVersion = "pqssh-interop-rootfs-1"

// completeMarker is written into a root filesystem once it is fully built.
const completeMarker = ".pqssh-interop-recipe"

// A Recipe says how to build a root filesystem: a Debian suite bootstrapped
// with debootstrap's minbase variant plus packages installed with apt-get
// (without recommends).
type Recipe struct {
	Suite    string   // Debian suite, e.g. "trixie"
	Packages []string // Debian packages to install on top of minbase
	Build    []BuildStep

	// Script is the debootstrap script to build Suite with, for a suite
	// the host's debootstrap has no script for (Debian forky on a
	// bookworm host: "sid", which builds any testing or unstable suite).
	// Empty means debootstrap's own choice.
	Script string
	// IgnoreValidUntil makes apt inside this root filesystem (only)
	// accept a Release file whose Valid-Until date has passed, as the
	// testing suite's sometimes is (apt.conf(5), Acquire::Check-Valid-Until).
	IgnoreValidUntil bool
}

// A BuildStep runs on the host once the packages are installed, with the
// root filesystem's directory appended to its arguments: e.g. building a
// patched peer from source inside it. The contents of its inputs key the
// cache, so changing a patch rebuilds the root filesystem.
type BuildStep struct {
	Args   []string // the command (absolute paths)
	Inputs []string // files and directories whose contents it depends on
}

// Union returns a recipe for the same suite with the packages and build
// steps of both.
func (r Recipe) Union(o Recipe) Recipe {
	if o.Suite != r.Suite {
		panic(fmt.Sprintf("harness: union of recipes for %s and %s", r.Suite, o.Suite))
	}
	p := slices.Concat(r.Packages, o.Packages)
	slices.Sort(p)
	return Recipe{Suite: r.Suite, Packages: slices.Compact(p), Build: slices.Concat(r.Build, o.Build),
		Script: cmp.Or(r.Script, o.Script), IgnoreValidUntil: r.IgnoreValidUntil || o.IgnoreValidUntil}
}

// Key names the recipe's cache directory: the suite and a hash of the
// recipe, e.g. "trixie-3f2a9c81d0b4".
func (r Recipe) Key() string {
	h := sha256.New()
	io.WriteString(h, r.describe())
	for _, b := range r.Build {
		for _, in := range b.Inputs {
			hashTree(h, in)
		}
	}
	return r.Suite + "-" + hex.EncodeToString(h.Sum(nil)[:6])
}

func (r Recipe) describe() string {
	p := slices.Clone(r.Packages)
	slices.Sort(p)
	s := fmt.Sprintf("version: %s\nsuite: %s\npackages: %s\n", recipeVersion, r.Suite, strings.Join(slices.Compact(p), " "))
	for _, b := range r.Build {
		s += fmt.Sprintf("build: %q inputs: %q\n", b.Args, b.Inputs)
	}
	// Only recipes that set these describe them, so that the keys (and
	// cached root filesystems) of the others stay what they were.
	if r.Script != "" {
		s += fmt.Sprintf("script: %s\n", r.Script)
	}
	if r.IgnoreValidUntil {
		s += "apt: Acquire::Check-Valid-Until false\n"
	}
	return s
}

// hashTree feeds the names and contents of the files under root to h (an
// unreadable file feeds its error, so the key still changes with it).
func hashTree(h io.Writer, root string) {
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			fmt.Fprintf(h, "%s: %v\n", path, err)
			return nil
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(path)
		fmt.Fprintf(h, "%s %d %v\n", filepath.Base(path), len(b), err)
		h.Write(b)
		return nil
	})
}

// CacheDir is where root filesystems are cached:
// ${XDG_CACHE_HOME:-$HOME/.cache}/pqssh-interop.
func CacheDir() (string, error) {
	d := os.Getenv("XDG_CACHE_HOME")
	if d == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("harness: locating the cache: %w", err)
		}
		d = filepath.Join(home, ".cache")
	}
	return filepath.Join(d, "pqssh-interop"), nil
}

// EnsureRootfs returns the directory of the root filesystem built from r,
// building it first if the cache does not hold it. Builds are serialized by
// a lock file, done in a temporary directory and renamed into place only
// when complete, so an interrupted build never leaves a half-built cache
// entry behind. Progress goes to log.
func EnsureRootfs(ctx context.Context, r Recipe, log io.Writer) (string, error) {
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	dir := filepath.Join(cache, r.Key())
	if complete(dir) {
		return dir, nil
	}

	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("harness: locking %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if complete(dir) { // built by someone else while we waited
		return dir, nil
	}

	start := time.Now()
	fmt.Fprintf(log, "harness: building root filesystem %s (%s: %s)\n", r.Key(), r.Suite, strings.Join(r.Packages, " "))
	tmp := dir + ".tmp"
	if err := build(ctx, r, tmp, log); err != nil {
		fmt.Fprintf(log, "harness: first attempt failed (%v); retrying from scratch\n", err)
		if err := build(ctx, r, tmp, log); err != nil {
			os.RemoveAll(tmp)
			return "", fmt.Errorf("harness: building root filesystem %s: %w", r.Key(), err)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	fmt.Fprintf(log, "harness: built %s in %s\n", dir, time.Since(start).Round(time.Second))
	return dir, nil
}

func complete(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, completeMarker))
	return err == nil
}

// build bootstraps r into dir (which it first empties).
func build(ctx context.Context, r Recipe, dir string, log io.Writer) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	args := []string{"--variant=minbase", r.Suite, dir}
	if r.Script != "" {
		// debootstrap takes a script only after a mirror: pass the
		// default mirror it would have used.
		mirror, err := debootstrapMirror()
		if err != nil {
			return err
		}
		args = append(args, mirror, filepath.Join(debootstrapScripts, r.Script))
	}
	if err := run(ctx, log, "debootstrap", args...); err != nil {
		return err
	}
	if r.IgnoreValidUntil {
		conf := filepath.Join(dir, "etc/apt/apt.conf.d/99pqssh-interop-check-valid-until")
		if err := os.WriteFile(conf, []byte("// pqssh interop: this test root filesystem tracks a testing suite whose\n// Release file may outlive its Valid-Until date.\nAcquire::Check-Valid-Until \"false\";\n"), 0o644); err != nil {
			return err
		}
	}
	// Keep package scripts from starting daemons (on the host's network!)
	// while installing: the policy-rc.d convention, see invoke-rc.d(8).
	if err := os.WriteFile(filepath.Join(dir, "usr/sbin/policy-rc.d"), []byte("#!/bin/sh\nexit 101\n"), 0o755); err != nil {
		return err
	}
	if len(r.Packages) > 0 {
		// Inside a private mount namespace, so /proc vanishes with it
		// even if this process dies halfway.
		script := `set -e
root=$1
shift
mount -t proc proc "$root/proc"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
chroot "$root" apt-get update -q
chroot "$root" apt-get install -y -q --no-install-recommends "$@" || {
	chroot "$root" apt-get update -q
	chroot "$root" apt-get install -y -q --no-install-recommends "$@"
}
chroot "$root" apt-get clean`
		args := append([]string{"--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh", dir}, r.Packages...)
		if err := run(ctx, log, "unshare", args...); err != nil {
			return err
		}
	}
	for _, b := range r.Build {
		args := append(slices.Clone(b.Args[1:]), dir)
		if err := run(ctx, log, b.Args[0], args...); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, completeMarker), []byte(r.describe()), 0o644)
}

// debootstrapScripts is where Debian's debootstrap keeps its suite scripts.
const debootstrapScripts = "/usr/share/debootstrap/scripts"

// debootstrapMirror returns the mirror debootstrap uses when given none
// (its DEF_MIRROR), read from the installed debootstrap itself.
func debootstrapMirror() (string, error) {
	path, err := exec.LookPath("debootstrap")
	if err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("harness: reading debootstrap: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "DEF_MIRROR="); ok {
			if m := strings.Trim(v, `"'`); m != "" {
				return m, nil
			}
		}
	}
	return "", fmt.Errorf("harness: no DEF_MIRROR in %s", path)
}

// run runs a host command, sending its output to log; the error carries
// the output's tail.
func run(ctx context.Context, log io.Writer, name string, args ...string) error {
	var tail bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout = io.MultiWriter(log, &tail)
	cmd.Stderr = cmd.Stdout
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if err := cmd.Run(); err != nil {
		out := tail.String()
		if len(out) > 2000 {
			out = out[len(out)-2000:]
		}
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}
