package mctiny

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// writeSecrets writes a master-secret file with the given secrets.
func writeSecrets(t testing.TB, path string, secrets ...[]byte) {
	t.Helper()
	var b []byte
	b = append(b, "# McTiny fleet cookie secret\n"...)
	for _, s := range secrets {
		b = append(b, hex.EncodeToString(s)+"\n"...)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func newSecret() []byte {
	b := make([]byte, KeySize)
	rand.Read(b)
	return b
}

func newFleetServer(t testing.TB, secretFile string) *Server {
	t.Helper()
	s, err := NewServer(stateDir(t), &ServerConfig{Logger: quiet, Workers: 1, CookieSecretFile: secretFile})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sprayConn is a client PacketConn that sends each datagram to the next
// of several servers in turn, as a packet-spraying load balancer would,
// and presents every reply as coming from one virtual address.
type sprayConn struct {
	net.PacketConn
	mu      sync.Mutex
	targets []net.Addr
	next    int
	virt    net.Addr
}

func (c *sprayConn) WriteTo(p []byte, _ net.Addr) (int, error) {
	c.mu.Lock()
	a := c.targets[c.next%len(c.targets)]
	c.next++
	c.mu.Unlock()
	return c.PacketConn.WriteTo(p, a)
}

func (c *sprayConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, _, err := c.PacketConn.ReadFrom(b)
	return n, c.virt, err
}

// TestFleetSharedSecret: two servers sharing the master secret and the
// long-term key serve one exchange whose consecutive packets alternate
// between them, puzzle included, and both open the session cookie.
func TestFleetSharedSecret(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	writeSecrets(t, secret, newSecret())
	a, b := newFleetServer(t, secret), newFleetServer(t, secret)
	if a.PublicKey() == nil || string(a.PublicKey()[:64]) != string(b.PublicKey()[:64]) {
		t.Fatal("replicas need the same long-term key")
	}
	forcePuzzles(t, a, 6)
	forcePuzzles(t, b, 6)
	var targets []net.Addr
	for _, s := range []*Server{a, b} {
		sc := listenUDP(t)
		serve(t, s, sc)
		targets = append(targets, sc.LocalAddr())
	}
	cc := &sprayConn{PacketConn: listenUDP(t), targets: targets, virt: &net.UDPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 22}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := Exchange(ctx, cc, cc.virt, a.PublicKey(), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, a, res)
	checkResult(t, b, res)
	sa, sb := a.Stats(), b.Stats()
	if res.Stats.Puzzles != 1 || sa.Puzzles.Posed+sb.Puzzles.Posed != 1 || sa.Puzzles.Solved+sb.Puzzles.Solved != 1 {
		t.Errorf("puzzles: client %d, a %+v, b %+v", res.Stats.Puzzles, sa.Puzzles, sb.Puzzles)
	}
	// The puzzle went to one replica and its solution to the other.
	if sa.Puzzles.Posed == sa.Puzzles.Solved {
		t.Errorf("puzzle and solution at the same replica: a %+v b %+v", sa.Puzzles, sb.Puzzles)
	}
	for i, st := range []Stats{sa, sb} {
		if st.Replies[1] < RowBlocks*ColBlocks/4 { // about half each; pipelining and retransmissions shift it
			t.Errorf("replica %d answered %d phase-1 queries of %d", i, st.Replies[1], RowBlocks*ColBlocks)
		}
	}
}

// TestFleetDifferentSecrets: a replica with another master secret opens
// neither the cookies nor the puzzle solutions of the first.
func TestFleetDifferentSecrets(t *testing.T) {
	dir := t.TempDir()
	sa, sb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	writeSecrets(t, sa, newSecret())
	writeSecrets(t, sb, newSecret())
	a, b := newFleetServer(t, sa), newFleetServer(t, sb)
	forcePuzzles(t, a, 4)
	forcePuzzles(t, b, 4)
	dst := make([]byte, 0, MaxPacketSize)
	now := clock(a)
	c := puzzleClient(t, a)
	p0, _ := a.HandleFrom(dst, c.q0, clientA, now)
	q := solve(t, c, p0)
	if _, ok := b.HandleFrom(dst, q, clientA, now); ok || b.Stats().Dropped["puzzle_invalid"] != 1 {
		t.Errorf("other master accepted a solution: %+v", b.Stats())
	}
	r0, ok := a.HandleFrom(dst, q, clientA, now)
	if !ok {
		t.Fatal("own solution refused")
	}
	if _, err := c.receive(r0, now, false); err != nil || c.qs[qPhase0].state != qDone {
		t.Fatal("R0 refused")
	}
	// Phase 1 with C0 from a: only a answers.
	pk := make([]byte, PublicKeySize)
	c.pk = pk
	q1 := c.packet(qPhase1)
	if _, ok := b.HandleFrom(dst, q1, clientA, now); ok {
		t.Error("other master opened C0")
	}
	if _, ok := a.HandleFrom(dst, q1, clientA, now); !ok {
		t.Error("own C0 refused")
	}
	var z [SessionKeySize]byte
	rand.Read(z[:])
	cz, m := sealSessionCookieForTest(a.keys.load(), &z)
	if b.CookieKeys().OpenSessionCookie(&z, cz, m) == nil {
		t.Error("other master opened C_Z")
	}
}

// TestFleetSecretRotation: rotating the master secret in the three steps
// of the file's documentation keeps cookies in flight valid on every
// replica, and a secret removed from the file stops opening.
func TestFleetSecretRotation(t *testing.T) {
	dir := t.TempDir()
	fa, fb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	oldS, newS := newSecret(), newSecret()
	writeSecrets(t, fa, oldS)
	writeSecrets(t, fb, oldS)
	now := time.Now()
	a, err := OpenCookieKeysFromSecret(fa, now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenCookieKeysFromSecret(fb, now)
	if err != nil {
		t.Fatal(err)
	}
	var z, got [SessionKeySize]byte
	rand.Read(z[:])
	step := func(ka, kb [][]byte) {
		writeSecrets(t, fa, ka...)
		writeSecrets(t, fb, kb...)
		now = now.Add(CookieKeyInterval)
		if err := a.Rotate(now); err != nil {
			t.Fatal(err)
		}
		if err := b.Rotate(now); err != nil {
			t.Fatal(err)
		}
	}
	czOld, mOld := sealSessionCookieForTest(a.load(), &z)
	// Step 1 on a only (b lags a minute): b's cookies still open at a.
	step([][]byte{oldS, newS}, [][]byte{oldS})
	czB, mB := sealSessionCookieForTest(b.load(), &z)
	if a.OpenSessionCookie(&got, czB, mB) != nil || got != z {
		t.Fatal("step 1: cookie of a replica not yet updated refused")
	}
	step([][]byte{oldS, newS}, [][]byte{oldS, newS})
	// Step 2: a seals with the new secret; b, still at step 1, opens it.
	step([][]byte{newS, oldS}, [][]byte{oldS, newS})
	czNew, mNew := sealSessionCookieForTest(a.load(), &z)
	if b.OpenSessionCookie(&got, czNew, mNew) != nil || got != z {
		t.Fatal("step 2: cookie under the new secret refused by a replica at step 1")
	}
	if b.OpenSessionCookie(&got, czOld, mOld) != nil || a.OpenSessionCookie(&got, czOld, mOld) != nil {
		t.Fatal("step 2: cookie under the old secret refused")
	}
	step([][]byte{newS, oldS}, [][]byte{newS, oldS})
	// Step 3: the old secret is gone; its cookies stop opening.
	step([][]byte{newS}, [][]byte{newS})
	if a.OpenSessionCookie(&got, czOld, mOld) == nil {
		t.Fatal("cookie under a removed secret still opens")
	}
	if a.OpenSessionCookie(&got, czNew, mNew) != nil {
		t.Fatal("step 3: cookie under the new secret refused")
	}
	// An unreadable or malformed file keeps the previous secrets.
	os.WriteFile(fa, []byte("nonsense\n"), 0o600)
	if err := a.Rotate(now.Add(CookieKeyInterval)); err == nil {
		t.Error("malformed secret file accepted")
	}
	if a.OpenSessionCookie(&got, czNew, mNew) != nil {
		t.Error("a malformed file dropped the running secret")
	}
	for name, content := range map[string]string{
		"empty": "", "short": "abcd\n", "zero": string(make([]byte, 0)) + "0000000000000000000000000000000000000000000000000000000000000000\n",
		"three": hex.EncodeToString(oldS) + "\n" + hex.EncodeToString(newS) + "\n" + hex.EncodeToString(oldS) + "\n",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		if _, err := OpenCookieKeysFromSecret(p, now); err == nil {
			t.Errorf("%s secret file accepted", name)
		}
	}
	os.Chmod(fb, 0o644)
	if _, err := OpenCookieKeysFromSecret(fb, now); err == nil {
		t.Error("world-readable secret file accepted")
	}
}

// TestFleetRotationPhase2: the cookies C_ij a client collected in phase 1
// under the old master secret still open in phase 2 after the rotation's
// step 2 (new secret first, old second), each through the previous key
// set, and the syndrome is right; once the old secret is removed they do
// not open.
func TestFleetRotationPhase2(t *testing.T) {
	file := filepath.Join(t.TempDir(), "secret")
	oldS, newS := newSecret(), newSecret()
	writeSecrets(t, file, oldS)
	s := newServerWithoutKEM(t, t.TempDir())
	keys, err := OpenCookieKeysFromSecret(file, t0)
	if err != nil {
		t.Fatal(err)
	}
	s.keys = keys
	pk := make([]byte, PublicKeySize)
	rand.Read(pk)
	c, e := fakePhase0(t, s, pk)
	for q := qPhase1; q < qPhase2; q++ {
		drive(t, s, c, q, t0)
	}
	pieces := slices.Clone(c.urgent)
	// A copy of the client state for the last step, before phase 2.
	q2 := c.packet(pieces[0])
	later := t0.Add(CookieKeyInterval)
	writeSecrets(t, file, newS, oldS)
	if err := keys.Rotate(later); err != nil {
		t.Fatal(err)
	}
	for _, q := range pieces {
		drive(t, s, c, q, later)
	}
	if want := naiveSyndrome(pk, e); !bytes.Equal(c.he[:], want) {
		t.Fatal("syndrome from C_ij cookies under the old secret differs from He")
	}
	writeSecrets(t, file, newS)
	if err := keys.Rotate(later.Add(CookieKeyInterval)); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Handle(make([]byte, 0, MaxPacketSize), q2, later.Add(CookieKeyInterval)); ok {
		t.Fatal("phase 2 answered with cookies under a removed secret")
	}
}
