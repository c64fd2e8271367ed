//go:build linux

package benchcpu

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// processCPU returns the user+system CPU time of the process in
// nanoseconds, or -1 if unknown.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// threadCPU returns the CPU time of the calling thread in nanoseconds, or
// -1 if unknown.
func threadCPU() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return -1
	}
	return ts.Nano()
}
