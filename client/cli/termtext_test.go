package cli

import (
	"bufio"
	"encoding/binary"
	"net"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// osc52 is a terminal sequence that writes "evil" to the clipboard.
const osc52 = "\x1b]52;c;ZXZpbA==\x07"

// checkNoControls fails if out holds a control byte other than newline,
// tab, or a carriage return that ends a line.
func checkNoControls(t *testing.T, out string) {
	t.Helper()
	for i := 0; i < len(out); i++ {
		c := out[i]
		if c == '\r' && i+1 < len(out) && out[i+1] == '\n' {
			continue
		}
		if (c < ' ' && c != '\n' && c != '\t') || c == 0x7f {
			t.Fatalf("raw control byte %#x at %d in %q", c, i, out)
		}
	}
}

func TestServerBannerEscaped(t *testing.T) {
	t.Setenv("LC_ALL", "C.UTF-8")
	f := newFixture(t)
	f.srv.SetBanner("Welcome\x1b[2J\a " + osc52 + "\rPassword: caf\u00e9 \u009b\n")
	r := f.run(nil, "test", "true")
	if r.code != 0 {
		t.Fatal(r)
	}
	want := `Welcome\033[2J\007 \033]52;c;ZXZpbA==\007\015Password: caf` + "\u00e9" + ` \302\233` + "\n"
	if !strings.Contains(r.stderr, want) {
		t.Fatalf("banner not escaped as OpenSSH does:\n got %q\nwant %q", r.stderr, want)
	}
	checkNoControls(t, r.stderr)

	// Outside a UTF-8 locale, non-ASCII is escaped byte by byte.
	t.Setenv("LC_ALL", "C")
	r = f.run(nil, "test", "true")
	if want := `Password: caf\303\251 \302\233`; !strings.Contains(r.stderr, want) {
		t.Fatalf("banner in the C locale: got %q, want %q", r.stderr, want)
	}
}

// hostileServer accepts one connection, sends version, reads the client's
// version line and sends SSH_MSG_DISCONNECT with reason and msg in clear,
// as a server may before key exchange.
func hostileServer(t *testing.T, version string, reason uint32, msg string) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := c.Write([]byte(version + "\r\n")); err != nil {
			return
		}
		if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
			return
		}
		payload := ssh.Marshal(struct {
			Type     uint8
			Reason   uint32
			Message  string
			Language string
		}{1, reason, msg, ""})
		// RFC 4253 section 6: length, padding length, payload, at least
		// 4 bytes of padding, a multiple of 8 bytes in all.
		pad := 8 - (5+len(payload))%8
		if pad < 4 {
			pad += 8
		}
		pkt := binary.BigEndian.AppendUint32(nil, uint32(1+len(payload)+pad))
		pkt = append(pkt, byte(pad))
		pkt = append(pkt, payload...)
		pkt = append(pkt, make([]byte, pad)...)
		c.Write(pkt)
		// Let the client read the packet before the connection closes.
		c.Read(make([]byte, 4096))
	}()
	return l.Addr().(*net.TCPAddr).Port
}

func TestServerVersionAndDisconnectEscaped(t *testing.T) {
	t.Setenv("LC_ALL", "C")
	f := newFixture(t)
	port := hostileServer(t, "SSH-2.0-Evil_1.0 "+osc52+"\x1b[1A", 2, "bye\x1b[2J\a\r"+osc52+"\n")
	r := f.run(nil, "-v", "-p", itoa(port), "-o", "HostName=127.0.0.1", "evil", "true")
	if r.code != exitError {
		t.Fatal(r)
	}
	for _, want := range []string{
		`debug1: Remote protocol version 2.0, remote software version Evil_1.0 \033]52;c;ZXZpbA==\007\033[1A` + "\n",
		"Received disconnect from 127.0.0.1 port " + itoa(port) + `:2: bye\033[2J\007\015\033]52;c;ZXZpbA==\007` + "\n",
		"Disconnected from 127.0.0.1 port " + itoa(port) + "\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	checkNoControls(t, r.stderr)
}
