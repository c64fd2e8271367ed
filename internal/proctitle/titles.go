package proctitle

import (
	"fmt"
	"strings"
)

// The titles below are OpenSSH 10's, with pqsshd's program names in front.

// Listener is the listener's title, as sshd's: its command line, then
// "[listener] N of START-FULL startups" (unauthenticated connections and
// MaxStartups' start and full), e.g.
// "pqsshd: /usr/sbin/pqsshd -D [listener] 0 of 10-100 startups".
func Listener(active, start, full int) {
	Set("%s [listener] %d of %d-%d startups", CommandLine(), active, start, full)
}

// Accepted is a connection's process before the client names a user
// (sshd-session's "[accepted]").
func Accepted() { Set("%s", "[accepted]") }

// Priv is the privileged (root) process of a connection once the client
// has named user: "alice [priv]", "unknown [priv]" for a user that does
// not exist (monitor.c).
func Priv(user string, valid bool) { Set("%s [priv]", validName(user, valid)) }

// Net is the unprivileged network process of a connection once the client
// has named user: "alice [net]", "unknown [net]" (auth2.c).
func Net(user string, valid bool) { Set("%s [net]", validName(user, valid)) }

// Sessions is the process serving user's sessions after authentication:
// "alice@pts/0", "alice@pts/0,pts/3" for several terminals, "alice@notty"
// when no session has a terminal (session.c's session_proctitle). ttys
// are device paths or names; "/dev/" is left out.
func Sessions(user string, ttys []string) {
	names := make([]string, 0, len(ttys))
	for _, t := range ttys {
		names = append(names, strings.TrimPrefix(t, "/dev/"))
	}
	list := strings.Join(names, ",")
	if list == "" {
		list = "notty"
	}
	Set("%s", fmt.Sprintf("%s@%s", user, list))
}

func validName(user string, valid bool) string {
	if !valid {
		return "unknown"
	}
	return user
}
