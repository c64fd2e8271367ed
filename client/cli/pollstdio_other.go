//go:build !unix

package cli

import "io"

// pollStdio leaves standard input and output as they are where there is
// no non-blocking mode to switch to (see pollstdio_unix.go).
func pollStdio(in io.Reader, out io.Writer) (io.Reader, io.Writer, func()) {
	return in, out, func() {}
}
