package server

import (
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/pqssh/pqssh/kex"
)

// rawPacket frames payload as an unencrypted binary packet (RFC 4253
// section 6).
func rawPacket(payload []byte) []byte {
	pad := 8 - (5+len(payload))%8
	if pad < 4 {
		pad += 8
	}
	p := binary.BigEndian.AppendUint32(nil, uint32(1+len(payload)+pad))
	p = append(p, byte(pad))
	p = append(p, payload...)
	return append(p, make([]byte, pad)...)
}

// clientKexInitPayload is a client KEXINIT offering kexNames.
func clientKexInitPayload(kexNames ...string) []byte {
	return gossh.Marshal(&kexInit{Kex: append(kexNames, "kex-strict-c-v00@openssh.com"), HostKey: []string{"ssh-ed25519"},
		CiphersCS: []string{"aes128-ctr"}, CiphersSC: []string{"aes128-ctr"}, MACsCS: []string{"hmac-sha2-256"}, MACsSC: []string{"hmac-sha2-256"},
		CompCS: []string{"none"}, CompSC: []string{"none"}})
}

// gateReader reads everything the gate lets through, n bytes per Read
// (to split packet headers across reads), until an error.
func gateReader(g *kexGate, n int, got chan<- error) {
	buf := make([]byte, n)
	for {
		if _, err := g.Read(buf); err != nil {
			got <- err
			return
		}
	}
}

func TestKexGate(t *testing.T) {
	mc := kex.MCELIECE6688128X25519SHA512
	cost, large := kexCost(mc)
	if h, _ := kex.Lookup(mc); !large || cost < 3*int64(h.ClientInitSize()) {
		t.Fatalf("kexCost(%s) = %d, %v: want large, three copies of the client's packet", mc, cost, large)
	}
	for _, small := range []string{kex.MLKEM768X25519SHA256, kex.SNTRUP761X25519SHA512, "curve25519-sha256", "unknown"} {
		if _, large := kexCost(small); large {
			t.Errorf("%s counted as a large key exchange", small)
		}
	}
	offered := []string{mc, kex.MLKEM768X25519SHA256, "curve25519-sha256"}
	version := "a banner line\r\nSSH-2.0-test\r\n"
	bigHeader := binary.BigEndian.AppendUint32(nil, 1<<20-8)

	t.Run("small kex reserves nothing and caps packets", func(t *testing.T) {
		b := newKexBudget(16 << 20)
		srv, cli := net.Pipe()
		defer cli.Close()
		g := newKexGate(srv, b, slog.New(slog.DiscardHandler))
		g.start(offered)
		got := make(chan error, 1)
		go gateReader(g, 3, got)
		io.WriteString(cli, version)
		cli.Write(rawPacket(clientKexInitPayload("sntrup761x25519-sha512", kex.MLKEM768X25519SHA256, mc)))
		// The gate has read the whole KEXINIT once the next write starts.
		cli.Write(rawPacket([]byte{2, 0, 0, 0, 0}))
		if used, _, _ := kexMemoryOf(b); used != 0 {
			t.Errorf("reservation after a KEXINIT selecting mlkem768: %d", used)
		}
		cli.Write(bigHeader)
		if err := <-got; !errors.Is(err, errKexGate) || !strings.Contains(err.Error(), "without a large key exchange") {
			t.Errorf("1 MiB packet after a small KEXINIT: %v, want refused", err)
		}
	})

	t.Run("no reservation refuses a large packet before x/crypto sees it", func(t *testing.T) {
		b := newKexBudget(16 << 20)
		srv, cli := net.Pipe()
		defer cli.Close()
		g := newKexGate(srv, b, slog.New(slog.DiscardHandler))
		g.start([]string{kex.MLKEM768X25519SHA256})
		go io.WriteString(cli, version+string(bigHeader))
		buf := make([]byte, 1)
		var seen []byte
		var err error
		for err == nil {
			var n int
			n, err = g.Read(buf)
			seen = append(seen, buf[:n]...)
		}
		if !errors.Is(err, errKexGate) {
			t.Fatalf("read error %v, want errKexGate", err)
		}
		if string(seen) != version+string(bigHeader[:3]) {
			t.Errorf("gate delivered %q: the length must not reach x/crypto", seen)
		}
	})

	t.Run("large kex reserves at KEXINIT until NEWKEYS", func(t *testing.T) {
		b := newKexBudget(16 << 20)
		srv, cli := net.Pipe()
		defer cli.Close()
		g := newKexGate(srv, b, slog.New(slog.DiscardHandler))
		g.source = "192.0.2.1/32"
		g.start(offered)
		got := make(chan error, 1)
		go gateReader(g, 4096, got)
		io.WriteString(cli, version)
		if used, _, _ := kexMemoryOf(b); used != 0 {
			t.Errorf("reserved %d before the client's KEXINIT, want 0", used)
		}
		cli.Write(rawPacket(clientKexInitPayload(mc, kex.MLKEM768X25519SHA256)))
		h, _ := kex.Lookup(mc)
		init := append([]byte{30}, gossh.Marshal(struct{ P []byte }{make([]byte, h.ClientInitSize())})...)
		cli.Write(rawPacket(init))
		if used, _, _ := kexMemoryOf(b); used != cost {
			t.Errorf("reserved %d during a McEliece exchange, want %d", used, cost)
		}
		cli.Write(rawPacket([]byte{gateMsgNewKeys}))
		cli.Write(bigHeader) // encrypted from here: passed through
		if used, _, _ := kexMemoryOf(b); used != 0 {
			t.Errorf("reserved %d after NEWKEYS, want 0", used)
		}
		cli.Close()
		if err := <-got; errors.Is(err, errKexGate) {
			t.Errorf("gate refused the encrypted stream: %v", err)
		}
		g.release() // on close: nothing left to give back
		if used, peak, _ := kexMemoryOf(b); used != 0 || peak != cost || b.sourceUsed(g.source) != 0 {
			t.Errorf("used %d peak %d by source %d, want 0, %d, 0", used, peak, b.sourceUsed(g.source), cost)
		}
	})

	t.Run("budget filled between offer and KEXINIT closes", func(t *testing.T) {
		b := newKexBudget(cost + cost/2)
		srv, cli := net.Pipe()
		defer cli.Close()
		g := newKexGate(srv, b, slog.New(slog.DiscardHandler))
		g.start(offered) // offered while there was room
		b.reserve("other", cost)
		got := make(chan error, 1)
		go gateReader(g, 4096, got)
		io.WriteString(cli, version)
		cli.Write(rawPacket(clientKexInitPayload(mc, kex.MLKEM768X25519SHA256)))
		if err := <-got; !errors.Is(err, errKexGate) || !strings.Contains(err.Error(), "UnauthenticatedKexMemory has no room") {
			t.Errorf("got %v, want refused for lack of room", err)
		}
		if used, _, _ := kexMemoryOf(b); used != cost {
			t.Errorf("reserved %d, want only the other connection's %d", used, cost)
		}
	})

	t.Run("reservation admits only a bounded KEXINIT and the ECDH_INIT", func(t *testing.T) {
		for _, tc := range []struct {
			name     string
			reserved bool   // a KEXINIT selecting McEliece first
			header   []byte // packet_length, padding_length, message number
			want     string
		}{
			{"huge first KEXINIT", false, []byte{0, 0x0f, 0x42, 0x40, 4, gateMsgKexInit}, "without a large key exchange"},
			{"first KEXINIT over the bound", false, binary.BigEndian.AppendUint32(nil, maxKexInitPacket+1), "KEXINIT (limit"},
			{"huge second KEXINIT", true, []byte{0, 0x0f, 0x42, 0x40, 4, gateMsgKexInit}, "1000000-byte KEXINIT"},
			{"large IGNORE", true, []byte{0, 0x0f, 0x42, 0x40, 4, 2}, "message type 2"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				b := newKexBudget(16 << 20)
				srv, cli := net.Pipe()
				defer cli.Close()
				g := newKexGate(srv, b, slog.New(slog.DiscardHandler))
				g.start(offered)
				got := make(chan error, 1)
				go gateReader(g, 4096, got)
				io.WriteString(cli, version)
				if tc.reserved {
					cli.Write(rawPacket(clientKexInitPayload(mc, kex.MLKEM768X25519SHA256)))
				}
				header := tc.header
				if len(header) == 4 {
					header = append(header, 4, gateMsgKexInit)
				}
				cli.Write(header)
				if err := <-got; !errors.Is(err, errKexGate) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("got %v, want refused with %q", err, tc.want)
				}
				if used, _, _ := kexMemoryOf(b); used != 0 {
					t.Errorf("reservation of %d kept after the refusal", used)
				}
			})
		}
		// The largest KEXINIT within the bound passes.
		if err := checkGateMessage(gateMsgKexInit, maxKexInitPacket); err != nil {
			t.Errorf("KEXINIT of %d bytes: %v", maxKexInitPacket, err)
		}
		if err := checkGateMessage(gateMsgKexECDHInit, largePacketLimit); err != nil {
			t.Errorf("KEX_ECDH_INIT of %d bytes: %v", largePacketLimit, err)
		}
	})

	t.Run("budget", func(t *testing.T) {
		b := newKexBudget(10 << 20)
		n := 0
		for b.reserve("a", cost) {
			n++
		}
		if want := int((10 << 20) / cost); n != want {
			t.Errorf("%d reservations of %d in 10 MiB, want %d", n, cost, want)
		}
		b.release("a", cost)
		if !b.reserve("a", cost) {
			t.Error("a released reservation is not available again")
		}
		b.setLimit(-1)
		if !b.reserve("a", 1<<40) {
			t.Error("UnauthenticatedKexMemory none refused a reservation")
		}
	})

	t.Run("per source", func(t *testing.T) {
		b := newKexBudget(64 << 20)
		b.setPerSource(2 * cost)
		for i := range 2 {
			if !b.reserve("a", cost) {
				t.Fatalf("reservation %d from a refused", i)
			}
		}
		if got := b.exhausted("a", cost); got != "PerSourceKexMemory" || b.reserve("a", cost) {
			t.Errorf("a third reservation from a: exhausted %q, want PerSourceKexMemory and refused", got)
		}
		if !b.reserve("b", cost) {
			t.Error("another source refused while the budget has room")
		}
		b.release("a", cost)
		if !b.reserve("a", cost) {
			t.Error("a's released share is not available again")
		}
	})
}

func kexMemoryOf(b *kexBudget) (used, peak, limit int64) {
	return (&Server{kexBudget: b}).KexMemory()
}

// FuzzKexGate feeds arbitrary client streams, in arbitrary pieces, through
// the gate: it never panics, never lets a packet longer than its limit
// through, and its reservation is always given back exactly once.
func FuzzKexGate(f *testing.F) {
	mc := kex.MCELIECE6688128X25519SHA512
	version := []byte("SSH-2.0-fuzz\r\n")
	seed := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	f.Add(uint8(7), true, seed(version, rawPacket(clientKexInitPayload(mc)), rawPacket([]byte{30, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}), rawPacket([]byte{21})))
	f.Add(uint8(1), true, seed(version, rawPacket(clientKexInitPayload(kex.MLKEM768X25519SHA256)), binary.BigEndian.AppendUint32(nil, 1<<20)))
	f.Add(uint8(3), false, seed([]byte("x\nSSH-\n"), rawPacket([]byte{20}), rawPacket([]byte{21, 1}), []byte{0xff, 0xff, 0xff, 0xff}))
	f.Add(uint8(0), false, seed(version, []byte{0, 0, 0, 5, 255, 20, 0, 0, 0}))
	f.Fuzz(func(t *testing.T, step uint8, reserved bool, stream []byte) {
		cost, _ := kexCost(mc)
		b := newKexBudget(16 << 20)
		g := newKexGate(nil, b, slog.New(slog.DiscardHandler))
		if reserved {
			g.start([]string{mc, kex.MLKEM768X25519SHA256})
		} else {
			g.start([]string{kex.MLKEM768X25519SHA256})
		}
		n := int(step%64) + 1
		for len(stream) > 0 {
			k := min(n, len(stream))
			if err := g.scan(stream[:k]); err != nil {
				break
			}
			held := g.reservedNow() > 0
			if l := g.pos + g.remaining; g.state == gateBody && (l > largePacketLimit || !held && l > smallPacketLimit) {
				t.Fatalf("packet of %d bytes let through (reserved %v)", l, held)
			}
			stream = stream[k:]
		}
		if used, _, _ := kexMemoryOf(b); used != 0 && used != cost {
			t.Fatalf("reserved %d, want 0 or %d", used, cost)
		}
		g.release()
		g.release()
		if used, _, _ := kexMemoryOf(b); used != 0 {
			t.Fatalf("reserved %d after release", used)
		}
	})
}
