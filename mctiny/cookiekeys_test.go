package mctiny

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 30, 0, time.UTC)

func TestCookieKeysPersistAndRotate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	ck, err := OpenCookieKeys(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{{dir, 0o700 | os.ModeDir}, {filepath.Join(dir, cookieKeysFile), 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != c.mode {
			t.Errorf("%s: mode %v, want %v", c.path, fi.Mode(), c.mode)
		}
	}
	r0 := *ck.load()
	if r0.interval != intervalOf(t0) {
		t.Fatalf("interval %d, want %d", r0.interval, intervalOf(t0))
	}

	// Reopening gives the same keys.
	ck2, err := OpenCookieKeys(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	if ck2.load().s != r0.s {
		t.Fatal("reopened ring differs")
	}

	// One interval later: one new key, the other seven unchanged, saved.
	if err := ck.Rotate(t0.Add(CookieKeyInterval)); err != nil {
		t.Fatal(err)
	}
	r1 := ck.load()
	changed := 0
	for i := range r1.s {
		if r1.s[i] != r0.s[i] {
			changed++
			if i != r1.current() {
				t.Errorf("slot %d changed, want only %d", i, r1.current())
			}
		}
	}
	if changed != 1 {
		t.Fatalf("%d keys changed in one interval, want 1", changed)
	}
	ck3, err := OpenCookieKeys(dir, t0.Add(CookieKeyInterval))
	if err != nil {
		t.Fatal(err)
	}
	if ck3.load().s != r1.s {
		t.Fatal("rotated ring was not saved")
	}
	// The replaced snapshot is erased at the next rotation.
	if err := ck.Rotate(t0.Add(2 * CookieKeyInterval)); err != nil {
		t.Fatal(err)
	}
	if ck.prev != r1 {
		t.Fatal("prev is not the replaced ring")
	}
	// After eight intervals every key is new.
	if err := ck.Rotate(t0.Add(20 * CookieKeyInterval)); err != nil {
		t.Fatal(err)
	}
	r2 := ck.load()
	for i := range r2.s {
		if r2.s[i] == r0.s[i] || r2.s[i] == r1.s[i] {
			t.Fatalf("slot %d survived eight intervals", i)
		}
	}
	if r1.s != [cookieSlots][KeySize]byte{} {
		t.Fatal("ring replaced two rotations ago was not wiped")
	}
}

func TestCookieKeysRejectsCorruptFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, cookieKeysFile), []byte("garbage"), 0o600)
	if _, err := OpenCookieKeys(dir, t0); err == nil {
		t.Fatal("corrupt cookie-key file accepted")
	}
}

func TestSessionCookieLifetime(t *testing.T) {
	ck, err := OpenCookieKeys(t.TempDir(), t0)
	if err != nil {
		t.Fatal(err)
	}
	var z [SessionKeySize]byte
	rand.Read(z[:])
	cz, m := sealSessionCookieForTest(ck.load(), &z)
	for k := 0; k < 12; k++ {
		var got [SessionKeySize]byte
		err := ck.OpenSessionCookie(&got, cz, m)
		if k < cookieSlots {
			if err != nil || got != z {
				t.Fatalf("%d intervals later: %v", k, err)
			}
		} else if err == nil {
			t.Fatalf("cookie still opens %d intervals later", k)
		}
		if err := ck.Rotate(t0.Add(time.Duration(k+1) * CookieKeyInterval)); err != nil {
			t.Fatal(err)
		}
	}
	// Altered cookie, nonce or nonce position: rejected.
	ck2, _ := OpenCookieKeys("", t0)
	cz, m = sealSessionCookieForTest(ck2.load(), &z)
	var got [SessionKeySize]byte
	for _, bad := range []func(cz, m []byte) ([]byte, []byte){
		func(cz, m []byte) ([]byte, []byte) { cz[3] ^= 1; return cz, m },
		func(cz, m []byte) ([]byte, []byte) { m[0] ^= 1; return cz, m },
		func(cz, m []byte) ([]byte, []byte) { m[22] = 254; return cz, m },
		func(cz, m []byte) ([]byte, []byte) { return cz[:48], m },
		func(cz, m []byte) ([]byte, []byte) { cz[48] ^= 1; return cz, m },
	} {
		c, n := bad(bytes.Clone(cz), bytes.Clone(m))
		if ck2.OpenSessionCookie(&got, c, n) == nil {
			t.Fatal("altered session cookie accepted")
		}
	}
}

// sealSessionCookieForTest makes C_Z the way phase 3 does.
func sealSessionCookieForTest(r *ring, z *[SessionKeySize]byte) (cz, m []byte) {
	var n [NonceSize]byte
	rand.Read(n[:NoncePrefixSize])
	n[22], n[23] = 255, 255
	cz = seal(nil, z[:], &n, &r.hs[r.current()])
	cz = append(cz, cookieID(r.current(), 0xf8))
	return cz, n[:]
}

// TestCookieKeysSharedDir: a second ring on the same directory (a server
// restarted while its predecessor still runs) follows the first one's
// rotation instead of forking the chain.
func TestCookieKeysSharedDir(t *testing.T) {
	dir := t.TempDir()
	a, err := OpenCookieKeys(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenCookieKeys(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	later := t0.Add(2 * CookieKeyInterval)
	if err := a.Rotate(later); err != nil {
		t.Fatal(err)
	}
	if err := b.Rotate(later); err != nil {
		t.Fatal(err)
	}
	if a.load().s != b.load().s {
		t.Fatal("two rings on one directory diverged")
	}
}

func TestUnprotectedStateRefused(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenCookieKeys(dir, t0); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, cookieKeysFile), 0o644)
	if _, err := OpenCookieKeys(dir, t0); err == nil {
		t.Fatal("world-readable cookie keys accepted")
	}
}
