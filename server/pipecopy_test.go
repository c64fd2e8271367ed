package server

import (
	"bytes"
	"os"
	"testing"
)

// writeSizes records the length of every Write.
type writeSizes struct {
	buf   bytes.Buffer
	sizes []int
}

func (w *writeSizes) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	return w.buf.Write(p)
}

// TestPipeCopyLargeWrites: output a command has ready (here a file, which
// os.File would otherwise copy with a 32 KiB buffer through WriteTo) reaches
// the channel in writes of up to pipeBuffer bytes, which the channel sends
// as packets as large as the client accepts, and arrives intact.
func TestPipeCopyLargeWrites(t *testing.T) {
	data := make([]byte, 3*pipeBuffer+1000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	name := t.TempDir() + "/out"
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var w writeSizes
	n, err := pipeCopy(&w, f)
	if err != nil || n != int64(len(data)) {
		t.Fatalf("pipeCopy: %d, %v; want %d bytes", n, err, len(data))
	}
	if !bytes.Equal(w.buf.Bytes(), data) {
		t.Fatal("copied bytes differ")
	}
	if want := []int{pipeBuffer, pipeBuffer, pipeBuffer, 1000}; len(w.sizes) != len(want) || w.sizes[0] != pipeBuffer || w.sizes[3] != 1000 {
		t.Fatalf("writes %v, want %v", w.sizes, want)
	}
}
