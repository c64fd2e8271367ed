// Package proctitle sets the title ps(1) shows for the process, as
// OpenSSH's setproctitle does on Linux: it overwrites the memory that holds
// the process's arguments (and, when it follows them, its environment), so
// that /proc/PID/cmdline reads "progname: title".
//
// Init must run first thing in main, before anything keeps a string that
// points into that memory: it copies os.Args (the Go runtime's argument
// strings share the memory; its environment strings do not) and sets every
// environment variable again so that the C library's environ (seen by cgo
// code such as PAM modules) no longer points there either. Set then writes
// titles; a title longer than the area is cut.
//
// The area is one per process, like os.Args, so the package keeps it in
// package state behind a mutex; Set before Init (or after a failed Init)
// does nothing.
//
// The titles pqsshd uses follow OpenSSH 10's (sshd.c, sshd-session.c,
// sshd-auth.c, monitor.c, session.c): see Listener, Priv, Net and Sessions.
package proctitle
