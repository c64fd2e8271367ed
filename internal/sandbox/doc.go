// Package sandbox holds the pieces pqsshd uses to confine a process that
// handles a client's bytes without needing privileges: the kex helper
// (server/kexsandbox) and an unprivileged network process.
//
// The pieces, in the order a confined process gets them:
//
//   - StartConfined, in the parent: a locked OS thread sets
//     PR_SET_NO_NEW_PRIVS and a Landlock domain (LandlockRestrict) and
//     starts the child from that thread, so that every thread of the child
//     has both (Landlock applies to the calling thread only; a Go process
//     cannot give it to its other threads after the fact).
//   - Enter, in the child before it reads a byte from its peer: as root,
//     chroot to an empty directory (ChrootDir) and become the
//     privilege-separation user (PrivsepAccount) with no supplementary
//     groups (Confine); then install the seccomp filter on every thread
//     (Seccomp).
//
// A process that is not root cannot chroot or change user; it keeps no new
// privileges, Landlock and the seccomp filter.
package sandbox
