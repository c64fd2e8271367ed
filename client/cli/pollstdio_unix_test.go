//go:build unix

package cli

import (
	"bytes"
	"io"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func nonblocking(t *testing.T, f *os.File) bool {
	t.Helper()
	var fd int
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	rc.Control(func(d uintptr) { fd = int(d) })
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	return flags&unix.O_NONBLOCK != 0
}

// TestPollStdioPipes: pipes get pollable non-blocking duplicates that
// carry every byte past a reader slower than the pipe, and restore leaves
// the original descriptors blocking and usable.
func TestPollStdioPipes(t *testing.T) {
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer inR.Close()
	defer inW.Close()
	defer outR.Close()
	defer outW.Close()
	// os.Pipe's files start non-blocking; a shell's pipes are blocking.
	for _, f := range []*os.File{inR, outW} {
		f.Fd() // sets the descriptor blocking
	}

	r, w, restore := pollStdio(inR, outW)
	pr, ok := r.(*os.File)
	if !ok || pr == inR || !nonblocking(t, pr) {
		t.Fatalf("stdin pipe: got %T %v, want a non-blocking duplicate", r, r)
	}
	pw, ok := w.(*os.File)
	if !ok || pw == outW || !nonblocking(t, pw) {
		t.Fatalf("stdout pipe: got %T %v, want a non-blocking duplicate", w, w)
	}

	// More than a pipe holds, read back in small chunks.
	data := bytes.Repeat([]byte("0123456789abcdef"), 64<<10)
	done := make(chan error, 1)
	go func() {
		_, err := w.Write(data)
		done <- err
	}()
	got := make([]byte, 0, len(data))
	chunk := make([]byte, 512)
	for len(got) < len(data) {
		n, err := outR.Read(chunk)
		if err != nil {
			t.Fatalf("reading stdout after %d bytes: %v", len(got), err)
		}
		got = append(got, chunk[:n]...)
	}
	if err := <-done; err != nil {
		t.Fatalf("write through the pollable stdout: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("stdout bytes differ")
	}
	go func() {
		inW.Write([]byte("hello"))
	}()
	buf := make([]byte, 5)
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != "hello" {
		t.Fatalf("reading the pollable stdin: %q, %v", buf, err)
	}

	restore()
	if nonblocking(t, inR) || nonblocking(t, outW) {
		t.Fatal("restore left a descriptor non-blocking")
	}
	if _, err := outW.Write([]byte("after")); err != nil {
		t.Fatalf("stdout after restore: %v", err)
	}
	if _, err := pw.Write([]byte("x")); err == nil {
		t.Fatal("the duplicate is still open after restore")
	}
}

// TestPollStdioLeavesOthers: regular files, and a pipe that another
// standard descriptor shares (so that pqssh's own messages on it are
// never refused), are returned unchanged.
func TestPollStdioLeavesOthers(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sink bytes.Buffer
	r, w, restore := pollStdio(nil, f)
	defer restore()
	if r != nil || w != io.Writer(f) {
		t.Fatalf("regular file: got %v %v, want it unchanged", r, w)
	}
	if _, w, _ := pollStdio(nil, &sink); w != io.Writer(&sink) {
		t.Fatal("a non-file writer was replaced")
	}

	// A pipe that is also this process's standard error.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	saved, err := unix.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		unix.Dup2(saved, 2)
		unix.Close(saved)
	}()
	if err := unix.Dup2(int(pw.Fd()), 2); err != nil {
		t.Fatal(err)
	}
	_, w2, restore2 := pollStdio(nil, pw)
	defer restore2()
	if w2 != io.Writer(pw) || nonblocking(t, pw) {
		t.Fatal("a pipe shared with standard error was made non-blocking")
	}
}
