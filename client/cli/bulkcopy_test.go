package cli

import (
	"bytes"
	"io"
	"testing"
)

// sizeRecorder is a reader that records the buffer sizes it is given.
type sizeRecorder struct {
	r     io.Reader
	sizes []int
}

func (s *sizeRecorder) Read(p []byte) (int, error) {
	s.sizes = append(s.sizes, len(p))
	return s.r.Read(p)
}

// TestBulkWriterReadsLarge: io.Copy into a bulkWriter (what x/crypto's
// Session does with Stdout) reads with a bulkCopySize buffer and copies
// every byte.
func TestBulkWriterReadsLarge(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 100000)
	src := &sizeRecorder{r: bytes.NewReader(data)}
	var dst bytes.Buffer
	n, err := io.Copy(bulkWriter{&dst}, src)
	if err != nil || n != int64(len(data)) || !bytes.Equal(dst.Bytes(), data) {
		t.Fatalf("copied %d of %d bytes, %v", n, len(data), err)
	}
	for _, s := range src.sizes {
		if s != bulkCopySize {
			t.Fatalf("read with a %d-byte buffer, want %d", s, bulkCopySize)
		}
	}
}

// TestBulkCopyReadsLarge: standard input is copied to the channel with a
// bulkCopySize buffer (writes large enough for 256 KiB packets), every
// byte of it.
func TestBulkCopyReadsLarge(t *testing.T) {
	data := bytes.Repeat([]byte("fedcba9876543210"), 100000)
	src := &sizeRecorder{r: bytes.NewReader(data)}
	var dst bytes.Buffer
	n, err := bulkCopy(&dst, src)
	if err != nil || n != int64(len(data)) || !bytes.Equal(dst.Bytes(), data) {
		t.Fatalf("copied %d of %d bytes, %v", n, len(data), err)
	}
	for _, s := range src.sizes {
		if s != bulkCopySize {
			t.Fatalf("read with a %d-byte buffer, want %d", s, bulkCopySize)
		}
	}
}
