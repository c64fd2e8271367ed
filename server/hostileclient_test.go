package server

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/kex"
)

// hostileConn is a raw SSH client for the memory tests: it speaks just
// enough of the protocol (RFC 4253 with mlkem768x25519-sha256 and
// aes128-gcm@openssh.com, RFC 5647) to complete a key exchange and then
// send arbitrary encrypted packets, such as a rekey KEXINIT of any size,
// which no real client library can be made to send.
type hostileConn struct {
	c          net.Conn
	r          *bufio.Reader
	serverKex  []string // kex_algorithms of the server's first KEXINIT
	serverInit []byte   // the server's first KEXINIT payload
	version    string   // the server's version line, without CR LF
	aead       cipher.AEAD
	iv         [12]byte
}

const hostileVersion = "SSH-2.0-hostile_test"

// dialHostile connects, exchanges versions and reads the server's KEXINIT.
func dialHostile(addr string) (*hostileConn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(60 * time.Second))
	h := &hostileConn{c: c, r: bufio.NewReader(c)}
	if _, err := io.WriteString(c, hostileVersion+"\r\n"); err != nil {
		c.Close()
		return nil, err
	}
	l, err := h.r.ReadString('\n')
	if err != nil || !strings.HasPrefix(l, "SSH-2.0-") {
		c.Close()
		return nil, fmt.Errorf("server version %q: %v", l, err)
	}
	h.version = strings.TrimRight(l, "\r\n")
	if h.serverInit, err = h.readClear(); err != nil {
		c.Close()
		return nil, fmt.Errorf("server KEXINIT: %w", err)
	}
	var ki kexInit
	if err := gossh.Unmarshal(h.serverInit, &ki); err != nil {
		c.Close()
		return nil, err
	}
	h.serverKex = ki.Kex
	return h, nil
}

// readClear reads one unencrypted packet's payload.
func (h *hostileConn) readClear() ([]byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(h.r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:4])
	if n > 1<<20 || n < uint32(hdr[4])+1 {
		return nil, fmt.Errorf("bad packet length %d", n)
	}
	rest := make([]byte, n-1)
	if _, err := io.ReadFull(h.r, rest); err != nil {
		return nil, err
	}
	return rest[:len(rest)-int(hdr[4])], nil
}

// writeClear sends an unencrypted packet; a write error means the server
// closed the connection.
func (h *hostileConn) writeClear(payload []byte) error {
	_, err := h.c.Write(rawPacket(payload))
	return err
}

// hostileKexInit is a client KEXINIT for mlkem768x25519-sha256 with
// aes128-gcm@openssh.com; pad adds filler names to kex_algorithms (after
// the real ones) until the payload is at least that long.
func hostileKexInit(kexNames []string, pad int) []byte {
	ki := &kexInit{Kex: append(slices.Clone(kexNames), "kex-strict-c-v00@openssh.com"), HostKey: []string{"ssh-ed25519"},
		CiphersCS: []string{"aes128-gcm@openssh.com"}, CiphersSC: []string{"aes128-gcm@openssh.com"},
		MACsCS: []string{"hmac-sha2-256"}, MACsSC: []string{"hmac-sha2-256"}, CompCS: []string{"none"}, CompSC: []string{"none"}}
	base := len(gossh.Marshal(ki))
	if pad > base {
		ki.Kex = append(ki.Kex, strings.Split(strings.Repeat("a,", (pad-base)/2)+"a", ",")...)
	}
	return gossh.Marshal(ki)
}

// boundedKexInit is a KEXINIT for mlkem768x25519-sha256 that is as costly
// as the bounds allow: three name-lists of 256 names and almost 8 KiB each,
// 24 KiB in all.
func boundedKexInit() []byte {
	filler := func(real string) []string {
		l := []string{real}
		for i := 1; i < 256; i++ {
			l = append(l, fmt.Sprintf("filler-%022d", i))
		}
		return l
	}
	ki := &kexInit{Kex: filler(kex.MLKEM768X25519SHA256), HostKey: filler("ssh-ed25519"),
		CiphersCS: filler("aes128-gcm@openssh.com"), CiphersSC: []string{"aes128-gcm@openssh.com"},
		MACsCS: []string{"hmac-sha2-256"}, MACsSC: []string{"hmac-sha2-256"}, CompCS: []string{"none"}, CompSC: []string{"none"}}
	ki.Kex = append(ki.Kex[:255], "kex-strict-c-v00@openssh.com")
	return gossh.Marshal(ki)
}

// sshString appends an SSH string.
func sshString(b, s []byte) []byte {
	return append(binary.BigEndian.AppendUint32(b, uint32(len(s))), s...)
}

// keyExchange sends the client KEXINIT clientInit (which must select
// mlkem768x25519-sha256) and completes the exchange up to both NEWKEYS;
// afterwards writeEncrypted sends packets under the new keys. The host
// key signature is not checked.
func (h *hostileConn) keyExchange(clientInit []byte) error {
	if err := h.writeClear(clientInit); err != nil {
		return err
	}
	m, ok := kex.Lookup(kex.MLKEM768X25519SHA256)
	if !ok {
		return errors.New("no mlkem768x25519-sha256")
	}
	kc, err := m.NewClient(rand.Reader)
	if err != nil {
		return err
	}
	cInit := kc.PublicValue()
	if err := h.writeClear(sshString([]byte{30}, cInit)); err != nil { // SSH_MSG_KEX_ECDH_INIT
		return err
	}
	reply, err := h.readClear()
	if err != nil {
		return fmt.Errorf("KEX_ECDH_REPLY: %w", err)
	}
	var r struct {
		HostKey   []byte `sshtype:"31"`
		Reply     []byte
		Signature []byte
	}
	if err := gossh.Unmarshal(reply, &r); err != nil {
		return err
	}
	secret, err := kc.Finish(r.Reply)
	if err != nil {
		return err
	}
	k := sshString(nil, secret)
	var hb []byte
	for _, s := range [][]byte{[]byte(hostileVersion), []byte(h.version), clientInit, h.serverInit, r.HostKey, cInit, r.Reply} {
		hb = sshString(hb, s)
	}
	hb = append(hb, k...)
	sum := sha256.Sum256(hb)
	hash := sum[:]
	if err := h.writeClear([]byte{21}); err != nil { // SSH_MSG_NEWKEYS
		return err
	}
	if p, err := h.readClear(); err != nil || len(p) != 1 || p[0] != 21 {
		return fmt.Errorf("server NEWKEYS: %x %v", p, err)
	}
	derive := func(x byte) []byte {
		d := sha256.New()
		d.Write(k)
		d.Write(hash)
		d.Write([]byte{x})
		d.Write(hash) // session_id: the first exchange hash
		return d.Sum(nil)
	}
	block, err := aes.NewCipher(derive('C')[:16])
	if err != nil {
		return err
	}
	if h.aead, err = cipher.NewGCM(block); err != nil {
		return err
	}
	copy(h.iv[:], derive('A'))
	return nil
}

// encrypted frames payload as an aes128-gcm@openssh.com packet.
func (h *hostileConn) encrypted(payload []byte) []byte {
	pad := 16 - (1+len(payload))%16
	if pad < 4 {
		pad += 16
	}
	plain := make([]byte, 0, 1+len(payload)+pad)
	plain = append(plain, byte(pad))
	plain = append(plain, payload...)
	plain = append(plain, make([]byte, pad)...)
	length := binary.BigEndian.AppendUint32(nil, uint32(len(plain)))
	out := h.aead.Seal(length, h.iv[:], plain, length)
	for i := 11; i >= 4; i-- { // the invocation counter
		h.iv[i]++
		if h.iv[i] != 0 {
			break
		}
	}
	return out
}

// writeEncrypted sends an encrypted packet; a write error means the
// server closed the connection.
func (h *hostileConn) writeEncrypted(payload []byte) error {
	_, err := h.c.Write(h.encrypted(payload))
	return err
}

// halfMcEliece offers McEliece and mlkem768 and, if the server offered
// McEliece (it has reserved the budget for it), sends its
// SSH_MSG_KEX_ECDH_INIT but the last KiB, and reports whether it did;
// otherwise the server waits for an mlkem768 SSH_MSG_KEX_ECDH_INIT that
// never comes.
func (h *hostileConn) halfMcEliece() bool {
	mc := kex.MCELIECE6688128X25519SHA512
	h.writeClear(hostileKexInit([]string{mc, kex.MLKEM768X25519SHA256}, 0))
	m, ok := kex.Lookup(mc)
	if !ok || !slices.Contains(h.serverKex, mc) {
		return false
	}
	n := m.ClientInitSize()
	payloadLen := 1 + 4 + n
	pad := 8 - (5+payloadLen)%8
	if pad < 4 {
		pad += 8
	}
	hdr := binary.BigEndian.AppendUint32(nil, uint32(1+payloadLen+pad))
	hdr = append(hdr, byte(pad), 30) // SSH_MSG_KEX_ECDH_INIT
	hdr = binary.BigEndian.AppendUint32(hdr, uint32(n))
	if _, err := h.c.Write(hdr); err != nil {
		return false
	}
	zero := make([]byte, 32<<10)
	for left := n - 1024; left > 0; {
		k, err := h.c.Write(zero[:min(left, len(zero))])
		if err != nil {
			return false
		}
		left -= k
	}
	return true
}

// closedByServer reports whether the server ends the connection (EOF or a
// reset) within the connection's deadline, reading and discarding what it
// sends meanwhile; false if the deadline passes with the connection open.
func (h *hostileConn) closedByServer(deadline time.Time) bool {
	h.c.SetReadDeadline(deadline)
	_, err := io.Copy(io.Discard, h.r)
	return !isTimeout(err)
}
