//go:build linux

package mctiny

import "golang.org/x/sys/unix"

// threadCPU returns the CPU time the calling OS thread has used, in
// nanoseconds; the caller locks its goroutine to the thread. CPU time,
// unlike wall time, does not count the time other processes held the core.
func threadCPU() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic("mctiny: CLOCK_THREAD_CPUTIME_ID: " + err.Error())
	}
	return ts.Nano()
}

// cpuClock names what threadCPU measures.
const cpuClock = "thread CPU time"
