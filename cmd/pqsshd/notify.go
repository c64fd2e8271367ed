package main

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// notifySocket is $NOTIFY_SOCKET as pqsshd found it (systemd's
// Type=notify, sd_notify(3)); the variable is removed from the
// environment so that nothing pqsshd starts inherits it.
var notifySocket string

// takeNotifySocket reads and removes NOTIFY_SOCKET.
func takeNotifySocket() {
	notifySocket = os.Getenv("NOTIFY_SOCKET")
	os.Unsetenv("NOTIFY_SOCKET")
}

// sdNotify sends a state ("READY=1", "RELOADING=1", "STOPPING=1", with
// further assignments on following lines) to the service manager, as
// sd_notify(3) does: one datagram to the AF_UNIX socket named by
// NOTIFY_SOCKET (a leading '@' names an abstract socket, which the net
// package handles). Without NOTIFY_SOCKET it does nothing.
func sdNotify(state string) error {
	if notifySocket == "" {
		return nil
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: notifySocket, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd_notify %s: %w", notifySocket, err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify %s: %w", notifySocket, err)
	}
	return nil
}

// monotonicUsec is CLOCK_MONOTONIC in microseconds, for RELOADING=1's
// MONOTONIC_USEC.
func monotonicUsec() string {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) != nil {
		return "0"
	}
	return strconv.FormatInt(ts.Nano()/1000, 10)
}
