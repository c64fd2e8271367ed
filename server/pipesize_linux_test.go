//go:build linux

package server

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestGrowPipe: a command's output pipe is enlarged to outputPipeSize
// (when the system's fs.pipe-max-size allows it), and what is not a pipe
// file is left alone.
func TestGrowPipe(t *testing.T) {
	b, err := os.ReadFile("/proc/sys/fs/pipe-max-size")
	if err != nil {
		t.Fatalf("reading fs.pipe-max-size: %v", err)
	}
	max, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("fs.pipe-max-size %q: %v", b, err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	size := func() int {
		n, err := unix.FcntlInt(w.Fd(), unix.F_GETPIPE_SZ, 0)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := size()
	growPipe(r)
	if max < outputPipeSize {
		if size() != before {
			t.Fatalf("fs.pipe-max-size %d: pipe changed from %d to %d", max, before, size())
		}
		t.Logf("fs.pipe-max-size %d is below %d: the pipe keeps %d bytes", max, outputPipeSize, before)
		return
	}
	if got := size(); got != outputPipeSize {
		t.Fatalf("pipe size %d after growPipe, want %d (was %d)", got, outputPipeSize, before)
	}
	growPipe(nil) // not a file: nothing to do, no panic
}
