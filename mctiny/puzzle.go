package mctiny

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"math"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Client puzzles (draft-pqssh-mctiny-ssh-00, section "Client Puzzles").
//
// A loaded server answers a phase-0 query Q0 with a puzzle P0 instead of a
// decapsulation:
//
//	z'  = HMAC-SHA256(k_m, "mctiny6688128 puzzle" ‖ n' ‖ A ‖ R ‖ ct)
//	n'  = m (8 bytes, big-endian) ‖ 8 random bytes
//	k_m = hash("mctiny6688128 puzzle key" ‖ s_m)
//	z'' = z' with the low w bits of its last four bytes (big-endian) zero
//	P0  = z'' (32) ‖ SHA-256(z') (32) ‖ n' (16) ‖ w (1) ‖ R ‖ 1 ‖ 1    105 bytes
//
// where m is the current cookie-key interval, s_m its cookie key, A the
// client's IP address (16 bytes, IPv4 mapped; all zeros when unknown) and R, ct the random nonce
// prefix and the ciphertext of Q0. The server remembers nothing. The client
// finds z' by trying the 2^w values of the cleared bits against SHA-256(z'),
// and sends Q0 again with the solution in clear in place of the last 48
// bytes of the extension field, with n23 = 1:
//
//	Q0' = box_S(464 zero bytes ; R‖0‖1) ‖ n' ‖ z' ‖ hash(pk_S) ‖ ct ‖ R‖0‖1   792 bytes
//
// The server recomputes z' with one MAC, compares in constant time, checks
// that m is the current or the previous interval, and accepts each z' once
// (a fixed-size filter of the solutions of the last two intervals).
const (
	// PuzzleNonceSize is the length of the puzzle nonce n'.
	PuzzleNonceSize = 16
	// PuzzleValueSize is the length of z', z'' and SHA-256(z').
	PuzzleValueSize = 32
	// SolutionSize is the length of a solution n' ‖ z' in Q0'.
	SolutionSize = PuzzleNonceSize + PuzzleValueSize
	// P0Size is the length of a puzzle reply.
	P0Size = 2*PuzzleValueSize + PuzzleNonceSize + 1 + NonceSize
	// MaxPuzzleBits is the largest difficulty w the format allows.
	MaxPuzzleBits = 32

	// solvedExtensionSize is the extension field of Q0': the 512 bytes
	// less the clear solution.
	solvedExtensionSize = ExtensionSize - SolutionSize
	// n23Solved marks Q0' (n22 = 0) and P0 (n22 = 1).
	n23Solved = 1
)

var (
	puzzleMACDomain = []byte("mctiny6688128 puzzle")
	puzzleKeyDomain = []byte("mctiny6688128 puzzle key")
)

// Replay filter: a blocked Bloom filter per interval (2^16 words of 64
// bits, 512 KiB), each accepted z' setting 4 bits of one word. Two
// generations (the current and the previous interval) are kept; a
// generation is cleared when its parity's interval comes round again. At
// 100,000 solutions per interval a fresh solution is refused as a replay
// with probability about 10^-5.
const (
	replayWords = 1 << 16
	replayBits  = 4
)

type replayGen struct {
	interval int64
	words    [replayWords]uint64
}

type replayFilter struct {
	mu  sync.RWMutex
	gen [2]replayGen
}

// add records z for interval m and reports whether it was new.
func (f *replayFilter) add(m int64, z []byte) bool {
	idx := binary.LittleEndian.Uint64(z[0:8]) & (replayWords - 1)
	var mask uint64
	for i := range replayBits {
		mask |= 1 << (z[8+i] & 63)
	}
	g := &f.gen[m&1]
	f.mu.RLock()
	if g.interval != m {
		f.mu.RUnlock()
		f.mu.Lock()
		if g.interval > m {
			f.mu.Unlock()
			return false // older than this generation: expired
		}
		if g.interval < m {
			clear(g.words[:])
			g.interval = m
		}
		f.mu.Unlock()
		f.mu.RLock()
	}
	defer f.mu.RUnlock()
	if g.interval != m {
		return false
	}
	for {
		old := atomic.LoadUint64(&g.words[idx])
		if old&mask == mask {
			return false
		}
		if atomic.CompareAndSwapUint64(&g.words[idx], old, old|mask) {
			return true
		}
	}
}

// PuzzleConfig sets when a Server poses puzzles.
type PuzzleConfig struct {
	// Rate is the number of phase-0 queries per second above which the
	// server answers phase-0 queries without a solution with a puzzle; 0
	// means never.
	Rate float64
	// MinBits and MaxBits bound the difficulty w (1 to MaxPuzzleBits); 0
	// means DefaultPuzzleMinBits and DefaultPuzzleMaxBits.
	MinBits, MaxBits int
}

// Defaults of PuzzleConfig. A server at DefaultPuzzleRate phase-0 queries
// per second spends about 10 % of a core on decapsulations; an idle or
// ordinarily busy server never reaches it.
const (
	DefaultPuzzleRate    = 200
	DefaultPuzzleMinBits = 12
	DefaultPuzzleMaxBits = 24
)

// puzzles is a Server's puzzle policy and counters.
type puzzles struct {
	rate       float64
	minW, maxW int32

	w        atomic.Int32  // current difficulty; 0: no puzzles
	load     atomic.Uint64 // float64 bits: phase-0 queries per second
	arrivals atomic.Uint64 // phase-0 queries for our key
	decaps   atomic.Uint64 // decapsulations done
	posed    atomic.Uint64
	solved   atomic.Uint64

	tickMu  sync.Mutex
	tickAt  atomic.Int64 // unix nanoseconds of the last tick
	lastArr uint64
	lastDec uint64

	seen replayFilter
}

func newPuzzles(c PuzzleConfig) (*puzzles, error) {
	if c.Rate <= 0 {
		return nil, nil
	}
	if c.MinBits == 0 {
		c.MinBits = DefaultPuzzleMinBits
	}
	if c.MaxBits == 0 {
		c.MaxBits = max(DefaultPuzzleMaxBits, c.MinBits)
	}
	if c.MinBits < 1 || c.MaxBits > MaxPuzzleBits || c.MinBits > c.MaxBits {
		return nil, errors.New("mctiny: puzzle bits must satisfy 1 <= min <= max <= 32")
	}
	return &puzzles{rate: c.Rate, minW: int32(c.MinBits), maxW: int32(c.MaxBits)}, nil
}

// tickInterval is how often the difficulty is adjusted.
const tickInterval = time.Second

// tick adjusts w once per tickInterval from the phase-0 rates since the
// last tick: puzzles start (at MinBits) when queries exceed the rate; w
// rises by one bit while decapsulations still exceed it and falls by one
// while they stay under half of it; puzzles stop when queries fall under
// half the rate. It reports whether w changed.
func (p *puzzles) tick(now time.Time) bool {
	t := now.UnixNano()
	last := p.tickAt.Load()
	if t-last < int64(tickInterval) || !p.tickMu.TryLock() {
		return false
	}
	defer p.tickMu.Unlock()
	last = p.tickAt.Load()
	if t-last < int64(tickInterval) {
		return false
	}
	arr, dec := p.arrivals.Load(), p.decaps.Load()
	p.tickAt.Store(t)
	if last == 0 {
		p.lastArr, p.lastDec = arr, dec
		return false
	}
	secs := float64(t-last) / 1e9
	arrRate := float64(arr-p.lastArr) / secs
	decRate := float64(dec-p.lastDec) / secs
	p.lastArr, p.lastDec = arr, dec
	p.load.Store(math.Float64bits(arrRate))
	w := p.w.Load()
	nw := w
	switch {
	case w == 0:
		if arrRate > p.rate {
			nw = p.minW
		}
	case arrRate <= p.rate/2:
		nw = 0
	case decRate > p.rate:
		nw = min(w+1, p.maxW)
	case decRate < p.rate/2:
		nw = max(w-1, p.minW)
	}
	if nw != w {
		p.w.Store(nw)
		return true
	}
	return false
}

// puzzleMAC computes z' into out: HMAC-SHA256 (RFC 2104) with key k over
// the domain, n', A, R and ct, with the worker's SHA-256 state and pads so
// that nothing is allocated.
func puzzleMAC(w *worker, out *[PuzzleValueSize]byte, k *[KeySize]byte, np, addr, R, ct []byte) {
	h := w.sha
	for i := range w.pad {
		w.pad[i] = 0x36
	}
	for i := range k {
		w.pad[i] ^= k[i]
	}
	h.Reset()
	h.Write(w.pad[:])
	h.Write(puzzleMACDomain)
	h.Write(np)
	h.Write(addr)
	h.Write(R)
	h.Write(ct)
	inner := h.Sum(out[:0])
	for i := range w.pad {
		w.pad[i] ^= 0x36 ^ 0x5c
	}
	h.Reset()
	h.Write(w.pad[:])
	h.Write(inner)
	h.Sum(out[:0])
	clear(w.pad[:])
}

// posePuzzle appends the puzzle P0 for the phase-0 query pkt at difficulty
// bits (see the package comment on puzzles).
func (s *Server) posePuzzle(w *worker, r *ring, dst, pkt []byte, from netip.Addr, bits int32) ([]byte, drop) {
	nonce := pkt[Q0Size-NonceSize:]
	R := nonce[:NoncePrefixSize]
	ct := pkt[TagSize+ExtensionSize+HashSize : Q0Size-NonceSize]
	// The 8 random bytes of n' come from the worker's buffer (randomBytes),
	// so that a flood of puzzles costs one system call per 64 puzzles.
	np := w.np[:]
	binary.BigEndian.PutUint64(np[:8], uint64(r.interval))
	if !s.randomBytes(w, np[8:]) {
		return nil, dropRand
	}
	w.addr = from.As16()
	puzzleMAC(w, &w.z, &r.pz[r.current()], np, w.addr[:], R, ct)
	dst = append(dst, w.z[:]...)
	hz := sha256.Sum256(w.z[:])
	v := binary.BigEndian.Uint32(w.z[28:]) &^ uint32(uint64(1)<<bits-1)
	binary.BigEndian.PutUint32(dst[len(dst)-4:], v)
	dst = append(dst, hz[:]...)
	dst = append(dst, np...)
	dst = append(dst, byte(bits))
	dst = append(dst, R...)
	dst = append(dst, 1, n23Solved)
	s.puz.posed.Add(1)
	return dst, dropNone
}

// verifySolution checks the solution n' ‖ z' of the query Q0' pkt: one
// MAC per live key set, a constant-time comparison, freshness (n' names
// the current or the previous interval) and single use.
func (s *Server) verifySolution(w *worker, r *ring, pkt []byte, from netip.Addr) drop {
	if s.puz == nil {
		return dropPuzzleInvalid
	}
	sol := pkt[TagSize+solvedExtensionSize : TagSize+ExtensionSize]
	np, z := sol[:PuzzleNonceSize], sol[PuzzleNonceSize:]
	nonce := pkt[Q0Size-NonceSize:]
	ct := pkt[TagSize+ExtensionSize+HashSize : Q0Size-NonceSize]
	m := int64(binary.BigEndian.Uint64(np[:8]))
	if m != r.interval && m != r.interval-1 {
		return dropPuzzleExpired
	}
	w.addr = from.As16()
	slot := int(m % cookieSlots)
	ok := false
	for k := r; k != nil && !ok; k = k.alt {
		puzzleMAC(w, &w.z, &k.pz[slot], np, w.addr[:], nonce[:NoncePrefixSize], ct)
		ok = subtle.ConstantTimeCompare(w.z[:], z) == 1
	}
	if !ok {
		return dropPuzzleInvalid
	}
	if !s.puz.seen.add(m, z) {
		return dropPuzzleReplayed
	}
	s.puz.solved.Add(1)
	return dropNone
}

// Puzzle is a puzzle P0 as the client reads it.
type Puzzle struct {
	Masked [PuzzleValueSize]byte // z''
	Hash   [PuzzleValueSize]byte // SHA-256(z')
	Nonce  [PuzzleNonceSize]byte // n'
	Bits   int                   // w
	Prefix [NoncePrefixSize]byte // R, echoed from Q0
}

// ParsePuzzle parses a puzzle reply; it fails unless p is exactly P0Size
// bytes with nonce position 1, 1 and 1 <= w <= MaxPuzzleBits.
func ParsePuzzle(p []byte) (*Puzzle, error) {
	if len(p) != P0Size || p[P0Size-2] != 1 || p[P0Size-1] != n23Solved {
		return nil, errors.New("mctiny: not a puzzle")
	}
	var z Puzzle
	copy(z.Masked[:], p)
	copy(z.Hash[:], p[PuzzleValueSize:])
	copy(z.Nonce[:], p[2*PuzzleValueSize:])
	z.Bits = int(p[2*PuzzleValueSize+PuzzleNonceSize])
	copy(z.Prefix[:], p[2*PuzzleValueSize+PuzzleNonceSize+1:])
	if z.Bits < 1 || z.Bits > MaxPuzzleBits {
		return nil, errors.New("mctiny: puzzle difficulty out of range")
	}
	return &z, nil
}

// ErrPuzzleUnsolved is returned by Solve when the puzzle has no solution
// (it was not made by the server) or ctx ended first.
var ErrPuzzleUnsolved = errors.New("mctiny: puzzle not solved")

// Solve finds z' by trying the 2^w candidates, on average 2^(w-1)
// SHA-256 computations, checking ctx every 65,536 tries.
func (z *Puzzle) Solve(ctx context.Context) ([PuzzleValueSize]byte, error) {
	c := z.Masked
	base := binary.BigEndian.Uint32(c[28:]) &^ uint32(uint64(1)<<z.Bits-1)
	n := uint64(1) << z.Bits
	for x := uint64(0); x < n; x++ {
		if x&0xffff == 0xffff && ctx.Err() != nil {
			break
		}
		binary.BigEndian.PutUint32(c[28:], base|uint32(x))
		if sha256.Sum256(c[:]) == z.Hash {
			return c, nil
		}
	}
	return [PuzzleValueSize]byte{}, ErrPuzzleUnsolved
}

// PuzzleStats are a server's puzzle counters.
type PuzzleStats struct {
	Enabled bool    // puzzles are configured
	Bits    int     // current difficulty; 0: not posing puzzles
	Load    float64 // phase-0 queries per second at the last adjustment
	Posed   uint64
	Solved  uint64 // solutions accepted
	Failed  uint64 // solutions refused: invalid, expired or replayed
}
