// Package wtmpdb writes login records to wtmpdb, the login database that
// replaces wtmp on Debian 13 and later (`last` reads it): through
// libwtmpdb.so.0, loaded at run time, as Debian's sshd links it. Debian's
// PAM configuration leaves sshd's logins out of pam_wtmpdb
// (`skip_if=sshd`) because sshd records its terminal sessions itself;
// pqsshd does the same with this package.
//
// It needs cgo; a build without cgo, or a system without libwtmpdb
// (Debian 12), has nothing to write to: Login fails with ErrUnavailable.
package wtmpdb

import "errors"

// ErrUnavailable is the error of a build without cgo or a system without
// libwtmpdb.so.0.
var ErrUnavailable = errors.New("wtmpdb: libwtmpdb.so.0 is not available")
