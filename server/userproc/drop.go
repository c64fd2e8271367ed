package userproc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// credentialArg encodes cred for the helper's command line as
// "uid:gid:g1,g2,…"; parseCredentialArg is its inverse.
func credentialArg(cred *Credential) string {
	groups := make([]string, len(cred.Groups))
	for i, g := range cred.Groups {
		groups[i] = strconv.FormatUint(uint64(g), 10)
	}
	return fmt.Sprintf("%d:%d:%s", cred.UID, cred.GID, strings.Join(groups, ","))
}

func parseCredentialArg(s string) (*Credential, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("credential %q: want uid:gid:groups", s)
	}
	id := func(v string) (uint32, error) {
		n, err := strconv.ParseUint(v, 10, 32)
		return uint32(n), err
	}
	uid, err := id(parts[0])
	if err != nil {
		return nil, fmt.Errorf("credential uid: %w", err)
	}
	gid, err := id(parts[1])
	if err != nil {
		return nil, fmt.Errorf("credential gid: %w", err)
	}
	cred := &Credential{UID: uid, GID: gid}
	if parts[2] != "" {
		for _, g := range strings.Split(parts[2], ",") {
			n, err := id(g)
			if err != nil {
				return nil, fmt.Errorf("credential group: %w", err)
			}
			cred.Groups = append(cred.Groups, n)
		}
	}
	return cred, nil
}

// dropPrivileges makes the helper, started as root, run as cred for good
// (for root itself it only sets the groups):
// supplementary groups, then real, effective and saved gid and uid (Go
// applies each to every thread of the process), and checks that none of
// the root identity is left.
//
// Dropping here rather than at exec is what keeps the user from
// debugging the helper. A process exec'd directly with the user's
// credentials is an ordinary process of the user's: they may ptrace it
// and take its descriptors (pidfd_getfd), and so answer the daemon in its
// place. When a process's effective uid changes, the kernel instead resets
// its "dumpable" flag to fs.suid_dumpable (0 unless an administrator
// changed it), and a process that is not dumpable cannot be ptraced by,
// and has its /proc entries owned by root rather than, its user.
// PR_SET_DUMPABLE is also cleared explicitly, for machines where
// fs.suid_dumpable is not 0. OpenSSH's privilege-separated children drop
// privileges the same way.
func dropPrivileges(cred *Credential) error {
	setDumpable(false)
	groups := make([]int, len(cred.Groups))
	for i, g := range cred.Groups {
		groups[i] = int(g)
	}
	if err := syscall.Setgroups(groups); err != nil {
		return fmt.Errorf("setgroups: %w", err)
	}
	if err := syscall.Setresgid(int(cred.GID), int(cred.GID), int(cred.GID)); err != nil {
		return fmt.Errorf("setresgid %d: %w", cred.GID, err)
	}
	if err := syscall.Setresuid(int(cred.UID), int(cred.UID), int(cred.UID)); err != nil {
		return fmt.Errorf("setresuid %d: %w", cred.UID, err)
	}
	setDumpable(false)
	// Regaining root must be impossible now (unless the user is root).
	if err := syscall.Setresuid(0, 0, 0); err == nil && cred.UID != 0 {
		return errors.New("privileges were not dropped: setresuid(0) succeeded")
	}
	var r, e, s uint32
	if _, _, errno := syscall.RawSyscall(syscall.SYS_GETRESUID, uintptr(unsafe.Pointer(&r)), uintptr(unsafe.Pointer(&e)), uintptr(unsafe.Pointer(&s))); errno != 0 {
		return fmt.Errorf("getresuid: %w", errno)
	}
	if r != cred.UID || e != cred.UID || s != cred.UID {
		return fmt.Errorf("uids are %d/%d/%d after dropping to %d", r, e, s, cred.UID)
	}
	if _, _, errno := syscall.RawSyscall(syscall.SYS_GETRESGID, uintptr(unsafe.Pointer(&r)), uintptr(unsafe.Pointer(&e)), uintptr(unsafe.Pointer(&s))); errno != 0 {
		return fmt.Errorf("getresgid: %w", errno)
	}
	if r != cred.GID || e != cred.GID || s != cred.GID {
		return fmt.Errorf("gids are %d/%d/%d after dropping to %d", r, e, s, cred.GID)
	}
	return nil
}

func setDumpable(on bool) {
	v := uintptr(0)
	if on {
		v = 1
	}
	syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_DUMPABLE, v, 0)
}
