package sshconf

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseYesNo parses sshd_config's flag values: yes or no, in any case.
func ParseYesNo(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, fmt.Errorf("expected yes or no, not %q", s)
}

// ParseFlag parses ssh_config's flag values (readconf.c multistate_flag):
// yes or true, no or false, in any case.
func ParseFlag(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "yes", "true":
		return true, nil
	case "no", "false":
		return false, nil
	}
	return false, fmt.Errorf("unsupported option %q (want yes or no)", s)
}

// ParseTime parses a time interval as OpenSSH's convtime
// (sshd_config(5), TIME FORMATS): a number of seconds, or a sequence of
// numbers each followed by s, m, h, d or w (either case), a final number
// without unit being seconds, such as "1h30m" or "90". The total must fit
// in a C int of seconds.
func ParseTime(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("invalid time %q", s)
	}
	total := int64(0)
	for rest := s; rest != ""; {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("invalid time %q", s)
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || n > math.MaxInt32 {
			return 0, fmt.Errorf("invalid time %q", s)
		}
		mult := int64(1)
		if i < len(rest) {
			switch rest[i] {
			case 's', 'S':
			case 'm', 'M':
				mult = 60
			case 'h', 'H':
				mult = 60 * 60
			case 'd', 'D':
				mult = 24 * 60 * 60
			case 'w', 'W':
				mult = 7 * 24 * 60 * 60
			default:
				return 0, fmt.Errorf("invalid time %q", s)
			}
			i++
		}
		total += n * mult
		if total > math.MaxInt32 {
			return 0, fmt.Errorf("time %q is too long", s)
		}
		rest = rest[i:]
	}
	return time.Duration(total) * time.Second, nil
}

// ParseSize parses a byte count with an optional K, M or G suffix (powers
// of 1024, either case), as RekeyLimit takes it; the result is at least 16
// bytes, the smallest limit OpenSSH allows.
func ParseSize(s string) (uint64, error) {
	v, mult := s, uint64(1)
	if v != "" {
		switch v[len(v)-1] {
		case 'k', 'K':
			mult = 1 << 10
		case 'm', 'M':
			mult = 1 << 20
		case 'g', 'G':
			mult = 1 << 30
		}
		if mult != 1 {
			v = v[:len(v)-1]
		}
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > (1<<63)/mult || n*mult < 16 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}
