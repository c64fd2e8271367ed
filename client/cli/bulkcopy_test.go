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

// TestBulkCopiesReadLarge: io.Copy into a bulkWriter (what x/crypto's
// Session does with Stdout) and bulkCopy (standard input to the channel)
// read with a bulkCopySize buffer and copy every byte.
func TestBulkCopiesReadLarge(t *testing.T) {
	copies := map[string]func(dst io.Writer, src io.Reader) (int64, error){
		"bulkWriter": func(dst io.Writer, src io.Reader) (int64, error) { return io.Copy(bulkWriter{dst}, src) },
		"bulkCopy":   bulkCopy,
	}
	for name, copyFn := range copies {
		data := bytes.Repeat([]byte("0123456789abcdef"), 100000)
		src := &sizeRecorder{r: bytes.NewReader(data)}
		var dst bytes.Buffer
		n, err := copyFn(&dst, src)
		if err != nil || n != int64(len(data)) || !bytes.Equal(dst.Bytes(), data) {
			t.Fatalf("%s: copied %d of %d bytes, %v", name, n, len(data), err)
		}
		for _, s := range src.sizes {
			if s != bulkCopySize {
				t.Fatalf("%s: read with a %d-byte buffer, want %d", name, s, bulkCopySize)
			}
		}
	}
}
