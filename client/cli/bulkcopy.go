package cli

import "io"

// bulkCopySize is the buffer for copying a channel's output to a local
// file. x/crypto's Session copies with io.Copy, whose 32 KiB buffer costs
// a read from the channel and a write(2) per SSH packet; with a larger
// buffer one read takes everything the channel has buffered (up to its
// 2 MiB window), so bulk output (scp, rsync, `cat file`) needs fewer
// system calls and window adjustments. docs/benchmarks.md has the effect.
const bulkCopySize = 256 << 10

// bulkWriter is an io.Writer whose ReadFrom copies with a bulkCopySize
// buffer; io.Copy into it (as x/crypto's Session does) uses that.
type bulkWriter struct{ w io.Writer }

func (b bulkWriter) Write(p []byte) (int, error) { return b.w.Write(p) }

// ReadFrom copies r to the underlying writer until EOF.
func (b bulkWriter) ReadFrom(r io.Reader) (int64, error) {
	// The anonymous struct hides the writer's own ReadFrom (os.File's
	// would fall back to a 32 KiB buffer for a reader that is not a file
	// or socket).
	return io.CopyBuffer(struct{ io.Writer }{b.w}, r, make([]byte, bulkCopySize))
}

// bulkCopy copies local input (standard input) to a channel with a
// bulkCopySize buffer: fewer read(2) calls, and writes large enough that
// the channel can send packets as large as the server accepts.
func bulkCopy(dst io.Writer, src io.Reader) (int64, error) {
	return io.CopyBuffer(struct{ io.Writer }{dst}, struct{ io.Reader }{src}, make([]byte, bulkCopySize))
}
