package server

import (
	"github.com/pqssh/pqssh/kex"

	"bufio"
	"crypto/rand"
	"encoding/binary"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// Unencrypted binary packets (RFC 4253 section 6), for talking to the
// server before keys are established.
func writePacket(t *testing.T, w io.Writer, payload []byte) {
	t.Helper()
	pad := 8 - (5+len(payload))%8
	if pad < 4 {
		pad += 8
	}
	p := binary.BigEndian.AppendUint32(nil, uint32(1+len(payload)+pad))
	p = append(p, byte(pad))
	p = append(p, payload...)
	p = append(p, make([]byte, pad)...)
	if _, err := w.Write(p); err != nil {
		t.Fatal(err)
	}
}

func readPacket(t *testing.T, r io.Reader) []byte {
	t.Helper()
	var h [5]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		t.Fatal(err)
	}
	n := binary.BigEndian.Uint32(h[:4])
	if n > 1<<20 || n < uint32(h[4])+1 {
		t.Fatalf("bad packet length %d", n)
	}
	rest := make([]byte, n-1)
	if _, err := io.ReadFull(r, rest); err != nil {
		t.Fatal(err)
	}
	return rest[:len(rest)-int(h[4])]
}

type kexInit struct {
	Cookie      [16]byte `sshtype:"20"`
	Kex         []string
	HostKey     []string
	CiphersCS   []string
	CiphersSC   []string
	MACsCS      []string
	MACsSC      []string
	CompCS      []string
	CompSC      []string
	LangCS      []string
	LangSC      []string
	FirstFollow bool
	Reserved    uint32
}

// TestKexInitAndStrictKex reads the server's KEXINIT: post-quantum methods
// first, strict key exchange offered (kex-strict-s-v00@openssh.com, the
// Terrapin countermeasure, OpenSSH PROTOCOL section 1.9); then, after a
// strict client KEXINIT, an SSH_MSG_IGNORE during the initial key exchange
// must end the connection.
func TestKexInitAndStrictKex(t *testing.T) {
	e := startServer(t, "", "")
	c, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "SSH-2.0-pqsshd_test\r\n")
	r := bufio.NewReader(c)
	if l, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(l, "SSH-2.0-pqsshd") {
		t.Fatalf("version %q %v", l, err)
	}
	var ki kexInit
	if err := gossh.Unmarshal(readPacket(t, r), &ki); err != nil {
		t.Fatal(err)
	}
	if ki.Kex[0] != kex.DefaultKeyExchanges()[0] || !kex.IsPostQuantum(ki.Kex[0]) {
		t.Errorf("first kex %q, want a post-quantum method first: %v", ki.Kex[0], ki.Kex)
	}
	if !slices.Contains(ki.Kex, "kex-strict-s-v00@openssh.com") {
		t.Errorf("strict kex not offered: %v", ki.Kex)
	}

	mine := kexInit{Kex: []string{"curve25519-sha256", "kex-strict-c-v00@openssh.com"}, HostKey: []string{"ssh-ed25519"},
		CiphersCS: []string{"aes128-ctr"}, CiphersSC: []string{"aes128-ctr"}, MACsCS: []string{"hmac-sha2-256"}, MACsSC: []string{"hmac-sha2-256"},
		CompCS: []string{"none"}, CompSC: []string{"none"}}
	rand.Read(mine.Cookie[:])
	writePacket(t, c, gossh.Marshal(&mine))
	writePacket(t, c, []byte{2, 0, 0, 0, 0}) // SSH_MSG_IGNORE, empty string
	if b, err := io.ReadAll(r); err != nil {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("server kept the connection after IGNORE during a strict initial kex (read %d bytes)", len(b))
		}
	}
	e.logs.waitLog(t, "unexpected message type 2")
}
