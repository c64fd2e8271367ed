package kexsandbox

import (
	"fmt"
	"os"
)

// ConfineProcess drops the calling process into the sandbox its helper
// gets: run as root, it chroots to the empty ChrootDir and becomes the
// privilege-separation user (sshd, else nobody) with no supplementary
// groups, on every thread. Not root, it changes nothing. pqsshd's
// per-connection network process calls it before it reads the client's
// first byte.
func ConfineProcess() (uid int, err error) {
	if os.Geteuid() != 0 {
		return os.Geteuid(), nil
	}
	uid, gid, err := privsepAccount()
	if err != nil {
		return 0, fmt.Errorf("sandbox: %w", err)
	}
	if err := prepareChroot(ChrootDir); err != nil {
		return 0, fmt.Errorf("sandbox: %w", err)
	}
	if err := confine(uid, gid, ChrootDir); err != nil {
		return 0, fmt.Errorf("sandbox: %w", err)
	}
	return uid, nil
}
