// Package loginrec writes the login records of terminal sessions that
// who(1), last(1) and lastlog(8) read: utmp (the sessions open now), wtmp
// (the history of logins and logouts) and lastlog (each user's last
// login), in glibc's binary layouts for x86-64 and arm64 (struct utmp of
// <bits/utmp.h>, 384 bytes; struct lastlog, 292 bytes), without cgo. As
// sshd's loginrec.c, a login writes utmp, wtmp and lastlog; a logout marks
// the utmp entry dead and appends a logout record to wtmp.
package loginrec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Files are the record files; the zero value means glibc's paths.
type Files struct {
	Utmp, Wtmp, Lastlog string
	// WtmpDB: the caller also records in the system's wtmpdb database
	// (package server/wtmpdb; this package does not write it).
	WtmpDB bool
}

// DefaultFiles are _PATH_UTMP, _PATH_WTMP and _PATH_LASTLOG, and the
// system's wtmpdb.
var DefaultFiles = Files{Utmp: "/var/run/utmp", Wtmp: "/var/log/wtmp", Lastlog: "/var/log/lastlog", WtmpDB: true}

// Supported reports whether this architecture has the layout written
// here; elsewhere Login and Logout write nothing.
const Supported = runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64"

// Record describes one terminal session.
type Record struct {
	User string
	UID  int
	PID  int
	Line string // the terminal, "/dev/pts/3" or "pts/3"
	Host string // the client's address
	Time time.Time
}

// Layout of glibc's struct utmp (x86-64 and arm64: 32-bit ut_tv).
const (
	utmpSize    = 384
	offType     = 0
	offPID      = 4
	offLine     = 8
	offID       = 40
	offUser     = 44
	offHost     = 76
	offSession  = 336
	offTvSec    = 340
	offTvUsec   = 344
	offAddr     = 348
	lineLen     = 32
	idLen       = 4
	userLen     = 32
	hostLen     = 256
	lastlogSize = 292 // int32 ll_time, char ll_line[32], char ll_host[256]

	typeUser  = 7 // USER_PROCESS
	typeDead  = 8 // DEAD_PROCESS
	typeInit  = 5 // INIT_PROCESS
	typeLogin = 6 // LOGIN_PROCESS
)

// line is the terminal without "/dev/" (ut_line); id its last four bytes
// (ut_id, as sshd's line_abbrevname).
func line(r Record) (string, string) {
	l := strings.TrimPrefix(r.Line, "/dev/")
	id := l
	if len(id) > idLen {
		id = id[len(id)-idLen:]
	}
	return l, id
}

// marshal lays out r as a struct utmp of type typ.
func marshal(r Record, typ int16) []byte {
	b := make([]byte, utmpSize)
	le := binary.LittleEndian
	le.PutUint16(b[offType:], uint16(typ))
	le.PutUint32(b[offPID:], uint32(int32(r.PID)))
	l, id := line(r)
	copy(b[offLine:offLine+lineLen], l)
	copy(b[offID:offID+idLen], id)
	if typ == typeUser {
		copy(b[offUser:offUser+userLen], r.User)
		copy(b[offHost:offHost+hostLen], r.Host)
		if a, err := netip.ParseAddr(r.Host); err == nil {
			a16 := a.Unmap()
			if a16.Is4() {
				v := a16.As4()
				copy(b[offAddr:], v[:])
			} else {
				v := a16.As16()
				copy(b[offAddr:], v[:])
			}
		}
	}
	le.PutUint32(b[offSession:], uint32(int32(r.PID)))
	le.PutUint32(b[offTvSec:], uint32(int32(r.Time.Unix())))
	le.PutUint32(b[offTvUsec:], uint32(int32(r.Time.Nanosecond()/1000)))
	return b
}

// Login writes r's login: the utmp entry, a wtmp record and the user's
// lastlog entry. A missing file is skipped (as glibc and sshd skip it);
// the errors of the others are joined.
func (f Files) Login(r Record) error {
	if !Supported {
		return nil
	}
	b := marshal(r, typeUser)
	return errors.Join(f.putUtmp(b), appendFile(f.Wtmp, b), f.putLastlog(r))
}

// Logout marks r's utmp entry dead and appends a logout record to wtmp.
func (f Files) Logout(r Record) error {
	if !Supported {
		return nil
	}
	b := marshal(r, typeDead)
	return errors.Join(f.putUtmp(b), appendFile(f.Wtmp, b))
}

func skip(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// lockFile takes glibc's write lock on a record file.
func lockFile(fd *os.File, typ int16) error {
	lk := syscall.Flock_t{Type: typ, Whence: io.SeekStart}
	for {
		err := syscall.FcntlFlock(fd.Fd(), syscall.F_SETLKW, &lk)
		if err != syscall.EINTR {
			return err
		}
	}
}

// putUtmp writes b over the utmp entry with the same ut_id (glibc's
// pututline), or over the first unused one, or at the end.
func (f Files) putUtmp(b []byte) error {
	fd, err := os.OpenFile(f.Utmp, os.O_RDWR, 0)
	if err != nil {
		if skip(err) {
			return nil
		}
		return fmt.Errorf("utmp: %w", err)
	}
	defer fd.Close()
	if err := lockFile(fd, syscall.F_WRLCK); err != nil {
		return fmt.Errorf("utmp: lock: %w", err)
	}
	defer lockFile(fd, syscall.F_UNLCK)
	id := b[offID : offID+idLen]
	ent := make([]byte, utmpSize)
	var off, free int64 = 0, -1
	for ; ; off += utmpSize {
		n, err := fd.ReadAt(ent, off)
		if n < utmpSize {
			if err != nil && err != io.EOF {
				return fmt.Errorf("utmp: %w", err)
			}
			break
		}
		typ := binary.LittleEndian.Uint16(ent[offType:])
		switch typ {
		case typeInit, typeLogin, typeUser, typeDead:
			if string(ent[offID:offID+idLen]) == string(id) {
				_, err := fd.WriteAt(b, off)
				return wrap("utmp", err)
			}
		case 0: // EMPTY
			if free < 0 {
				free = off
			}
		}
	}
	if free >= 0 {
		off = free
	}
	_, err = fd.WriteAt(b, off)
	return wrap("utmp", err)
}

func appendFile(path string, b []byte) error {
	fd, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		if skip(err) {
			return nil
		}
		return fmt.Errorf("wtmp: %w", err)
	}
	defer fd.Close()
	if err := lockFile(fd, syscall.F_WRLCK); err != nil {
		return fmt.Errorf("wtmp: lock: %w", err)
	}
	defer lockFile(fd, syscall.F_UNLCK)
	_, err = fd.Write(b)
	return wrap("wtmp", err)
}

// putLastlog writes the user's lastlog entry at uid × 292.
func (f Files) putLastlog(r Record) error {
	if r.UID < 0 {
		return nil
	}
	fd, err := os.OpenFile(f.Lastlog, os.O_WRONLY, 0)
	if err != nil {
		if skip(err) {
			return nil
		}
		return fmt.Errorf("lastlog: %w", err)
	}
	defer fd.Close()
	b := make([]byte, lastlogSize)
	binary.LittleEndian.PutUint32(b, uint32(int32(r.Time.Unix())))
	l, _ := line(r)
	copy(b[4:4+lineLen], l)
	copy(b[4+lineLen:], r.Host)
	_, err = fd.WriteAt(b, int64(r.UID)*lastlogSize)
	return wrap("lastlog", err)
}

func wrap(what string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Entry is one utmp or wtmp record as read back.
type Entry struct {
	Type int
	PID  int
	Line string
	User string
	Host string
	Time time.Time
}

// Read parses a utmp or wtmp file.
func Read(path string) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for ; len(data) >= utmpSize; data = data[utmpSize:] {
		b := data[:utmpSize]
		le := binary.LittleEndian
		out = append(out, Entry{
			Type: int(int16(le.Uint16(b[offType:]))),
			PID:  int(int32(le.Uint32(b[offPID:]))),
			Line: cstr(b[offLine : offLine+lineLen]),
			User: cstr(b[offUser : offUser+userLen]),
			Host: cstr(b[offHost : offHost+hostLen]),
			Time: time.Unix(int64(int32(le.Uint32(b[offTvSec:]))), 0),
		})
	}
	return out, nil
}

func cstr(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		return string(b[:i])
	}
	return string(b)
}
