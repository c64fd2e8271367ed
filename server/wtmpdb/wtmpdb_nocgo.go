//go:build !cgo || !linux

package wtmpdb

import "time"

// Login fails with ErrUnavailable: a build without cgo cannot load
// libwtmpdb.
func Login(user string, t time.Time, line, host string) (int64, error) {
	return 0, ErrUnavailable
}

// Logout fails with ErrUnavailable.
func Logout(id int64, t time.Time) error { return ErrUnavailable }
