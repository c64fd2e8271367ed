package server

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"syscall"
)

// The network process's control socket (NetControlFD) is the monitor's,
// not the listener's: the monitor relays the key-exchange memory
// reservations and the LoginGraceTime report to the listener and nothing
// else. The listener believes what a session process says it is ("auth"
// gives back the MaxStartups slot and spares the source its
// PerSourcePenalties, "end" marks a normal end), which the network
// process, that parses hostile bytes, must not be able to say.

// newNetControl makes the control socket pair of a network process: the
// monitor's end and the network process's (its NetControlFD).
func newNetControl() (*net.UnixConn, *os.File, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("pqsshd monitor: control socketpair: %w", err)
	}
	mine := os.NewFile(uintptr(fds[0]), "privsep-monitor-control")
	theirs := os.NewFile(uintptr(fds[1]), "privsep-net-control")
	c, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		theirs.Close()
		return nil, nil, fmt.Errorf("pqsshd monitor: control socket: %w", err)
	}
	return c.(*net.UnixConn), theirs, nil
}

// serveNetControl relays the network process's control messages on c to
// the listener (link; nil when there is none: no room is granted) until
// c ends. A message other than a bounded reservation or the grace report
// is a protocol violation.
func serveNetControl(c *net.UnixConn, link *procLink) error {
	buf := make([]byte, maxProcMessage+1)
	largest := maxKexCost()
	for {
		n, err := c.Read(buf)
		if err != nil || n == 0 {
			return nil
		}
		if n > maxProcMessage {
			return fmt.Errorf("%w: control message of %d bytes", errPrivsepProtocol, n)
		}
		var m procReport
		if err := json.Unmarshal(buf[:n], &m); err != nil {
			return fmt.Errorf("%w: control message: %v", errPrivsepProtocol, err)
		}
		var answer *procReply
		switch m.Op {
		case opKexRoom, opKexReserve, opKexRelease:
			if m.N <= 0 || m.N > largest {
				return fmt.Errorf("%w: reservation of %d bytes", errPrivsepProtocol, m.N)
			}
			fwd := procReport{Op: m.Op, N: m.N}
			switch {
			case m.Op == opKexRelease:
				if link != nil {
					link.send(fwd)
				}
			case link == nil:
				answer = &procReply{ID: m.ID, Full: "UnauthenticatedKexMemory"}
			default:
				r, ok := link.call(fwd)
				switch {
				case !ok && m.Op == opKexRoom:
					r.Full = "UnauthenticatedKexMemory"
				case !ok:
					r.OK = false
				}
				answer = &procReply{ID: m.ID, Full: r.Full, OK: r.OK}
			}
		case opGrace:
			if link != nil {
				link.send(procReport{Op: opGrace})
			}
		default:
			return fmt.Errorf("%w: control message %q", errPrivsepProtocol, m.Op)
		}
		if answer != nil {
			b, _ := json.Marshal(answer)
			if _, err := c.Write(b); err != nil {
				return nil
			}
		}
	}
}
