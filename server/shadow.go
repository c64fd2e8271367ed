package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
)

// shadowEntry is one line of shadow(5) as getspnam(3) reports it. The day
// counts are days since 1970-01-01 (UTC); an empty field is -1, which
// means "no limit" or "disabled".
type shadowEntry struct {
	Name       string
	Password   string // the hash, or "!…" when locked with usermod -L / passwd -l
	LastChange int64  // sp_lstchg; 0 forces a password change
	Min        int64  // sp_min
	Max        int64  // sp_max
	Warn       int64  // sp_warn
	Inactive   int64  // sp_inact
	Expire     int64  // sp_expire: the account expires after this day
}

// maxShadowSize bounds how much of the shadow file is read.
const maxShadowSize = 16 << 20

// lockedPasswordPrefix marks a locked account in the password field
// (OpenSSH's LOCKED_PASSWD_PREFIX on Linux; usermod -L and passwd -l
// prepend it).
const lockedPasswordPrefix = "!"

// secondsPerDay turns a Unix time into shadow(5)'s day numbers.
const secondsPerDay = 24 * 60 * 60

// parseShadowLine parses one shadow(5) line as glibc's sgetspent(3) does,
// so that pqsshd sees the entry sshd's getspnam(3) would: the name, the
// password, then the day counts lstchg, min, max and, in the current format,
// warn, inact, expire and a reserved flag. An empty number field is -1. A
// line that ends after max (the old format) has no warn, inact or expire.
// A line that glibc would reject (fewer fields, a number followed by
// anything but the next colon) is an error; getspnam(3) skips such lines.
func parseShadowLine(line string) (shadowEntry, error) {
	f := strings.Split(line, ":")
	if len(f) < 5 {
		return shadowEntry{}, fmt.Errorf("shadow: %d fields, want at least 5", len(f))
	}
	e := shadowEntry{Name: f[0], Password: f[1], LastChange: -1, Min: -1, Max: -1, Warn: -1, Inactive: -1, Expire: -1}
	// glibc wants more input at the start of every field up to expire: an
	// empty field is -1 only when its colon follows.
	required := func(i int) (int64, error) {
		if i == len(f)-1 && f[i] == "" {
			return 0, errors.New("line ends where a number is expected")
		}
		return shadowNumber(f[i])
	}
	for i, p := range []*int64{&e.LastChange, &e.Min, &e.Max} {
		n, err := required(2 + i)
		if err != nil {
			return shadowEntry{}, fmt.Errorf("shadow: field %d: %w", 3+i, err)
		}
		*p = n
	}
	rest := f[5:]
	if len(rest) == 0 || len(rest) == 1 && strings.TrimLeft(rest[0], shadowSpace) == "" {
		return e, nil // the old format
	}
	if len(rest) < 3 {
		return shadowEntry{}, fmt.Errorf("shadow: %d fields, want 5 or at least 8", len(f))
	}
	for i, p := range []*int64{&e.Warn, &e.Inactive, &e.Expire} {
		n, err := required(5 + i)
		if err != nil {
			return shadowEntry{}, fmt.Errorf("shadow: field %d: %w", 6+i, err)
		}
		*p = n
	}
	if len(rest) > 4 {
		return shadowEntry{}, fmt.Errorf("shadow: %d fields, want at most 9", len(f))
	}
	if len(rest) == 4 {
		if _, err := shadowNumber(rest[3]); err != nil {
			return shadowEntry{}, fmt.Errorf("shadow: field 9: %w", err)
		}
	}
	return e, nil
}

// shadowSpace is what strtoul(3) skips before a number (isspace in the C
// locale).
const shadowSpace = " \t\n\v\f\r"

// shadowNumber converts one number field as glibc does: empty is -1;
// otherwise strtoul(3) (leading space, an optional sign that negates modulo
// 2^64, decimal digits, saturating at the maximum), clamped to 32 bits and
// read as a signed int, so "-1", "-5" and "4294967295" are all -1 and
// "4294967294" is -2. A field without digits or with anything after them
// is invalid.
func shadowNumber(field string) (int64, error) {
	s := strings.TrimLeft(field, shadowSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	if digits == 0 {
		if field == "" {
			return -1, nil
		}
		return 0, fmt.Errorf("not a number: %q", field)
	}
	if digits != len(s) {
		return 0, fmt.Errorf("trailing characters in %q", field)
	}
	var v uint64
	for _, c := range s {
		d := uint64(c - '0')
		if v > (^uint64(0)-d)/10 {
			v = ^uint64(0) // ERANGE: strtoul returns ULONG_MAX
			neg = false
			break
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	v = min(v, 0xffffffff)
	return int64(int32(uint32(v))), nil
}

// findShadow returns the first valid entry for name in r, or nil if there
// is none. Lines that do not parse are skipped, as getspnam(3) skips them.
func findShadow(r io.Reader, name string) (*shadowEntry, error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxShadowSize))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		// glibc's files database skips leading white space, then empty
		// and comment lines: " bob:!:…" is bob's (locked) entry for
		// getspnam(3), so it must be for pqsshd too.
		line := strings.TrimLeft(sc.Text(), shadowSpace)
		if line == "" || line[0] == '#' || !strings.HasPrefix(line, name+":") {
			continue
		}
		e, err := parseShadowLine(line)
		if err != nil {
			continue
		}
		return &e, nil
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading shadow entries: %w", err)
	}
	return nil, nil
}

// lookupShadow reads name's entry from the shadow file at path. A missing
// or unreadable file (pqsshd not running as root) is no entry, as
// getspnam(3) failing is for sshd.
func lookupShadow(path, name string) (*shadowEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			return nil, nil
		}
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	e, err := findShadow(f, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return e, nil
}

// today is the current day number of shadow(5).
func today(now time.Time) int64 { return now.Unix() / secondsPerDay }

// accountExpired is OpenSSH's auth_shadow_acctexpired: the account expires
// after day Expire; -1 disables expiry. It returns the days left too, for
// the warning sshd gives within Warn days of the end.
func (e *shadowEntry) accountExpired(now time.Time) (expired bool, daysLeft int64) {
	if e.Expire == -1 {
		return false, -1
	}
	daysLeft = e.Expire - today(now)
	return daysLeft < 0, daysLeft
}

// accountRefusal is why OpenSSH's allowed_user (UsePAM no; with PAM the
// account stack decides) refuses an account, with the lines sshd logs for
// it.
type accountRefusal struct {
	logLines []string
}

func (r *accountRefusal) Error() string { return strings.Join(r.logLines, "; ") }

// checkAccountUsable applies sshd's platform_locked_account for UsePAM no:
// an expired account ("Account %s has expired", then refused as locked), or
// a password field (from the shadow entry, else from /etc/passwd) that
// starts with "!" refuses the login whatever the authentication method.
// Password ageing does not: sshd checks it only for password
// authentication, which pqsshd offers only through PAM. It returns a warning for
// the user when the account expires within the shadow entry's warning
// period, as sshd adds to its login message.
func checkAccountUsable(name, passwdField string, sp *shadowEntry, now time.Time) (warning string, err error) {
	passwd := passwdField
	var lines []string
	if sp != nil {
		expired, left := sp.accountExpired(now)
		if expired {
			lines = append(lines, fmt.Sprintf("Account %.100s has expired", logSafe(sp.Name)))
			lines = append(lines, fmt.Sprintf("User %.100s not allowed because account is locked", logSafe(name)))
			return "", &accountRefusal{logLines: lines}
		}
		if left >= 0 && left <= sp.Warn {
			plural := "s"
			if left == 1 {
				plural = ""
			}
			warning = fmt.Sprintf("Your account will expire in %d day%s.\n", left, plural)
		}
		passwd = sp.Password
	}
	if passwd != "" && strings.HasPrefix(passwd, lockedPasswordPrefix) {
		lines = append(lines, fmt.Sprintf("User %.100s not allowed because account is locked", logSafe(name)))
		return "", &accountRefusal{logLines: lines}
	}
	return warning, nil
}
