package sandbox

import (
	"fmt"
	"os"
)

// Options say how Enter confines the process.
type Options struct {
	// Chroot is the directory the process is chrooted to when it changes
	// user (ChrootDir).
	Chroot string
	// UID and GID are the user the process becomes with no supplementary
	// groups; UID <= 0 keeps the current user (a daemon that is not root).
	UID, GID int
}

// PrivsepOptions returns, in a parent about to start a confined child,
// what the child should pass to Enter: as root, the privilege-separation
// account (PrivsepAccount) and ChrootDir, which it prepares
// (PrepareChroot); otherwise nothing to change.
func PrivsepOptions() (Options, error) {
	if os.Geteuid() != 0 {
		return Options{UID: -1, GID: -1}, nil
	}
	uid, gid, err := PrivsepAccount()
	if err != nil {
		return Options{}, err
	}
	if err := PrepareChroot(ChrootDir); err != nil {
		return Options{}, err
	}
	return Options{Chroot: ChrootDir, UID: uid, GID: gid}, nil
}

// Enter confines the calling process, before it reads a byte from its
// peer: Confine (chroot and user, when o.UID > 0), then Seccomp on every
// thread. No-new-privileges and Landlock come from the parent
// (StartConfined); Seccomp sets no-new-privileges again in any case.
func Enter(o Options) error {
	if err := Confine(o.UID, o.GID, o.Chroot); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if err := Seccomp(); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}
