package mctiny

import (
	"bytes"
	"crypto/rand"
	"crypto/sha3"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// CookieKeyInterval is how often the server starts a new cookie key.
// Eight keys are live at a time, so a cookie stays valid for 7 to 8
// intervals.
const (
	CookieKeyInterval = time.Minute
	cookieSlots       = 8
)

// cookieKeysFile is the file in the state directory that holds the ring.
const cookieKeysFile = "mctiny-cookie-keys"

var cookieKeysMagic = [8]byte{'M', 'C', 'T', 'N', 'Y', 'C', 'K', '1'}

const cookieKeysFileSize = 8 + 8 + cookieSlots*KeySize

var cookieChainDomain = []byte("mctiny6688128 cookie key chain")

// ring is an immutable snapshot of the eight live cookie keys.
type ring struct {
	interval int64                       // number of the current interval
	s        [cookieSlots][KeySize]byte  // s[i%8] is the key of interval i
	hs       [cookieSlots][HashSize]byte // hash(s), the key of C0 and C_Z
	pz       [cookieSlots][KeySize]byte  // puzzle keys hash("mctiny6688128 puzzle key" ‖ s)
	// alt, if not nil, holds the keys derived from a previous master
	// secret (fleet mode, during a rotation): cookies and puzzle
	// solutions made under it are accepted, never made.
	alt *ring
}

func (r *ring) current() int { return int(r.interval % cookieSlots) }

func (r *ring) wipe() {
	for i := range r.s {
		clear(r.s[i][:])
		clear(r.hs[i][:])
		clear(r.pz[i][:])
	}
	if r.alt != nil {
		r.alt.wipe()
	}
}

// CookieKeys is the server's ring of cookie keys s_m, ..., s_{m-7}: a new
// key every CookieKeyInterval, each new key a hash of the previous one and
// fresh randomness, the ring persisted in the state directory (written
// atomically, mode 0600) before a new key is used, so that a restarted
// server still opens every cookie it issued in the last 7 minutes.
//
// It is safe for concurrent use; reading the current ring never allocates.
type CookieKeys struct {
	path string // empty: not persisted
	// secretPath, if set, names the fleet's master-secret file: the keys
	// are derived from it and nothing is persisted (cookiesecret.go).
	secretPath string
	masters    [][KeySize]byte
	rand       io.Reader
	mu         sync.Mutex // serializes rotation
	cur        atomic.Pointer[ring]
	prev       *ring // replaced snapshot, wiped at the next rotation
}

func intervalOf(t time.Time) int64 {
	return t.Unix() / int64(CookieKeyInterval/time.Second)
}

// OpenCookieKeys loads the cookie-key ring from dir (creating it, and
// dir with mode 0700, if absent) and brings it up to date for now. If dir
// is empty the ring lives in memory only.
func OpenCookieKeys(dir string, now time.Time) (*CookieKeys, error) {
	return openCookieKeys(dir, now, rand.Reader)
}

func openCookieKeys(dir string, now time.Time, rnd io.Reader) (*CookieKeys, error) {
	ck := &CookieKeys{rand: rnd}
	r := new(ring)
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("mctiny: state directory: %w", err)
		}
		ck.path = filepath.Join(dir, cookieKeysFile)
		if err := checkPrivate(ck.path); err != nil {
			return nil, err
		}
		b, err := os.ReadFile(ck.path)
		switch {
		case err == nil:
			if err := r.unmarshal(b); err != nil {
				return nil, fmt.Errorf("mctiny: %s: %w", ck.path, err)
			}
			wipe(b)
		case errors.Is(err, os.ErrNotExist):
			r = nil
		default:
			return nil, fmt.Errorf("mctiny: reading cookie keys: %w", err)
		}
	} else {
		r = nil
	}
	if r == nil {
		// A fresh ring: eight independent random keys ending at now.
		r = new(ring)
		r.interval = intervalOf(now)
		for i := range r.s {
			if _, err := io.ReadFull(rnd, r.s[i][:]); err != nil {
				return nil, fmt.Errorf("mctiny: cookie keys: %w", err)
			}
		}
		r.hashKeys()
		if err := ck.persist(r); err != nil {
			return nil, err
		}
	}
	ck.cur.Store(r)
	if err := ck.Rotate(now); err != nil {
		return nil, err
	}
	return ck, nil
}

func (r *ring) hashKeys() {
	var sh sha3.SHAKE
	for i := range r.s {
		hash(&sh, &r.hs[i], r.s[i][:], nil)
		hash(&sh, &r.pz[i], puzzleKeyDomain, r.s[i][:])
	}
}

func (r *ring) marshal() []byte {
	b := make([]byte, 0, cookieKeysFileSize)
	b = append(b, cookieKeysMagic[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(r.interval))
	for i := range r.s {
		b = append(b, r.s[i][:]...)
	}
	return b
}

func (r *ring) unmarshal(b []byte) error {
	if len(b) != cookieKeysFileSize || !bytes.Equal(b[:8], cookieKeysMagic[:]) {
		return errors.New("not a McTiny cookie-key file")
	}
	r.interval = int64(binary.BigEndian.Uint64(b[8:16]))
	for i := range r.s {
		copy(r.s[i][:], b[16+i*KeySize:])
	}
	r.hashKeys()
	return nil
}

// persist writes r to the state file atomically (temporary file, fsync,
// rename, fsync of the directory).
func (ck *CookieKeys) persist(r *ring) error {
	if ck.path == "" {
		return nil
	}
	b := r.marshal()
	defer wipe(b)
	if err := writeFileAtomic(ck.path, b, 0o600); err != nil {
		return fmt.Errorf("mctiny: saving cookie keys: %w", err)
	}
	return nil
}

// Rotate starts the cookie keys of every interval up to now's. Each new key
// is SHAKE256("mctiny6688128 cookie key chain" ‖ previous key ‖ 32 fresh
// random bytes); the key eight intervals old is overwritten and so erased.
// The new ring is saved before it is used. Rotate is called by
// Server.Handle when an interval ends; calling it more often is harmless.
func (ck *CookieKeys) Rotate(now time.Time) error {
	want := intervalOf(now)
	if ck.cur.Load().interval >= want {
		return nil
	}
	ck.mu.Lock()
	defer ck.mu.Unlock()
	return ck.rotateLocked(want)
}

// tryRotate is Rotate for the packet path: it returns at once if another
// goroutine is rotating.
func (ck *CookieKeys) tryRotate(now time.Time) error {
	want := intervalOf(now)
	if ck.cur.Load().interval >= want || !ck.mu.TryLock() {
		return nil
	}
	defer ck.mu.Unlock()
	return ck.rotateLocked(want) // on error the old ring stays in use
}

func (ck *CookieKeys) rotateLocked(want int64) error {
	old := ck.cur.Load()
	if old.interval >= want {
		return nil
	}
	if ck.secretPath != "" {
		return ck.rotateDerived(want, old)
	}
	r := new(ring)
	*r = *old
	// Another process sharing the state directory (a restarted server
	// overlapping its predecessor) may have rotated already: continue from
	// its keys rather than fork the chain.
	if ck.path != "" {
		if b, err := os.ReadFile(ck.path); err == nil {
			var disk ring
			if disk.unmarshal(b) == nil && disk.interval > r.interval {
				*r = disk
			}
			disk.wipe()
			wipe(b)
		}
		if r.interval >= want {
			ck.publish(r, old)
			return nil
		}
	}
	var sh sha3.SHAKE
	var fresh [KeySize]byte
	steps := min(want-old.interval, cookieSlots)
	r.interval = want - steps
	for range steps {
		prev := r.s[r.current()]
		r.interval++
		if _, err := io.ReadFull(ck.rand, fresh[:]); err != nil {
			return fmt.Errorf("mctiny: cookie keys: %w", err)
		}
		var next [HashSize]byte
		sh.Reset()
		sh.Write(cookieChainDomain)
		sh.Write(prev[:])
		sh.Write(fresh[:])
		sh.Read(next[:])
		r.s[r.current()] = next
		clear(prev[:])
		clear(next[:])
	}
	clear(fresh[:])
	r.interval = want
	r.hashKeys()
	if err := ck.persist(r); err != nil {
		r.wipe()
		return err
	}
	ck.publish(r, old)
	return nil
}

// publish makes r the current ring. Packet handlers may still hold old for
// a few microseconds, so old is erased only at the next rotation.
func (ck *CookieKeys) publish(r, old *ring) {
	ck.cur.Store(r)
	if ck.prev != nil {
		ck.prev.wipe()
	}
	ck.prev = old
}

// load returns the current ring.
func (ck *CookieKeys) load() *ring { return ck.cur.Load() }

// writeFileAtomic replaces path with data: a temporary file in the same
// directory, written, synced and renamed over path, then the directory
// synced, so that a crash leaves either the old or the new content.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// checkPrivate refuses a secret file that others may read, as OpenSSH
// refuses an unprotected private key. A missing file is not an error.
func checkPrivate(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mctiny: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("mctiny: %s has mode %v; it holds secret keys and must not be accessible to others (chmod 600)", path, fi.Mode().Perm())
	}
	return nil
}
