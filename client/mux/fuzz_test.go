package mux

import (
	"bytes"
	"testing"
)

// FuzzMessages feeds arbitrary bytes to every parser of control-socket
// input: nothing panics and nothing is allocated beyond the input.
func FuzzMessages(f *testing.F) {
	f.Add(hello())
	f.Add(newMsg(msgNewSession).u32(1).str("").bool(true).bool(false).bool(false).bool(false).u32(noEscape).str("xterm").str("ls").str("A=b").b)
	f.Add(newMsg(msgOpenFwd).u32(1).u32(fwdLocal).str("").u32(80).str("h").u32(22).b)
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		parseHello(b)
		p := &parser{b: b}
		p.u32()
		p.u32()
		if r, err := parseSession(p, func(string) bool { return true }); err == nil {
			if len(r.env) > maxEnv || len(r.command) > len(b) {
				t.Fatalf("parsed more than the input: %d env", len(r.env))
			}
		}
		var framed bytes.Buffer
		writePacket(&framed, b)
		if len(b) > 0 && len(b) <= maxPacket {
			got, err := readPacket(&framed)
			if err != nil || !bytes.Equal(got, b) {
				t.Fatalf("framing round trip: %v", err)
			}
		}
		readPacket(bytes.NewReader(b))
	})
}
